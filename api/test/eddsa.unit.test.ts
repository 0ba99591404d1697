// The EdDSA side of the verifier without HTTP: the known-answer vector, algorithm pinning in both
// directions, the cache, and which JWKS entries become keys. The fetching itself (over real HTTP)
// is api/test/jwks.test.ts.
import { type KeyObject, createPublicKey } from "node:crypto";
import { ED25519_VECTOR, KIT_KEY, ed25519FromSeed, signEdDSA, signToken } from "@authbridge/testing/tokens";
import type { JwksKeySource, KidLookup } from "../src/auth/jwks";
import { parseJwks } from "../src/auth/jwks";
import { deriveTokenKeys } from "../src/auth/tokenKey";
import { createTokenVerifier } from "../src/auth/tokenVerifier";
import { API_ORIGIN, VECTOR_SECRET, WEB_ORIGIN, claimsFor, tokenFor } from "./helpers";

/** A key source of fixed keys that never fetches: what the JWKS source is once it holds them. */
function fixedKeys(keys: Record<string, KeyObject>): JwksKeySource & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    lookup: (kid): KidLookup => {
      lookups.push(kid);
      const key = keys[kid];
      return key ? { key } : { missing: true };
    },
    ready: () => Promise.resolve(),
    state: () => ({ keys: Object.keys(keys).length }),
    pause: () => undefined,
    resume: () => undefined,
    stop: () => undefined,
  };
}

const common = { issuer: WEB_ORIGIN, audience: API_ORIGIN, clockToleranceSeconds: 5, ttlSeconds: 900, cacheSize: 4 };
const kitPublic = createPublicKey(KIT_KEY.privateKey);
const eddsaVerifier = (now: () => number = Date.now) => createTokenVerifier({ ...common, jwks: fixedKeys({ [KIT_KEY.kid]: kitPublic }), now });
const hs256Verifier = () => createTokenVerifier({ ...common, keys: deriveTokenKeys([{ version: 1, value: VECTOR_SECRET }]) });

describe("the EdDSA known-answer vector", () => {
  test("the vector's key and token are RFC 8032's key 1 and the documented token; the verifier accepts it at its iat", () => {
    const publicKey = createPublicKey(ed25519FromSeed(ED25519_VECTOR.seedHex));
    expect(publicKey.export({ format: "jwk" })).toMatchObject({ kty: "OKP", crv: "Ed25519", x: ED25519_VECTOR.jwk.x });
    expect(signEdDSA(ED25519_VECTOR.claims, ed25519FromSeed(ED25519_VECTOR.seedHex), { kid: ED25519_VECTOR.jwk.kid }).token).toBe(
      ED25519_VECTOR.token,
    );
    const verifier = createTokenVerifier({
      ...common,
      jwks: fixedKeys({ [ED25519_VECTOR.jwk.kid]: publicKey }),
      now: () => ED25519_VECTOR.claims.iat * 1000,
    });
    expect(verifier.verify(ED25519_VECTOR.token)).toEqual({ ok: true, claims: ED25519_VECTOR.claims });
  });
});

describe("algorithm pinning", () => {
  test("EdDSA mode refuses HS256 tokens, also one keyed with the public key's bytes, and never looks a key up for them", () => {
    const source = fixedKeys({ [KIT_KEY.kid]: kitPublic });
    const verifier = createTokenVerifier({ ...common, jwks: source });
    expect(verifier.verify(signEdDSA(claimsFor("u1")).token)).toMatchObject({ ok: true });
    const lookups = source.lookups.length;
    expect(verifier.verify(tokenFor("u1"))).toMatchObject({ ok: false, reason: "alg is not EdDSA" });
    const rawPublic = Buffer.from(KIT_KEY.publicJwk.x, "base64url");
    const confused = signToken(claimsFor("u1"), rawPublic, { kid: KIT_KEY.kid }).token;
    expect(verifier.verify(confused)).toMatchObject({ ok: false, reason: "alg is not EdDSA" });
    expect(source.lookups.length).toBe(lookups);
  });

  test("HS256 mode refuses EdDSA tokens, whatever their kid", () => {
    const verifier = hs256Verifier();
    expect(verifier.verify(tokenFor("u1"))).toMatchObject({ ok: true });
    expect(verifier.verify(signEdDSA(claimsFor("u1")).token)).toMatchObject({ ok: false });
    expect(verifier.verify(signEdDSA(claimsFor("u1"), KIT_KEY.privateKey, { kid: "1" }).token)).toMatchObject({
      ok: false,
      reason: "invalid algorithm",
    });
  });
});

describe("the EdDSA verifier", () => {
  test("a repeated token is a cache hit; a failure is not cached", () => {
    const verifier = eddsaVerifier();
    const token = signEdDSA(claimsFor("u1")).token;
    expect(verifier.verify(token).ok).toBe(true);
    expect(verifier.verify(token).ok).toBe(true);
    const other = signEdDSA(claimsFor("u1"), ed25519FromSeed("11".repeat(32))).token;
    expect(verifier.verify(other)).toMatchObject({ ok: false, reason: "invalid signature" });
    expect(verifier.cacheStats()).toMatchObject({ hits: 1, misses: 2, size: 1 });
  });

  test("exp and nbf with the clock tolerance, as for HS256", () => {
    const nowMs = Date.now();
    const verifier = eddsaVerifier(() => nowMs);
    const s = Math.floor(nowMs / 1000);
    expect(verifier.verify(signEdDSA(claimsFor("u1", { exp: s - 4 })).token)).toMatchObject({ ok: true });
    expect(verifier.verify(signEdDSA(claimsFor("u1", { exp: s - 5 })).token)).toMatchObject({ ok: false, description: "token expired" });
    expect(verifier.verify(signEdDSA(claimsFor("u1", { nbf: s + 5 })).token)).toMatchObject({ ok: true });
    expect(verifier.verify(signEdDSA(claimsFor("u1", { nbf: s + 6 })).token)).toMatchObject({ ok: false, description: "token not yet valid" });
  });

  test("an unknown kid is refused without a retry when the source has nothing to fetch", () => {
    const result = eddsaVerifier().verify(signEdDSA(claimsFor("u1"), KIT_KEY.privateKey, { kid: "other" }).token);
    expect(result).toMatchObject({ ok: false, reason: "kid names no key of the JWKS" });
    expect(result).not.toHaveProperty("retry");
  });
});

describe("parseJwks: which entries become keys", () => {
  const x = KIT_KEY.publicJwk.x;
  test.each([
    ["an Ed25519 signing key", { kty: "OKP", crv: "Ed25519", x, kid: "a", alg: "EdDSA" }, true],
    ["one without alg or use", { kty: "OKP", crv: "Ed25519", x, kid: "a" }, true],
    ["use enc", { kty: "OKP", crv: "Ed25519", x, kid: "a", use: "enc" }, false],
    ["alg other than EdDSA", { kty: "OKP", crv: "Ed25519", x, kid: "a", alg: "RS256" }, false],
    ["Ed448", { kty: "OKP", crv: "Ed448", x, kid: "a" }, false],
    ["a private part", { kty: "OKP", crv: "Ed25519", x, kid: "a", d: x }, false],
    ["no kid", { kty: "OKP", crv: "Ed25519", x }, false],
    ["x not a key", { kty: "OKP", crv: "Ed25519", x: "AAAA", kid: "a" }, false],
    ["an RSA key", { kty: "RSA", n: "AQAB", e: "AQAB", kid: "a" }, false],
  ])("%s: %s", (_label, jwk, taken) => {
    expect(parseJwks({ keys: [jwk, "not an object"] }).has("a")).toBe(taken);
  });

  test("a document without a keys array is not a JWKS", () => {
    for (const body of [null, {}, { keys: "x" }, []]) expect(() => parseJwks(body)).toThrow("not a JWKS");
  });
});
