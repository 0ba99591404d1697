// Every error the api answers with has this shape: { error: { code, message, fields? } }.
// Routes and middleware throw (or pass to next) these; errorHandler.ts is the only writer.
import type { ErrorBody } from "../openapi/schemas";

/**
 * Every `code` the api answers with, and its status: the one list the handler, the documented
 * examples (openapi/responses.ts) and docs/API-SERVICE.md's error table (checked by
 * api/test/serviceDocs.unit.test.ts) follow. `bad_request` is any other 4xx the body parser or
 * the router tags.
 */
export const ERROR_CODES = {
  unauthorized: 401,
  rate_limited: 429,
  forbidden: 403,
  task_quota_exceeded: 409,
  invalid_request: 400,
  malformed_json: 400,
  request_aborted: 400,
  bad_request: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unsupported_encoding: 415,
  unsupported_charset: 415,
  not_found: 404,
  database_unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) } };
  }
}

/** Why a request was not authenticated: `reason` is for the debug log, `description` for the client. */
export interface AuthFailure {
  reason: string;
  description: string;
}

/** 401 with the RFC 6750 challenge; the reason is logged at debug by the error handler, never sent. */
export class UnauthorizedError extends HttpError {
  override name = "UnauthorizedError";
  constructor(readonly failure: AuthFailure | null) {
    super(401, "unauthorized", failure ? failure.description : "a bearer token is required", undefined, {
      "WWW-Authenticate": failure ? `Bearer realm="api", error="invalid_token", error_description="${failure.description}"` : 'Bearer realm="api"',
    });
  }
}

export const unauthorized = (failure: AuthFailure | null = null) => new UnauthorizedError(failure);
export const userGone = () => unauthorized({ reason: "token subject has no user row", description: "user no longer exists" });
export const notFound = () => new HttpError(404, "not_found", "no such route");
/** The one answer for any task id that is not the caller's task, whatever the reason. */
export const taskNotFound = () => new HttpError(404, "not_found", "no such task");
export const forbidden = () => new HttpError(403, "forbidden", "this resource belongs to another user");
export const taskQuotaExceeded = (quota: number) => new HttpError(409, "task_quota_exceeded", `a user may keep at most ${quota} tasks`);
export const invalid = (fields: Record<string, string>) => new HttpError(400, "invalid_request", "the request is invalid", fields);
