// The token contract (docs/TOKENS.md) written apart from the services' code with node:crypto
// alone, so every suite and the bench hold the services to an independent implementation, not
// to themselves: the HKDF key, its fingerprint, the known-answer vector, and an HS256 signer.
import { type KeyObject, createHash, createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { announceSecret } from "./secrets";

const KEY_INFO = "authbridge api access token v1";

/** The contract's known-answer vector (computed with Python's cryptography). */
export const TEST_VECTOR = {
  secret: "authbridge-test-vector-secret-0123456789-abcdefgh",
  keyHex: "37da3c59377453e874b4c7b56b674e0d06642d533fcded5f6e703751d3d9a6d5",
  fingerprint: "46d07b43",
} as const;

/** The signing key: HKDF-SHA256 of BETTER_AUTH_SECRET, empty salt, the contract's info, 32 bytes. */
export function contractKey(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(secret, "utf8"), Buffer.alloc(0), KEY_INFO, 32));
}

/** What the services log in place of a key: the first 8 hex digits of its SHA-256. */
export const fingerprintOf = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 8);

/** Whom a token speaks for: the user (`sub`) and the id of the session it is minted from (`sid`). */
export interface Holder {
  id: string;
  sessionId: string;
}

/** Who issues a token for whom: the origins of BETTER_AUTH_URL and API_URL. */
export interface Parties {
  issuer: string;
  audience: string;
}

/** The claims the web puts in an access token. */
export function contractClaims(parties: Parties, holder: Holder, ttlSeconds = 900): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000);
  return { sub: holder.id, sid: holder.sessionId, iat, exp: iat + ttlSeconds, iss: parties.issuer, aud: parties.audience };
}

export type SigningKey = Buffer | Uint8Array | KeyObject | string;

export interface Signed {
  token: string;
  /** `header.payload`: the bytes the signature covers. */
  signingInput: string;
}

const HASH_OF: Record<string, string> = { HS256: "sha256", HS384: "sha384", HS512: "sha512" };
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * A compact JWS. The header is `{ alg: "HS256", typ: "JWT", kid: "1" }` (a lone BETTER_AUTH_SECRET
 * is version 1) with `header` laid over it; a `kid` of null or undefined is left out, and so is an
 * undefined claim. Hostile tests may name HS384 or HS512: they are signed with that hash.
 */
export function signToken(claims: object, key: SigningKey, header: Record<string, unknown> = {}): Signed {
  const fields = Object.entries<unknown>({ alg: "HS256", typ: "JWT", kid: "1", ...header }).filter(
    ([, value]) => value !== null && value !== undefined,
  );
  const fullHeader = Object.fromEntries(fields);
  const hash = HASH_OF[String(fullHeader.alg)];
  if (!hash) throw new Error(`signToken signs HS256, HS384 or HS512, not ${String(fullHeader.alg)}`);
  const signingInput = `${base64url(fullHeader)}.${base64url(claims)}`;
  return { token: `${signingInput}.${createHmac(hash, key).update(signingInput).digest("base64url")}`, signingInput };
}

/** Whether an HS256 signature over the token's first two parts is the one `key` makes. */
export function signatureValid(token: string, key: Buffer): boolean {
  const [header, payload, signature] = token.split(".");
  const expected = createHmac("sha256", key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature ?? "", "base64url");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Who a token is minted for and with which BETTER_AUTH_SECRET. */
export interface Minting extends Parties {
  secret: string;
}

export interface MintOptions {
  /** Laid over the contract's claims; an undefined claim is left out. */
  claims?: Record<string, unknown>;
  /** Laid over the contract's header (`kid: null` leaves kid out; `alg` HS384/HS512 for hostile tests). */
  header?: Record<string, unknown>;
  /** Signs with this key instead of the secret's contract key. */
  key?: SigningKey;
  ttlSeconds?: number;
}

/** A token exactly as the web issues it (or with claims, header or key overridden, for hostile tests). */
export function mint(to: Minting, holder: Holder, options: MintOptions = {}): string {
  const claims = { ...contractClaims(to, holder, options.ttlSeconds), ...options.claims };
  const { token } = signToken(claims, options.key ?? contractKey(to.secret), options.header);
  announceSecret("token", token);
  return token;
}
