// The API token keys: one per secret version, each derived from its secret, never the secret itself,
// because Better Auth signs its own HS256 tokens (email verification, cookie cache) with the raw
// secret. Every version uses the same derivation; the token's `kid` header names the version.
import { type KeyObject, createHash, createSecretKey, hkdfSync } from "node:crypto";

/** The derivation's label (its own scheme version), the same for every secret version. */
export const TOKEN_KEY_INFO = "authbridge api access token v1";

export interface TokenKey {
  /** Built once: jsonwebtoken given raw bytes re-parses them on every verify (~50x slower). */
  key: KeyObject;
  /** First 8 hex of SHA-256(key bytes): lets operators compare web and api without seeing the key. */
  fingerprint: string;
}

/** The verifying keys by `kid` (the secret's version as a decimal string), the current one first. */
export type TokenKeys = ReadonlyMap<string, TokenKey>;

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

export function deriveTokenKeys(secrets: readonly { version: number; value: string }[]): TokenKeys {
  return new Map(secrets.map(({ version, value }) => [String(version), deriveTokenKey(value)]));
}

/** `{ "<kid>": "<fingerprint>" }` for the start-up line: one fingerprint per version. */
export function fingerprints(keys: TokenKeys): Record<string, string> {
  return Object.fromEntries([...keys].map(([kid, { fingerprint }]) => [kid, fingerprint]));
}
