// Access tokens minted from the token contract alone (docs/TOKENS.md), with node:crypto
// and none of the api's code, so a verifier that drifted from the contract fails the benchmark.
import { type KeyObject, createHmac, createSecretKey, hkdfSync, randomBytes } from "node:crypto";

const KEY_INFO = "authbridge api access token v1";
// The benchmark's api gets one BETTER_AUTH_SECRET, which is version 1: tokens name it in `kid`.
export const KID = "1";

export function contractKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync("sha256", Buffer.from(secret, "utf8"), Buffer.alloc(0), KEY_INFO, 32)));
}

/** A fresh BETTER_AUTH_SECRET for one run: the benchmark never reads the developer's .env. */
export function throwAwaySecret(): string {
  return randomBytes(32).toString("base64url");
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

export interface Minted {
  token: string;
  /** `header.payload`: the bytes the signature covers (the HMAC floor of the verify case). */
  signingInput: string;
}

export function mintToken(key: KeyObject, claims: { sub: string; sid: string; iss: string; aud: string; ttlSeconds: number }): Minted {
  const iat = Math.floor(Date.now() / 1000);
  const signingInput = `${base64url({ alg: "HS256", typ: "JWT", kid: KID })}.${base64url({
    sub: claims.sub,
    sid: claims.sid,
    iat,
    exp: iat + claims.ttlSeconds,
    iss: claims.iss,
    aud: claims.aud,
  })}`;
  const signature = createHmac("sha256", key).update(signingInput).digest("base64url");
  return { token: `${signingInput}.${signature}`, signingInput };
}
