// The token contract's known-answer vector (computed with Python's cryptography); the api's own
// module is held to the same vector, so both derive the same key from the same secret.
import { deriveTokenKey, keyFingerprint, tokenKeyBytes } from "../src/lib/tokenKey";

const SECRET = "authbridge-test-vector-secret-0123456789-abcdefgh";
const KEY_HEX = "37da3c59377453e874b4c7b56b674e0d06642d533fcded5f6e703751d3d9a6d5";

test("HKDF-SHA256 of the secret gives the known key and fingerprint", () => {
  expect(tokenKeyBytes(SECRET).toString("hex")).toBe(KEY_HEX);
  expect(keyFingerprint(Buffer.from(KEY_HEX, "hex"))).toBe("46d07b43");
  const derived = deriveTokenKey(SECRET);
  expect(derived.fingerprint).toBe("46d07b43");
  expect(derived.key.export().toString("hex")).toBe(KEY_HEX);
});

test("the key is not the secret, and another secret gives another key", () => {
  expect(tokenKeyBytes(SECRET).equals(Buffer.from(SECRET))).toBe(false);
  expect(tokenKeyBytes(`${SECRET}x`).toString("hex")).not.toBe(KEY_HEX);
});
