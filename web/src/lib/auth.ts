// The one Better Auth instance: email + password sign-up/sign-in, sessions in PostgreSQL, and the
// short-lived access token the API trusts (GET /api/auth/token): HS256 or EdDSA (ACCESS_TOKEN_ALG).
import "server-only";
import { SINGLE_SECRET_VERSION } from "@authbridge/service-kit";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { nextCookies } from "better-auth/next-js";
import { jwt } from "better-auth/plugins";
import { getConfig } from "../config";
import { accountPolicy } from "./accountPolicy";
import { getPrisma } from "./db";
import { signHs256 } from "./hs256";
import { FORWARDED_FOR } from "./socketPeer";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./password";
import { cookieSettings } from "./sessionCookies";
import { signInThrottle } from "./signInThrottle";
import { signingKey } from "./tokenKey";

function createAuth() {
  const config = getConfig();
  const signing = signingKey(config.secrets);
  const cookies = cookieSettings(config);
  return betterAuth({
    appName: "authbridge",
    baseURL: cookies.baseURL,
    // The first version is current: it signs session cookies, which Better Auth checks with it
    // alone (sessionCookies.ts re-signs the older ones). Version 1 is the lone secret of before
    // versioning: Better Auth decrypts its bare (unversioned) ciphertexts with `secret`.
    secrets: config.secrets,
    secret: config.secrets.find((s) => s.version === SINGLE_SECRET_VERSION)?.value,
    database: prismaAdapter(getPrisma(), { provider: "postgresql" }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: MAX_PASSWORD_LENGTH,
    },
    // Better Auth's own limits (sign-in/sign-up: 3 per 10 s per client address), counted in the database
    // (rate_limit table), so every web replica enforces the same quota.
    rateLimit: { enabled: config.production, storage: "database" },
    advanced: {
      ...cookies.advanced,
      // The auth route hands Better Auth one address in this header: the client as resolved from
      // the socket peer and TRUSTED_PROXIES (lib/clientRequest.ts). A single value is all Better
      // Auth accepts here without its own trustedProxies list.
      ipAddress: { ipAddressHeaders: [FORWARDED_FOR] },
    },
    telemetry: { enabled: false },
    plugins: [
      // Common passwords, and the length of name and image, refused before anything is stored.
      accountPolicy(),
      // Failed sign-ins per account (the rate limit above counts per client address).
      signInThrottle(),
      jwt({
        jwt: {
          issuer: config.issuer,
          audience: config.audience,
          expirationTime: `${config.tokenTtlSeconds}s`,
          // sub (the user id) is added by the plugin; nothing personal such as the email goes in.
          // sid is the session's row id (never its token, a bearer secret): the api refuses the
          // token once that session ends.
          definePayload: ({ session }) => ({ sid: session.id }),
          ...(config.accessTokenAlg === "HS256" ? { sign: (payload: object, header?: { typ?: string }) => signHs256(payload, signing, header) } : {}),
        },
        jwks:
          config.accessTokenAlg === "HS256"
            ? {
                // The plugin requires a remote JWKS URL whenever it does not sign itself, and then turns its
                // own /jwks endpoint off (404). An HS256 key is symmetric: there is nothing public to
                // publish, so this URL is only the placeholder the plugin's metadata asks for.
                remoteUrl: `${config.baseUrl}/api/auth/jwks`,
                keyPairConfig: { alg: "EdDSA" },
              }
            : {
                // EdDSA: the plugin signs with its own Ed25519 keys (the jwks table, private keys
                // encrypted with the current secret) and publishes the public ones at /api/auth/jwks.
                keyPairConfig: { alg: "EdDSA", crv: "Ed25519" },
                // A signing key expires after this; the next token is signed with a fresh key, and the
                // old one stays in the JWKS for the grace period, so its tokens verify until they expire.
                ...(config.jwksRotationSeconds > 0 ? { rotationInterval: config.jwksRotationSeconds } : {}),
                gracePeriod: config.jwksGraceSeconds,
              },
        // Otherwise every get-session call signs a token nobody asked for (and puts it in a header).
        disableSettingJwtHeader: true,
      }),
      // Last, so cookies set by server actions reach the browser.
      nextCookies(),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;

let auth: Auth | undefined;

/** Built on first use: see getConfig() for why nothing runs at import. */
export function getAuth(): Auth {
  auth ??= createAuth();
  return auth;
}
