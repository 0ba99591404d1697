// The last middleware: turns anything thrown into the JSON error shape. Never a stack trace.
import type { ErrorRequestHandler, RequestHandler } from "express";
import { DatabaseUnavailableError } from "../db/errors";
import { TaskQuotaError, UserGoneError } from "../services/errors";
import { HttpError, UnauthorizedError, notFound, taskQuotaExceeded, userGone } from "./errors";

// body-parser and the router tag their errors with `type` and `status`.
const BODY_ERRORS: Record<string, [number, string, string]> = {
  "entity.parse.failed": [400, "malformed_json", "the body is not valid JSON"],
  "entity.too.large": [413, "payload_too_large", "the body is larger than 16 KB"],
  "encoding.unsupported": [415, "unsupported_encoding", "unsupported content encoding"],
  "charset.unsupported": [415, "unsupported_charset", "unsupported charset"],
  "request.aborted": [400, "request_aborted", "the request was aborted"],
  "request.size.invalid": [400, "invalid_request", "the body length does not match Content-Length"],
};

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(notFound());

export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const error = toHttpError(err);
  if (err instanceof DatabaseUnavailableError) {
    req.log.warn({ kind: err.kind }, "database unavailable");
  } else if (error instanceof UnauthorizedError) {
    // The reason is worth a debug line; the token itself is never logged.
    req.log.debug({ reason: error.failure?.reason ?? "no bearer token" }, "authentication failed");
  } else if (error.status >= 500) {
    req.log.error({ err }, "unhandled error");
  }
  if (res.headersSent) return void res.end();
  if (error.headers) res.set(error.headers);
  res.status(error.status).json(error.body());
};

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof UserGoneError) return userGone();
  if (err instanceof TaskQuotaError) return taskQuotaExceeded(err.quota);
  if (err instanceof DatabaseUnavailableError) {
    return new HttpError(503, "database_unavailable", "the database is unavailable, try again shortly", undefined, { "Retry-After": "1" });
  }
  const tagged = err as { type?: unknown; status?: unknown } | null;
  const known = typeof tagged?.type === "string" ? BODY_ERRORS[tagged.type] : undefined;
  if (known) return new HttpError(known[0], known[1], known[2]);
  if (typeof tagged?.status === "number" && tagged.status >= 400 && tagged.status < 500) {
    return new HttpError(tagged.status, "bad_request", "the request could not be understood");
  }
  return new HttpError(500, "internal_error", "internal error");
}
