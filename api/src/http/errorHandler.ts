// The last middleware: turns anything thrown into the JSON error shape, in this order: the
// api's own HTTP errors, the body parser's, the services' domain errors, a database outage (503,
// retry), and anything else as a 500 with no detail, its stack logged. Never a stack trace sent.
import type { ErrorRequestHandler, RequestHandler } from "express";
import { isDatabaseUnavailable, unavailableKind } from "../db/errors";
import { TaskNotFoundError, TaskQuotaError, UserGoneError } from "../services/errors";
import { type ErrorCode, HttpError, UnauthorizedError, notFound, taskNotFound, taskQuotaExceeded, userGone } from "./errors";

// body-parser and the router tag their errors with `type` and `status`.
const BODY_ERRORS: Record<string, [number, ErrorCode, string]> = {
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
  if (error.code === DATABASE_UNAVAILABLE) {
    req.log.warn({ kind: unavailableKind(err) }, "database unavailable");
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

const DATABASE_UNAVAILABLE: ErrorCode = "database_unavailable";

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const tagged = err as { type?: unknown; status?: unknown } | null;
  const known = typeof tagged?.type === "string" ? BODY_ERRORS[tagged.type] : undefined;
  if (known) return new HttpError(known[0], known[1], known[2]);
  if (err instanceof UserGoneError) return userGone();
  if (err instanceof TaskNotFoundError) return taskNotFound();
  if (err instanceof TaskQuotaError) return taskQuotaExceeded(err.quota);
  if (isDatabaseUnavailable(err)) {
    return new HttpError(503, DATABASE_UNAVAILABLE, "the database is unavailable, try again shortly", undefined, { "Retry-After": "1" });
  }
  if (typeof tagged?.status === "number" && tagged.status >= 400 && tagged.status < 500) {
    return new HttpError(tagged.status, "bad_request", "the request could not be understood");
  }
  return new HttpError(500, "internal_error", "internal error");
}
