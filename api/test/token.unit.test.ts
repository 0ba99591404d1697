// The token key (HKDF, known-answer vector) and the verifier's cache, without HTTP.
import { KeyObject, webcrypto } from "node:crypto";
import jwt from "jsonwebtoken";
import { TOKEN_KEY_INFO, deriveTokenKey, deriveTokenKeyBytes, deriveTokenKeys } from "../src/auth/tokenKey";
import { createTokenVerifier } from "../src/auth/tokenVerifier";
import { API_ORIGIN, VECTOR_FINGERPRINT, VECTOR_KEY_HEX, VECTOR_SECRET, WEB_ORIGIN, claimsFor, tokenFor, tokenWithVectorKey } from "./helpers";

describe("token key", () => {
  test("matches the contract's known-answer vector", () => {
    expect(deriveTokenKeyBytes(VECTOR_SECRET).toString("hex")).toBe(VECTOR_KEY_HEX);
    expect(deriveTokenKey(VECTOR_SECRET).fingerprint).toBe(VECTOR_FINGERPRINT);
  });

  test("an independent WebCrypto HKDF gives the same key", async () => {
    const ikm = await webcrypto.subtle.importKey("raw", new TextEncoder().encode(VECTOR_SECRET), "HKDF", false, ["deriveBits"]);
    const bits = await webcrypto.subtle.deriveBits(
      { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new TextEncoder().encode("authbridge api access token v1") },
      ikm,
      256,
    );
    expect(Buffer.from(bits).toString("hex")).toBe(VECTOR_KEY_HEX);
    expect(TOKEN_KEY_INFO).toBe("authbridge api access token v1");
  });

  test("is a secret KeyObject of 32 bytes, and differs from the raw secret", () => {
    const { key } = deriveTokenKey(VECTOR_SECRET);
    expect(key).toBeInstanceOf(KeyObject);
    expect(key.type).toBe("secret");
    expect(key.symmetricKeySize).toBe(32);
    expect(key.export().equals(Buffer.from(VECTOR_SECRET))).toBe(false);
  });
});

describe("verifier", () => {
  const keys = deriveTokenKeys([{ version: 1, value: VECTOR_SECRET }]);
  const make = (now: () => number, cacheSize = 4) =>
    createTokenVerifier({ keys, issuer: WEB_ORIGIN, audience: API_ORIGIN, clockToleranceSeconds: 5, ttlSeconds: 900, cacheSize, now });

  test("accepts a token minted from the contract alone (its known-answer key)", () => {
    const token = tokenWithVectorKey("user-contract");
    const result = make(Date.now).verify(token);
    expect(result).toMatchObject({ ok: true, claims: { sub: "user-contract", iss: WEB_ORIGIN, aud: API_ORIGIN } });
  });

  test("a repeated token is a cache hit; failures are never cached", () => {
    const verifier = make(Date.now);
    const token = tokenFor("u1");
    expect(verifier.verify(token).ok).toBe(true);
    expect(verifier.verify(token).ok).toBe(true);
    const bad = tokenFor("u1", {}, "another-secret-another-secret-another-secret");
    expect(verifier.verify(bad).ok).toBe(false);
    expect(verifier.verify(bad).ok).toBe(false);
    expect(verifier.cacheStats()).toEqual({ hits: 1, misses: 3, size: 1, max: 4 });
  });

  test("a cached token is not accepted at or after its exp", () => {
    let now = Date.now();
    const verifier = make(() => now);
    const exp = Math.floor(now / 1000) + 60;
    const token = jwt.sign(claimsFor("u1", { exp }), deriveTokenKeyBytes(VECTOR_SECRET), { algorithm: "HS256" });
    expect(verifier.verify(token).ok).toBe(true);
    expect(verifier.verify(token).ok).toBe(true);
    expect(verifier.cacheStats().hits).toBe(1);
    // At exp the clock tolerance still accepts it, but only through a full verification.
    now = exp * 1000;
    expect(verifier.verify(token).ok).toBe(true);
    expect(verifier.cacheStats().hits).toBe(1);
    now = exp * 1000 + 6000;
    expect(verifier.verify(token)).toMatchObject({ ok: false, description: "token expired" });
    expect(verifier.cacheStats().hits).toBe(1);
  });

  test("the cache holds at most its size, oldest out first", () => {
    const verifier = make(Date.now, 4);
    const tokens = Array.from({ length: 10 }, (_, i) => tokenFor(`u${i}`));
    for (const token of tokens) verifier.verify(token);
    expect(verifier.cacheStats().size).toBe(4);
    verifier.verify(tokens[9] ?? "");
    verifier.verify(tokens[0] ?? "");
    expect(verifier.cacheStats()).toMatchObject({ hits: 1, misses: 11 });
  });

  test("size 0 turns the cache off", () => {
    const verifier = make(Date.now, 0);
    const token = tokenFor("u1");
    verifier.verify(token);
    verifier.verify(token);
    expect(verifier.cacheStats()).toMatchObject({ hits: 0, misses: 2, size: 0 });
  });
});

describe("key selection by kid", () => {
  const OLD = VECTOR_SECRET;
  const NEW = "authbridge-test-rotated-secret-9876543210-zyxwvu";
  const verifierFor = (secrets: { version: number; value: string }[]) =>
    createTokenVerifier({
      keys: deriveTokenKeys(secrets),
      issuer: WEB_ORIGIN,
      audience: API_ORIGIN,
      clockToleranceSeconds: 5,
      ttlSeconds: 900,
      cacheSize: 0,
    });
  const both = verifierFor([
    { version: 2, value: NEW },
    { version: 1, value: OLD },
  ]);

  test("with two versions, each verifies the tokens its kid names", () => {
    expect(both.verify(tokenFor("u-new", {}, NEW, "2"))).toMatchObject({ ok: true, claims: { sub: "u-new" } });
    expect(both.verify(tokenFor("u-old", {}, OLD, "1"))).toMatchObject({ ok: true, claims: { sub: "u-old" } });
  });

  test("a kid naming the other version's key is refused: keys are never tried in turn", () => {
    expect(both.verify(tokenFor("u1", {}, OLD, "2"))).toMatchObject({ ok: false, reason: "invalid signature" });
    expect(both.verify(tokenFor("u1", {}, NEW, "1"))).toMatchObject({ ok: false, reason: "invalid signature" });
  });

  test("with two versions, a token without kid is refused even when its key is configured", () => {
    expect(both.verify(tokenFor("u1", {}, NEW, null))).toMatchObject({ ok: false, reason: "kid missing and several keys configured" });
    expect(both.verify(tokenFor("u1", {}, OLD, null))).toMatchObject({ ok: false, reason: "kid missing and several keys configured" });
  });

  test("an unknown kid, a retired kid and a kid that is not a string are refused", () => {
    expect(both.verify(tokenFor("u1", {}, NEW, "3"))).toMatchObject({ ok: false, reason: "kid names no configured key" });
    const retired = verifierFor([{ version: 2, value: NEW }]);
    expect(retired.verify(tokenFor("u1", {}, OLD, "1"))).toMatchObject({ ok: false, reason: "kid names no configured key" });
    const numericKid = jwt.sign(claimsFor("u1"), deriveTokenKeyBytes(NEW), {
      algorithm: "HS256",
      header: { alg: "HS256", kid: 2 } as unknown as jwt.JwtHeader,
    });
    expect(both.verify(numericKid)).toMatchObject({ ok: false, reason: "kid names no configured key" });
    // Own properties only: a kid such as "__proto__" or "constructor" names nothing.
    expect(both.verify(tokenFor("u1", {}, NEW, "constructor"))).toMatchObject({ ok: false, reason: "kid names no configured key" });
  });

  test("with one version, a token without kid (signed before tokens carried one) is accepted; a wrong kid is not", () => {
    const single = verifierFor([{ version: 1, value: OLD }]);
    expect(single.verify(tokenFor("u1", {}, OLD, null))).toMatchObject({ ok: true });
    expect(single.verify(tokenFor("u1", {}, OLD, "1"))).toMatchObject({ ok: true });
    expect(single.verify(tokenFor("u1", {}, OLD, "2"))).toMatchObject({ ok: false, reason: "kid names no configured key" });
    expect(single.verify(tokenFor("u1", {}, NEW, null))).toMatchObject({ ok: false, reason: "invalid signature" });
  });

  test("a header that is not JSON is a malformed token", () => {
    const token = tokenFor("u1", {}, NEW, "2");
    const forged = `${Buffer.from("{not json").toString("base64url")}${token.slice(token.indexOf("."))}`;
    expect(both.verify(forged)).toMatchObject({ ok: false, description: "malformed token" });
  });
});
