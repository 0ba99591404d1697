// The token contract (docs/TOKENS.md) written apart from the services' code with node:crypto
// alone, so every suite and the bench hold the services to an independent implementation, not
// to themselves: the HKDF key, its fingerprint, the known-answer vectors, an HS256 signer and an
// Ed25519 one (ACCESS_TOKEN_ALG=EdDSA, with the kit's own key published in the web's JWKS).
import { KeyObject, createHash, createHmac, createPrivateKey, createPublicKey, hkdfSync, sign, timingSafeEqual } from "node:crypto";
import { announceSecret } from "./secrets";

const KEY_INFO = "authbridge api access token v1";

/** The contract's known-answer vector (computed with Python's cryptography). */
export const TEST_VECTOR = {
  secret: "authbridge-test-vector-secret-0123456789-abcdefgh",
  keyHex: "37da3c59377453e874b4c7b56b674e0d06642d533fcded5f6e703751d3d9a6d5",
  fingerprint: "46d07b43",
} as const;

/**
 * The algorithm this run's services sign and verify with. `make test` runs the token, revocation,
 * replicas and FastAPI suites a second time with ACCESS_TOKEN_ALG=EdDSA in their environment.
 */
export const TOKEN_ALG: "HS256" | "EdDSA" = (() => {
  const alg = process.env.ACCESS_TOKEN_ALG ?? "HS256";
  if (alg !== "HS256" && alg !== "EdDSA") throw new Error("ACCESS_TOKEN_ALG must be HS256 or EdDSA");
  return alg;
})();

/** An Ed25519 private key from its 32-byte seed (RFC 8032's form of a private key). */
export const ed25519FromSeed = (seedHex: string): KeyObject =>
  createPrivateKey({
    key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(seedHex, "hex")]),
    format: "der",
    type: "pkcs8",
  });

/**
 * The EdDSA known-answer vector (docs/TOKENS.md): RFC 8032's first test key, fixed claims, and the
 * token (Ed25519 is deterministic), computed with node:crypto and with Python's cryptography alike.
 */
export const ED25519_VECTOR = {
  seedHex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
  jwk: { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", kid: "vector-1", alg: "EdDSA" },
  claims: { sub: "user-vector", sid: "session-vector", iat: 1767225600, exp: 1767226500, iss: "http://localhost:3000", aud: "http://localhost:8000" },
  token:
    "eyJhbGciOiJFZERTQSIsImtpZCI6InZlY3Rvci0xIn0.eyJzdWIiOiJ1c2VyLXZlY3RvciIsInNpZCI6InNlc3Npb24tdmVjdG9yIiwiaWF0IjoxNzY3MjI1NjAwLCJleHAiOjE3NjcyMjY1MDAsImlzcyI6Imh0dHA6Ly9sb2NhbGhvc3Q6MzAwMCIsImF1ZCI6Imh0dHA6Ly9sb2NhbGhvc3Q6ODAwMCJ9.zrEpl2-ngua5aA060HMmG_wWXlqBJ6_wSYC4Wmoei84FITUTo0Al0NNvS4ljCnHotyZzBCoq7--Z01IWl05GDA",
} as const;

/**
 * The test kit's own Ed25519 key (RFC 8032's second test key). An EdDSA stack publishes its public
 * half in the web's JWKS (a row of the jwks table, older than the web's own key, so Better Auth
 * never signs with it), and the kit mints tokens with it that the api and any verifier accept.
 */
export const KIT_KEY = (() => {
  const privateKey = ed25519FromSeed("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
  const kid = "authbridge-test-kit";
  return {
    kid,
    privateKey,
    publicJwk: { ...(createPublicKey(privateKey).export({ format: "jwk" }) as { kty: string; crv: string; x: string }), kid, alg: "EdDSA" },
  };
})();

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

/** A compact JWS of `header` (null and undefined fields left out) and `claims`, signed by `signature`. */
function compact(claims: object, header: Record<string, unknown>, signature: (input: string) => string): Signed {
  const fullHeader = Object.fromEntries(Object.entries<unknown>(header).filter(([, value]) => value !== null && value !== undefined));
  const signingInput = `${base64url(fullHeader)}.${base64url(claims)}`;
  return { token: `${signingInput}.${signature(signingInput)}`, signingInput };
}

/**
 * A compact JWS. The header is `{ alg: "HS256", typ: "JWT", kid: "1" }` (a lone BETTER_AUTH_SECRET
 * is version 1) with `header` laid over it; a `kid` of null or undefined is left out, and so is an
 * undefined claim. Hostile tests may name HS384 or HS512: they are signed with that hash.
 */
export function signToken(claims: object, key: SigningKey, header: Record<string, unknown> = {}): Signed {
  const full: Record<string, unknown> = { alg: "HS256", typ: "JWT", kid: "1", ...header };
  const hash = HASH_OF[String(full.alg)];
  if (!hash) throw new Error(`signToken signs HS256, HS384 or HS512, not ${String(full.alg)}`);
  return compact(claims, full, (input) => createHmac(hash, key).update(input).digest("base64url"));
}

/**
 * An Ed25519 compact JWS as Better Auth's jwt plugin signs one: header `{ alg: "EdDSA", kid }`
 * (the kit's key by default) with `header` laid over it, null and undefined left out.
 */
export function signEdDSA(claims: object, key: KeyObject = KIT_KEY.privateKey, header: Record<string, unknown> = {}): Signed {
  return compact(claims, { alg: "EdDSA", kid: KIT_KEY.kid, ...header }, (input) => sign(null, Buffer.from(input), key).toString("base64url"));
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

/**
 * A token as the web issues it in this run's mode (or with claims, header or key overridden, for
 * hostile tests): HS256 with the secret's contract key, or EdDSA with the kit's key (KIT_KEY).
 */
export function mint(to: Minting, holder: Holder, options: MintOptions = {}): string {
  const claims = { ...contractClaims(to, holder, options.ttlSeconds), ...options.claims };
  // In EdDSA mode a private key (the kit's by default) signs EdDSA; any other key is an HS256 forgery.
  const { key } = options;
  const ed25519 =
    TOKEN_ALG === "EdDSA"
      ? key === undefined
        ? KIT_KEY.privateKey
        : key instanceof KeyObject && key.type === "private"
          ? key
          : undefined
      : undefined;
  const { token } = ed25519 ? signEdDSA(claims, ed25519, options.header) : signToken(claims, key ?? contractKey(to.secret), options.header);
  announceSecret("token", token);
  return token;
}
