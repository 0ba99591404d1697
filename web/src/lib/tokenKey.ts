// The keys API tokens are signed with: one per secret version, each derived from its secret, never
// the secret itself, because Better Auth signs its own HS256 tokens (email verification, cookie
// cache) with the raw secret and the API must never accept those. The api derives the same bytes
// in its own module; a shared known-answer vector keeps the two in step without a shared import.
import { type KeyObject, createHash, createSecretKey, hkdfSync } from "node:crypto";
import type { SecretVersion } from "@authbridge/service-kit";
import type { SigningKey } from "./hs256";

/** The derivation's label (its own scheme version), the same for every secret version. */
export const TOKEN_KEY_INFO = "authbridge api access token v1";

export function tokenKeyBytes(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(secret, "utf8"), Buffer.alloc(0), TOKEN_KEY_INFO, 32));
}

/** First 8 hex of SHA-256 of the key: comparable across services in logs, useless to an attacker. */
export function keyFingerprint(keyBytes: Uint8Array): string {
  return createHash("sha256").update(keyBytes).digest("hex").slice(0, 8);
}

export interface TokenKey {
  key: KeyObject;
  fingerprint: string;
}

export function deriveTokenKey(secret: string): TokenKey {
  const bytes = tokenKeyBytes(secret);
  return { key: createSecretKey(bytes), fingerprint: keyFingerprint(bytes) };
}

/** The current secret's key, named by its version: the only key the web signs with. */
export function signingKey(secrets: readonly SecretVersion[]): SigningKey & { fingerprint: string } {
  const [current] = secrets;
  if (!current) throw new Error("no secret configured");
  return { kid: String(current.version), ...deriveTokenKey(current.value) };
}

/** `{ "<kid>": "<fingerprint>" }`: one per configured version, for the start-up line. */
export function keyFingerprints(secrets: readonly SecretVersion[]): Record<string, string> {
  return Object.fromEntries(secrets.map(({ version, value }) => [String(version), deriveTokenKey(value).fingerprint]));
}
