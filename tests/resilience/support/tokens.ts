// An independent verifier (jose) as the oracle for hostile tokens (the test kit's minter makes
// them): a mistake the api and the minter shared could not hide from it.
import { type Minting, contractKey } from "@authbridge/testing/tokens";
import { jwtVerify } from "jose";

export interface Audience extends Minting {
  /** The api's JWT_CLOCK_TOLERANCE_SECONDS. */
  clockToleranceSeconds: number;
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
