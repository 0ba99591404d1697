// Access tokens minted by the test kit's independent minter (the token contract alone, none of
// the api's code), so a verifier that drifted from the contract fails the benchmark.
import { type Holder, type Parties, type Signed, contractClaims, contractKey, signToken } from "@authbridge/testing/tokens";
import { type KeyObject, createSecretKey, randomBytes } from "node:crypto";

// The benchmark's api gets one BETTER_AUTH_SECRET, which is version 1: tokens name it in `kid`.
export const KID = "1";
/** Longer than any run, so no token expires mid-case and turns into 401s; the api is told so (JWT_TTL_SECONDS). */
export const TOKEN_TTL_SECONDS = 6 * 3600;

/** The contract's key as the KeyObject the api's verifier takes. */
export function contractKeyObject(secret: string): KeyObject {
  return createSecretKey(contractKey(secret));
}

/** A fresh BETTER_AUTH_SECRET for one run: the benchmark never reads the developer's .env. */
export function throwAwaySecret(): string {
  return randomBytes(32).toString("base64url");
}

export function mintToken(key: KeyObject, parties: Parties, holder: Holder, ttlSeconds: number): Signed {
  return signToken(contractClaims(parties, holder, ttlSeconds), key, { kid: KID });
}
