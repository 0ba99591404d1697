// The documented answers routes share (the route declarations list them per status), so each
// error is described, with its headers and an example, once.
import type { ResponseConfig } from "@asteasolutions/zod-to-openapi";
import type { ZodType } from "zod";
import type { ErrorCode } from "../http/errors";
import { ErrorBody } from "./schemas";

export const json = (schema: ZodType, description: string, example?: unknown): ResponseConfig => ({
  description,
  content: { "application/json": { schema, ...(example === undefined ? {} : { example }) } },
});

const error = (code: ErrorCode, message: string, fields?: Record<string, string>) => ({ error: { code, message, ...(fields ? { fields } : {}) } });

export const invalidRequest = (description: string, fields: Record<string, string>) =>
  json(ErrorBody, description, error("invalid_request", "the request is invalid", fields));

export const unauthorized: ResponseConfig = {
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

export const databaseUnavailable: ResponseConfig = {
  ...json(
    ErrorBody,
    "The database did not answer in time (for the data, or for the token's session when it is not known from memory); safe to retry",
    error("database_unavailable", "the database is unavailable, try again shortly"),
  ),
  headers: { "Retry-After": { description: "Seconds", required: true, schema: { type: "string", example: "1" } } },
};

export const forbidden = json(ErrorBody, "The path's user is not the token's subject", error("forbidden", "this resource belongs to another user"));

export const taskNotFound = json(
  ErrorBody,
  "The caller has no task with this id. The same answer, byte for byte, whether the task is another user's, never existed, was deleted, or the id is malformed",
  error("not_found", "no such task"),
);

export const payloadTooLarge = json(ErrorBody, "The body is larger than 16 KB", error("payload_too_large", "the body is larger than 16 KB"));

export const unsupportedMediaType = json(
  ErrorBody,
  "The body is not application/json (or its charset or encoding is not supported)",
  error("unsupported_media_type", "the body must be application/json"),
);

/** The answers of every route under /api/{userId}: no token, someone else's path, no database. */
export const ownerOnly = { 401: unauthorized, 403: forbidden, 503: databaseUnavailable };

/** The extra answers of a route that takes a JSON body. */
export const jsonBody = { 413: payloadTooLarge, 415: unsupportedMediaType };

export const rateLimited: ResponseConfig = {
  ...json(
    ErrorBody,
    "More than WRITE_RATE_LIMIT writes in WRITE_RATE_WINDOW_SECONDS by this user",
    error("rate_limited", "too many writes, try again later"),
  ),
  headers: {
    "Retry-After": { description: "Seconds until this user may write again", required: true, schema: { type: "string", example: "42" } },
  },
};

export const taskQuotaExceeded = json(
  ErrorBody,
  "The user already has TASK_QUOTA tasks",
  error("task_quota_exceeded", "a user may keep at most 10000 tasks"),
);

/** The extra answer of every write (a method other than GET): the per-user write rate limit. */
export const write = { 429: rateLimited };
