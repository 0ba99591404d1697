// The API token key: derived from BETTER_AUTH_SECRET, never the secret itself, because Better Auth
// signs its own HS256 tokens (email verification, cookie cache) with the raw secret.
import { type KeyObject, createHash, createSecretKey, hkdfSync } from "node:crypto";

export const TOKEN_KEY_INFO = "authbridge api access token v1";

export interface TokenKey {
  /** Built once: jsonwebtoken given raw bytes re-parses them on every verify (~50x slower). */
  key: KeyObject;
  /** First 8 hex of SHA-256(key bytes): lets operators compare web and api without seeing the key. */
  fingerprint: string;
}

export function deriveTokenKeyBytes(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(secret, "utf8"), Buffer.alloc(0), TOKEN_KEY_INFO, 32));
}

export function deriveTokenKey(secret: string): TokenKey {
  const bytes = deriveTokenKeyBytes(secret);
  return {
    key: createSecretKey(bytes),
    fingerprint: createHash("sha256").update(bytes).digest("hex").slice(0, 8),
  };
}
