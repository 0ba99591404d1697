// A per-user limit on writes: each token subject may send `limit` non-read requests per window,
// then gets 429 with Retry-After until the window ends. Counted in this process's memory
// (express-rate-limit's store), so with API_WORKERS > 1 or several replicas a user may reach the
// limit once per process: it bounds abuse, it is not an exact quota (the task quota is, in the
// database).
import type { RequestHandler } from "express";
import { type AugmentedRequest, rateLimit } from "express-rate-limit";
import { authOf } from "../auth/requireAuth";
import { HttpError } from "./errors";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface WriteRateLimit {
  limit: number;
  windowSeconds: number;
}

export const rateLimited = (retryAfterSeconds: number) =>
  new HttpError(429, "rate_limited", "too many writes, try again later", undefined, { "Retry-After": String(retryAfterSeconds) });

/** Mounted behind requireAuth: the key is the token's subject, never an address. */
export function writeRateLimit(options: WriteRateLimit): RequestHandler {
  const limiter = rateLimit({
    windowMs: options.windowSeconds * 1000,
    limit: options.limit,
    keyGenerator: (req) => authOf(req).userId,
    // The answer is the api's own error shape, written by the error handler like every other.
    standardHeaders: false,
    legacyHeaders: false,
    handler: (req, _res, next) => {
      const resetMs = (req as AugmentedRequest).rateLimit?.resetTime?.getTime() ?? Date.now() + options.windowSeconds * 1000;
      next(rateLimited(Math.max(1, Math.ceil((resetMs - Date.now()) / 1000))));
    },
    // The key is no address, so the library's checks of proxies and addresses do not apply.
    validate: false,
  });
  // Reads are never counted. Passed on here rather than through the library's `skip`: its
  // middleware is async, and every read would pay its promises before the route runs.
  return (req, res, next) => (READS.has(req.method) ? next() : limiter(req, res, next));
}
