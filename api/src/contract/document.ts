// The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with.
// Served at GET /openapi.json and committed as api/openapi.json (`make openapi` rewrites it).
import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from "@asteasolutions/zod-to-openapi";
import type { ZodType } from "zod";
import { ErrorBody, Health, Liveness, NewTask, TaskCreated, TaskListQuery, TaskPage, User, UserPath, WhoAmI } from "./schemas";

const json = (schema: ZodType, description: string, example?: unknown): ResponseConfig => ({
  description,
  content: { "application/json": { schema, ...(example === undefined ? {} : { example }) } },
});

const error = (code: string, message: string, fields?: Record<string, string>) => ({ error: { code, message, ...(fields ? { fields } : {}) } });

const unauthorized: ResponseConfig = {
  ...json(
    ErrorBody,
    "No bearer token, one that does not verify, or one whose session has ended (RFC 6750); the reason is in WWW-Authenticate",
    error("unauthorized", "token expired"),
  ),
  headers: {
    "WWW-Authenticate": {
      description: 'The challenge: `Bearer realm="api"`, plus `error="invalid_token"` and `error_description` when a token was sent',
      required: true,
      schema: { type: "string", example: 'Bearer realm="api", error="invalid_token", error_description="token expired"' },
    },
  },
};

const databaseUnavailable: ResponseConfig = {
  ...json(
    ErrorBody,
    "The database did not answer in time (for the data, or for the token's session when it is not known from memory); safe to retry",
    error("database_unavailable", "the database is unavailable, try again shortly"),
  ),
  headers: { "Retry-After": { description: "Seconds", required: true, schema: { type: "string", example: "1" } } },
};

const forbidden = json(ErrorBody, "The path's user is not the token's subject", error("forbidden", "this resource belongs to another user"));

const bearer = [{ bearerAuth: [] }];

export function buildOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "A short-lived HS256 JWT from the web's GET /api/auth/token, signed with a key HKDF-derived from BETTER_AUTH_SECRET; iss = the web's origin, aud = the api's origin, sub = the user id.",
  });

  registry.registerPath({
    method: "get",
    path: "/api/me",
    summary: "The caller's user",
    security: bearer,
    responses: { 200: json(User, "The token's user"), 401: unauthorized, 503: databaseUnavailable },
  });
  registry.registerPath({
    method: "get",
    path: "/api/whoami",
    summary: "The token's subject: authentication alone, no data read",
    security: bearer,
    responses: { 200: json(WhoAmI, "The token's subject"), 401: unauthorized, 503: databaseUnavailable },
  });
  registry.registerPath({
    method: "get",
    path: "/api/{userId}/tasks",
    summary: "One page of the caller's tasks, newest first",
    security: bearer,
    request: { params: UserPath, query: TaskListQuery },
    responses: {
      200: json(TaskPage, "A page of tasks"),
      400: json(
        ErrorBody,
        "A bad limit or cursor",
        error("invalid_request", "the request is invalid", { limit: "must be an integer from 1 to 200" }),
      ),
      401: unauthorized,
      403: forbidden,
      503: databaseUnavailable,
    },
  });
  registry.registerPath({
    method: "post",
    path: "/api/{userId}/tasks",
    summary: "Add a task for the caller",
    security: bearer,
    request: { params: UserPath, body: { required: true, content: { "application/json": { schema: NewTask } } } },
    responses: {
      201: json(TaskCreated, "The new task"),
      400: json(
        ErrorBody,
        "Malformed JSON, or a body that breaks the rules (see `fields`)",
        error("invalid_request", "the request is invalid", { title: "must not be empty" }),
      ),
      401: unauthorized,
      403: forbidden,
      409: json(ErrorBody, "The user already has TASK_QUOTA tasks", error("task_quota_exceeded", "a user may keep at most 10000 tasks")),
      413: json(ErrorBody, "The body is larger than 16 KB", error("payload_too_large", "the body is larger than 16 KB")),
      415: json(
        ErrorBody,
        "The body is not application/json (or its charset or encoding is not supported)",
        error("unsupported_media_type", "the body must be application/json"),
      ),
      429: {
        ...json(
          ErrorBody,
          "More than WRITE_RATE_LIMIT writes in WRITE_RATE_WINDOW_SECONDS by this user",
          error("rate_limited", "too many writes, try again later"),
        ),
        headers: {
          "Retry-After": { description: "Seconds until this user may write again", required: true, schema: { type: "string", example: "42" } },
        },
      },
      503: databaseUnavailable,
    },
  });
  registry.registerPath({
    method: "get",
    path: "/healthz",
    summary: "Readiness: the database answers over an encrypted connection",
    security: [],
    responses: {
      200: { description: "Ready", content: { "application/health+json": { schema: Health } } },
      503: {
        description: "Not ready: the database is unreachable, slow, or not encrypted",
        content: { "application/health+json": { schema: Health } },
      },
    },
  });
  registry.registerPath({
    method: "get",
    path: "/livez",
    summary: "Liveness: the process answers (no database)",
    security: [],
    responses: { 200: json(Liveness, "Alive", { status: "pass" }) },
  });
  registry.registerPath({
    method: "get",
    path: "/openapi.json",
    summary: "This document",
    security: [],
    responses: {
      200: { description: "The OpenAPI 3.1 document", content: { "application/json": { schema: { type: "object" } } } },
      304: { description: "Not modified (If-None-Match matched the ETag)" },
    },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "authbridge api",
      version: "1",
      description:
        "Each user's own tasks, for bearers of the web's short-lived access token. Errors are always `{ error: { code, message, fields? } }`.",
    },
  });
}
