// Verifies one API access token against the contract (docs/TOKENS.md). One verifier, two key
// sources, one algorithm each (ACCESS_TOKEN_ALG): HS256 with the keys derived from the shared
// secret (jsonwebtoken), or EdDSA with the web's public keys from its JWKS (node:crypto). The
// token's own `alg` never chooses: a token of the other algorithm is refused, whatever key it fits.
import { type KeyObject, verify as verifySignature } from "node:crypto";
import jwt from "jsonwebtoken";
import type { JwksKeySource } from "./jwks";
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
  /**
   * `reason` is for the debug log; `description` goes to the client in WWW-Authenticate. `retry`:
   * the token names a `kid` the JWKS is being fetched for; it verifies the token once more after
   * that fetch (and never fetches again itself).
   */
  | { ok: false; reason: string; description: string; retry?: () => Promise<Verification> };

/**
 * HS256 `keys` by `kid`, or the EdDSA `jwks`; a token is checked against the one key its `kid`
 * names, never against each in turn.
 */
export type KeySource = { keys: TokenKeys; jwks?: never } | { jwks: JwksKeySource; keys?: never };

export type VerifierOptions = KeySource & {
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  /** The lifetime the web gives a token (JWT_TTL_SECONDS): `exp - iat` may not exceed it plus the tolerance. */
  ttlSeconds: number;
  /** Entries of the verified-token cache; 0 turns it off. */
  cacheSize: number;
  now?: () => number;
};

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
interface Header {
  alg?: unknown;
  kid?: unknown;
}

function parsePart(part: string, what: string): { value: object } | { failure: Verification } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    return { failure: fail(`${what} is not JSON`, "malformed token") };
  }
  if (typeof value !== "object" || value === null) return { failure: fail(`${what} is not a JSON object`, "malformed token") };
  return { value };
}

function readHeader(token: string): { header: Header } | { failure: Verification } {
  const parsed = parsePart(token.slice(0, token.indexOf(".")), "header");
  if ("failure" in parsed) return parsed;
  // RFC 7515 4.1.11: a verifier must refuse extensions it does not understand, and we understand none.
  if ("crit" in parsed.value) return { failure: fail("crit header present", "invalid token") };
  return { header: parsed.value };
}

/**
 * The key the token's `kid` names. Only a lone configured key may verify a token without `kid`
 * (tokens signed before tokens carried one); with several, a missing `kid` is refused rather than
 * tried against each key, so a retired key can never be reached by leaving `kid` out.
 */
export function keyChooser(keys: TokenKeys): (header: Header) => KeyChoice {
  const only = keys.size === 1 ? [...keys.values()][0]?.key : undefined;
  return ({ kid }) => {
    if (kid === undefined) return only ? { key: only } : { failure: fail("kid missing and several keys configured", "invalid token") };
    const chosen = typeof kid === "string" ? keys.get(kid) : undefined;
    return chosen ? { key: chosen.key } : { failure: fail("kid names no configured key", "invalid token") };
  };
}

/**
 * What jsonwebtoken checks for HS256, for a payload whose EdDSA signature node:crypto verified:
 * exp and nbf with the clock tolerance, iss and aud exactly (one string each).
 */
function registeredClaims(payload: Record<string, unknown>, options: VerifierOptions, nowSeconds: number): Verification | undefined {
  const { exp, nbf, iss, aud } = payload;
  const tolerance = options.clockToleranceSeconds;
  if (exp !== undefined && (typeof exp !== "number" || !Number.isFinite(exp))) return fail("exp not a NumericDate", "invalid token");
  if (typeof exp === "number" && nowSeconds >= exp + tolerance) return fail("jwt expired", "token expired");
  if (nbf !== undefined && (typeof nbf !== "number" || !Number.isFinite(nbf))) return fail("nbf not a NumericDate", "invalid token");
  if (typeof nbf === "number" && nbf > nowSeconds + tolerance) return fail("jwt not active", "token not yet valid");
  if (iss !== options.issuer) return fail("jwt issuer invalid", "invalid token");
  if (aud !== options.audience) return fail("jwt audience invalid", "invalid token");
  return undefined;
}

/** The signature checked and the payload read with one algorithm: the payload, or why not. */
type SignedPayload = (
  token: string,
  header: Header,
  nowMs: number,
  mayFetch: boolean,
) => { payload: Record<string, unknown> } | { failure: Verification };

function hs256(options: VerifierOptions & { keys: TokenKeys }): SignedPayload {
  const chooseKey = keyChooser(options.keys);
  const verifyOptions: jwt.VerifyOptions & { complete?: false } = {
    algorithms: ["HS256"],
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSeconds,
  };
  return (token, header, nowMs) => {
    const choice = chooseKey(header);
    if ("failure" in choice) return choice;
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, choice.key, { ...verifyOptions, clockTimestamp: Math.floor(nowMs / 1000) });
    } catch (err) {
      return { failure: describe(err) };
    }
    if (typeof payload !== "object") return { failure: fail("payload is not a JSON object", "invalid token") };
    return { payload };
  };
}

/** A `kid` not held yet (and `mayFetch`): a failure whose `retry` runs `again` once the JWKS fetch it waits for settles. */
function eddsa(options: VerifierOptions & { jwks: JwksKeySource }, again: (token: string) => Verification): SignedPayload {
  return (token, header, nowMs, mayFetch) => {
    // Pinned: an HS256 token (even one keyed with a public key's bytes) never reaches a key here.
    if (header.alg !== "EdDSA") return { failure: fail("alg is not EdDSA", "invalid token") };
    if (typeof header.kid !== "string" || header.kid === "") return { failure: fail("kid missing", "invalid token") };
    const found = options.jwks.lookup(header.kid, mayFetch);
    if ("missing" in found) return { failure: fail("kid names no key of the JWKS", "invalid token") };
    if ("pending" in found) {
      const pending = found.pending;
      return { failure: { ...fail("kid not among the keys held yet", "invalid token"), retry: () => pending.then(() => again(token)) } };
    }
    const [encodedHeader = "", encodedPayload = "", signature = ""] = token.split(".");
    const signingInput = Buffer.from(`${encodedHeader}.${encodedPayload}`, "ascii");
    if (!verifySignature(null, signingInput, found.key, Buffer.from(signature, "base64url"))) {
      return { failure: fail("invalid signature", "invalid token") };
    }
    const parsed = parsePart(encodedPayload, "payload");
    if ("failure" in parsed) return parsed;
    const payload = parsed.value as Record<string, unknown>;
    const failure = registeredClaims(payload, options, Math.floor(nowMs / 1000));
    return failure ? { failure } : { payload };
  };
}

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const now = options.now ?? Date.now;
  const cache = new TokenCache(options.cacheSize);

  const check = (token: string, nowMs: number, mayFetch: boolean): Verification => {
    if (!COMPACT_JWS.test(token)) return fail("not a compact JWS", "malformed token");
    const read = readHeader(token);
    if ("failure" in read) return read.failure;
    const signed = signedPayload(token, read.header, nowMs, mayFetch);
    if ("failure" in signed) return signed.failure;
    const { payload } = signed;
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

  const verify = (token: string, mayFetch = true): Verification => {
    if (token.length > MAX_TOKEN_LENGTH) return fail("token longer than 4096 characters", "token too large");
    const nowMs = now();
    const cached = cache.get(token, nowMs);
    if (cached) return { ok: true, claims: cached };
    const result = check(token, nowMs, mayFetch);
    if (result.ok) cache.set(token, result.claims);
    return result;
  };
  // After the fetch a `kid` still unknown is final: the second verify never fetches again.
  const signedPayload: SignedPayload = options.keys
    ? hs256({ ...options, keys: options.keys })
    : eddsa({ ...options, jwks: options.jwks }, (token) => verify(token, false));

  return {
    verify: (token) => verify(token),
    cacheStats: () => cache.stats(),
  };
}
