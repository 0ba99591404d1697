// Compact JWS with HS256: Better Auth's jwt plugin signs only with asymmetric keys, so its custom
// `sign` hook hands the finished claims (iat, exp, iss, aud, sub) to this function.
import { type KeyObject, createHmac } from "node:crypto";

const base64url = (value: object) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

/** A key and the `kid` that names it (the secret's version): the api picks its key by that `kid`. */
export interface SigningKey {
  kid: string;
  key: KeyObject;
}

export function signHs256(payload: object, signing: SigningKey, header: { typ?: string; cty?: string } = {}): string {
  const signingInput = `${base64url({ ...header, alg: "HS256", typ: header.typ ?? "JWT", kid: signing.kid })}.${base64url(payload)}`;
  return `${signingInput}.${createHmac("sha256", signing.key).update(signingInput).digest("base64url")}`;
}
