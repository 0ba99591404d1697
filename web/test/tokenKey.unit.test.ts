// The token contract's known-answer vector (computed with Python's cryptography); the api's own
// module is held to the same vector, so both derive the same key from the same secret.
import { TEST_VECTOR } from "@authbridge/testing/tokens";
import { deriveTokenKey, keyFingerprint, tokenKeyBytes } from "../src/lib/tokenKey";

const { secret: SECRET, keyHex: KEY_HEX, fingerprint: FINGERPRINT } = TEST_VECTOR;

test("HKDF-SHA256 of the secret gives the known key and fingerprint", () => {
  expect(tokenKeyBytes(SECRET).toString("hex")).toBe(KEY_HEX);
  expect(keyFingerprint(Buffer.from(KEY_HEX, "hex"))).toBe(FINGERPRINT);
  const derived = deriveTokenKey(SECRET);
  expect(derived.fingerprint).toBe(FINGERPRINT);
  expect(derived.key.export().toString("hex")).toBe(KEY_HEX);
});

test("the key is not the secret, and another secret gives another key", () => {
  expect(tokenKeyBytes(SECRET).equals(Buffer.from(SECRET))).toBe(false);
  expect(tokenKeyBytes(`${SECRET}x`).toString("hex")).not.toBe(KEY_HEX);
});
