// Verifies one API access token against the contract (docs/TOKENS.md).
import type { KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";
import { type CacheStats, TokenCache } from "./tokenCache";
import type { TokenKeys } from "./tokenKey";

export interface AccessClaims {
  sub: string;
  /** The id of the web session the token was minted from: the token holds only while it lives. */
  sid: string;
  exp: number;
  iat?: number;
  iss: string;
  aud: string;
}

export type Verification =
  | { ok: true; claims: AccessClaims }
  /** `reason` is for the debug log; `description` goes to the client in WWW-Authenticate. */
  | { ok: false; reason: string; description: string };

export interface VerifierOptions {
  /** By `kid`; a token is checked against the one key its `kid` names, never against each in turn. */
  keys: TokenKeys;
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  /** The lifetime the web gives a token (JWT_TTL_SECONDS): `exp - iat` may not exceed it plus the tolerance. */
  ttlSeconds: number;
  /** Entries of the verified-token cache; 0 turns it off. */
  cacheSize: number;
  now?: () => number;
}

export interface TokenVerifier {
  verify(token: string): Verification;
  cacheStats(): CacheStats;
}

export const MAX_TOKEN_LENGTH = 4096;
// Compact JWS: three base64url parts, the signature never empty (that would be alg "none").
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's job
const CONTROL = /[\u0000-\u001f\u007f]/;

const fail = (reason: string, description: string): Verification => ({ ok: false, reason, description });

function describe(err: unknown): Verification {
  if (err instanceof jwt.TokenExpiredError) return fail(err.message, "token expired");
  if (err instanceof jwt.NotBeforeError) return fail(err.message, "token not yet valid");
  if (err instanceof Error) return fail(err.message, "invalid token");
  return fail("verification failed", "invalid token");
}

type KeyChoice = { key: KeyObject } | { failure: Verification };

/**
 * The key the token's `kid` names. Only a lone configured key may verify a token without `kid`
 * (tokens signed before tokens carried one); with several, a missing `kid` is refused rather than
 * tried against each key, so a retired key can never be reached by leaving `kid` out.
 */
export function keyChooser(keys: TokenKeys): (token: string) => KeyChoice {
  const only = keys.size === 1 ? [...keys.values()][0]?.key : undefined;
  return (token) => {
    let header: unknown;
    try {
      header = JSON.parse(Buffer.from(token.slice(0, token.indexOf(".")), "base64url").toString("utf8"));
    } catch {
      return { failure: fail("header is not JSON", "malformed token") };
    }
    if (typeof header !== "object" || header === null) return { failure: fail("header is not a JSON object", "malformed token") };
    // RFC 7515 4.1.11: a verifier must refuse extensions it does not understand, and we understand none.
    if ("crit" in header) return { failure: fail("crit header present", "invalid token") };
    const { kid } = header as { kid?: unknown };
    if (kid === undefined) return only ? { key: only } : { failure: fail("kid missing and several keys configured", "invalid token") };
    const chosen = typeof kid === "string" ? keys.get(kid) : undefined;
    return chosen ? { key: chosen.key } : { failure: fail("kid names no configured key", "invalid token") };
  };
}

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const now = options.now ?? Date.now;
  const cache = new TokenCache(options.cacheSize);
  const chooseKey = keyChooser(options.keys);
  const verifyOptions: jwt.VerifyOptions & { complete?: false } = {
    algorithms: ["HS256"],
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSeconds,
  };

  const check = (token: string, nowMs: number): Verification => {
    if (!COMPACT_JWS.test(token)) return fail("not a compact JWS", "malformed token");
    const choice = chooseKey(token);
    if ("failure" in choice) return choice.failure;
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, choice.key, { ...verifyOptions, clockTimestamp: Math.floor(nowMs / 1000) });
    } catch (err) {
      return describe(err);
    }
    if (typeof payload !== "object") return fail("payload is not a JSON object", "invalid token");
    // jsonwebtoken checks exp only when present, and never looks at sub.
    const { sub, sid, exp, iat, iss, aud } = payload;
    if (typeof exp !== "number" || !Number.isFinite(exp)) return fail("exp missing", "invalid token");
    if (typeof sub !== "string" || sub.length === 0 || sub.length > 255) return fail("sub missing or not a string", "invalid token");
    // A user id never holds control characters; PostgreSQL text cannot even hold NUL.
    if (CONTROL.test(sub)) return fail("sub contains control characters", "invalid token");
    if (typeof sid !== "string" || sid.length === 0 || sid.length > 255) return fail("sid missing or not a string", "invalid token");
    if (CONTROL.test(sid)) return fail("sid contains control characters", "invalid token");
    if (iat !== undefined && (typeof iat !== "number" || !Number.isFinite(iat))) return fail("iat not a NumericDate", "invalid token");
    if (iat !== undefined && iat > nowMs / 1000 + options.clockToleranceSeconds) return fail("iat in the future", "invalid token");
    // No iat: the lifetime counts from now. Either way no token outlives what the web ever signs.
    if (exp - (iat ?? nowMs / 1000) > options.ttlSeconds + options.clockToleranceSeconds) {
      return fail("exp - iat longer than JWT_TTL_SECONDS", "invalid token");
    }
    if (typeof iss !== "string" || typeof aud !== "string") return fail("iss or aud not a single string", "invalid token");
    return { ok: true, claims: { sub, sid, exp, iss, aud, ...(iat !== undefined ? { iat } : {}) } };
  };

  return {
    verify(token) {
      if (token.length > MAX_TOKEN_LENGTH) return fail("token longer than 4096 characters", "token too large");
      const nowMs = now();
      const cached = cache.get(token, nowMs);
      if (cached) return { ok: true, claims: cached };
      const result = check(token, nowMs);
      if (result.ok) cache.set(token, result.claims);
      return result;
    },
    cacheStats: () => cache.stats(),
  };
}
