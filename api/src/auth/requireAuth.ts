// The one gate in front of every /api route: a valid access token or a 401 (RFC 6750).
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { AccessClaims, TokenVerifier } from "./tokenVerifier";

export interface AuthContext {
  userId: string;
  claims: AccessClaims;
}

declare global {
  // Express's own extension point for request properties.
  namespace Express {
    interface Request {
      auth?: AuthContext;
    }
  }
}

/** The authenticated caller; only valid behind requireAuth (a route without it is a bug, so throw). */
export function authOf(req: Request): AuthContext {
  if (!req.auth) throw new Error("route is not behind requireAuth");
  return req.auth;
}

type Extracted = { token: string } | { missing: true } | { reason: string; description: string };

function extract(req: Request): Extracted {
  // Node keeps only the first of repeated Authorization headers in req.headers; count them all.
  const values = req.headersDistinct.authorization ?? [];
  if (values.length === 0) return { missing: true };
  if (values.length > 1) return { reason: "more than one Authorization header", description: "multiple authorization headers" };
  const header = values[0] ?? "";
  const space = header.indexOf(" ");
  const scheme = space === -1 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== "bearer") return { missing: true };
  const token = space === -1 ? "" : header.slice(space + 1).trimStart();
  if (token === "") return { reason: "empty bearer token", description: "malformed token" };
  return { token };
}

function reject(req: Request, res: Response, failure: { reason: string; description: string } | null): void {
  // The reason is worth a debug line; the token itself is never logged.
  req.log.debug({ reason: failure?.reason ?? "no bearer token" }, "authentication failed");
  res.set(
    "WWW-Authenticate",
    failure ? `Bearer realm="api", error="invalid_token", error_description="${failure.description}"` : 'Bearer realm="api"',
  );
  res.status(401).json({
    error: { code: "unauthorized", message: failure ? failure.description : "a bearer token is required" },
  });
}

export function requireAuth(verifier: TokenVerifier): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const extracted = extract(req);
    if ("missing" in extracted) return reject(req, res, null);
    if ("reason" in extracted) return reject(req, res, extracted);
    const result = verifier.verify(extracted.token);
    if (!result.ok) return reject(req, res, result);
    req.auth = { userId: result.claims.sub, claims: result.claims };
    next();
  };
}

/** 401 for a token whose user is gone (deleted after the token was issued). */
export function rejectUnknownUser(req: Request, res: Response): void {
  reject(req, res, { reason: "token subject has no user row", description: "user no longer exists" });
}
