// An HS256 signer/verifier written apart from the services' code, so the tests check them against
// an independent implementation of the token contract, not against themselves.
import { createHash, createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

export function contractKey(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, new Uint8Array(0), "authbridge api access token v1", 32));
}

export const fingerprintOf = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 8);

/** `kid` names the secret's version; a lone BETTER_AUTH_SECRET is version 1. null leaves it out. */
export function hs256(claims: object, key: Buffer | string, kid: string | null = "1"): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${part({ alg: "HS256", typ: "JWT", ...(kid === null ? {} : { kid }) })}.${part(claims)}`;
  return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
}

export function signatureValid(token: string, key: Buffer): boolean {
  const [header, payload, signature] = token.split(".");
  const expected = createHmac("sha256", key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature ?? "", "base64url");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
