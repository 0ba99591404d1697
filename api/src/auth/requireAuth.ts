// The one gate in front of every /api route: a valid access token whose session is still alive,
// or a 401 (RFC 6750).
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { type AuthFailure, unauthorized } from "../http/errors";
import type { SessionRegistry, SessionVerdict } from "../sessions/registry";
import type { AccessClaims, TokenVerifier, Verification } from "./tokenVerifier";

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

type Extracted = { token: string } | { missing: true } | AuthFailure;

/** Every Authorization header as sent: Node keeps only the first of repeated ones in req.headers. */
function authorizationHeaders(req: Request): string[] {
  // rawHeaders rather than headersDistinct, which builds an object of every header per request.
  const raw = req.rawHeaders;
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? "";
    if (name.length === 13 && name.toLowerCase() === "authorization") values.push(raw[i + 1] ?? "");
  }
  return values;
}

function extract(req: Request): Extracted {
  const values = authorizationHeaders(req);
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

export function requireAuth(verifier: TokenVerifier, sessions: SessionRegistry): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const extracted = extract(req);
    if ("missing" in extracted) return next(unauthorized());
    if ("reason" in extracted) return next(unauthorized(extracted));
    const verified = (result: Verification) => {
      if (!result.ok) return next(unauthorized({ reason: result.reason, description: result.description }));
      const { claims } = result;
      const admit = (verdict: SessionVerdict) => {
        if (!verdict.ok) return next(unauthorized(verdict.failure));
        req.auth = { userId: claims.sub, claims };
        next();
      };
      // Memory answers synchronously in steady state; only a first sight (or the fallback while the
      // listener is down) waits for the database, whose failure reaches the error handler as a 503.
      const verdict = sessions.check(claims.sid, claims.sub);
      if (verdict instanceof Promise) verdict.then(admit, next);
      else admit(verdict);
    };
    const result = verifier.verify(extracted.token);
    // A `kid` new to this process (EdDSA): verified once more after the JWKS fetch it waits for.
    if (!result.ok && result.retry) result.retry().then(verified, next);
    else verified(result);
  };
}
