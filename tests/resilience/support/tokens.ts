// API access tokens made the way the contract says (docs/TOKENS.md), with jose and
// node:crypto only: independent of both services' code, so a shared mistake cannot hide.
import { hkdfSync } from "node:crypto";
import { type JWTPayload, SignJWT, jwtVerify } from "jose";
import { rememberSecret } from "./record";

export function tokenKey(secret: string): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", Buffer.from(secret, "utf8"), Buffer.alloc(0), "authbridge api access token v1", 32));
}

export interface Audience {
  secret: string;
  /** Origin of BETTER_AUTH_URL. */
  issuer: string;
  /** Origin of API_URL. */
  audience: string;
  /** The api's JWT_CLOCK_TOLERANCE_SECONDS. */
  clockToleranceSeconds: number;
}

/** Whom a token speaks for: the user (`sub`) and the id of the session it is minted from (`sid`). */
export interface Holder {
  id: string;
  sessionId: string;
}

/** A token exactly as the web issues it (or with `claims` / `header` overridden, for hostile tests). */
export async function mint(
  to: Audience,
  holder: Holder,
  options: { claims?: JWTPayload; header?: Record<string, unknown>; key?: Uint8Array; alg?: string; ttlSeconds?: number } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: holder.id, sid: holder.sessionId, iat: now, exp: now + (options.ttlSeconds ?? 900), iss: to.issuer, aud: to.audience };
  const token = await new SignJWT({ ...claims, ...options.claims })
    // kid "1": the stack's lone BETTER_AUTH_SECRET is version 1.
    .setProtectedHeader({ alg: options.alg ?? "HS256", typ: "JWT", kid: "1", ...options.header })
    .sign(options.key ?? tokenKey(to.secret));
  rememberSecret("token", token);
  return token;
}

/** The oracle for hostile tests: would an independent verifier accept this token, and for whom? */
export async function acceptedSubject(to: Audience, token: string): Promise<string | null> {
  try {
    const { payload } = await jwtVerify(token, tokenKey(to.secret), {
      algorithms: ["HS256"],
      issuer: to.issuer,
      audience: to.audience,
      requiredClaims: ["exp", "sub", "sid"],
      clockTolerance: to.clockToleranceSeconds,
    });
    return typeof payload.sub === "string" ? payload.sub : null;
  } catch {
    return null;
  }
}
