// API access tokens for the resilience suites, signed by the test kit's independent minter, and
// an independent verifier (jose) as the oracle for hostile input: a shared mistake cannot hide.
import { type Holder, type Parties, type SigningKey, contractClaims, contractKey, signToken } from "@authbridge/testing/contract";
import { jwtVerify } from "jose";
import { rememberSecret } from "./record";

export interface Audience extends Parties {
  secret: string;
  /** The api's JWT_CLOCK_TOLERANCE_SECONDS. */
  clockToleranceSeconds: number;
}

/** A token exactly as the web issues it (or with `claims` / `header` overridden, for hostile tests). */
export function mint(
  to: Audience,
  holder: Holder,
  options: { claims?: Record<string, unknown>; header?: Record<string, unknown>; key?: SigningKey; alg?: string; ttlSeconds?: number } = {},
): string {
  const claims = { ...contractClaims(to, holder, options.ttlSeconds), ...options.claims };
  const { token } = signToken(claims, options.key ?? contractKey(to.secret), { alg: options.alg ?? "HS256", ...options.header });
  rememberSecret("token", token);
  return token;
}

/** The oracle for hostile tests: would an independent verifier accept this token, and for whom? */
export async function acceptedSubject(to: Audience, token: string): Promise<string | null> {
  try {
    const { payload } = await jwtVerify(token, contractKey(to.secret), {
      algorithms: ["HS256"],
      issuer: to.issuer,
      audience: to.audience,
      requiredClaims: ["exp", "sub", "sid"],
      clockTolerance: to.clockToleranceSeconds,
    });
    return typeof payload.sub === "string" ? payload.sub : null;
  } catch {
    return null;
  }
}
