import "server-only";
import { getAuth } from "./auth";
import { configOrExit } from "./configOrExit";
import { getLogger } from "./logger";
import { keyFingerprints, signingKey } from "./tokenKey";

export function startUp(): void {
  // src/checkEnv.ts already refused a bad environment before the port opened; this keeps a bare
  // `node server.js` from serving with one.
  const config = configOrExit();
  // Builds Better Auth now, so a wrong option fails the start, not the first sign-in.
  getAuth();
  const signing = signingKey(config.secrets);
  getLogger().info(
    {
      accessTokenAlg: config.accessTokenAlg,
      // HS256: the key that signs (its kid and fingerprint) and one fingerprint per version that
      // verifies. EdDSA: Better Auth's keys, named by their kid in /api/auth/jwks.
      ...(config.accessTokenAlg === "HS256"
        ? { keyId: signing.kid, keyFingerprint: signing.fingerprint, keyFingerprints: keyFingerprints(config.secrets) }
        : { jwksRotationSeconds: config.jwksRotationSeconds, jwksGraceSeconds: config.jwksGraceSeconds }),
      issuer: config.issuer,
      audience: config.audience,
      tokenTtlSeconds: config.tokenTtlSeconds,
      rateLimit: config.production,
      trustedProxies: config.trustedProxies,
    },
    "web starting",
  );
}
