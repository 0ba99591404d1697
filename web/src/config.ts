// The web's whole environment, validated once. The only module that reads process.env.
// Native runs get the root .env from scripts/serve.sh; containers get it from Compose's env_file.
import "server-only";
import {
  type AccessTokenAlg,
  ConfigError,
  InvalidValue,
  type LogLevel,
  type SecretVersion,
  httpUrl,
  integer,
  readEnvironment,
  secretList,
  tlsDatabaseUrl,
  secureHttpUrl,
} from "@authbridge/service-kit";
import { makeValidator } from "envalid";
import { invalidProxyEntries } from "./lib/clientAddress";

export interface Config {
  /** ACCESS_TOKEN_ALG: HS256 (signed here with the HKDF key) or EdDSA (Better Auth's own keys, published at /api/auth/jwks). */
  accessTokenAlg: AccessTokenAlg;
  /** EdDSA: a new signing key every `rotationSeconds` (0: never); a retired key stays published `graceSeconds`. */
  jwks: { rotationSeconds: number; graceSeconds: number };
  /** Every configured secret, the current one (which signs) first; every one verifies. */
  secrets: SecretVersion[];
  /** BETTER_AUTH_URL: where the browser reaches this app (Better Auth's baseURL). */
  baseUrl: string;
  /** Origin of BETTER_AUTH_URL: the API token's `iss`. */
  issuer: string;
  /** Origin of API_URL: the API token's `aud`. */
  audience: string;
  /** API_URL without a trailing slash: handed to the browser at request time. */
  apiUrl: string;
  /** WEB_DATABASE_URL: the web's own role (never the owner's DATABASE_URL, which only the migrator reads). */
  databaseUrl: string;
  dbConnectTimeoutMs: number;
  dbQueryTimeoutMs: number;
  dbPoolMax: number;
  tokenTtlSeconds: number;
  /** TRUSTED_PROXIES: the reverse proxies (IPs, CIDR ranges) whose X-Forwarded-For entries count. */
  trustedProxies: readonly string[];
  logLevel: LogLevel;
  /** IDLE_AFTER_SECONDS in ms (0: never idle): how long without a user request before health stops querying. */
  idleAfterMs: number;
  production: boolean;
}

const proxyList = makeValidator((input): readonly string[] => {
  const entries = input
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (invalidProxyEntries(entries).length > 0) throw new InvalidValue("must be a comma-separated list of IP addresses or CIDR ranges");
  return entries;
});

function load(): Config {
  // Read at run time as a whole: Next inlines a literal `process.env.NODE_ENV` at build time.
  const source = process.env;
  const production = source.NODE_ENV === "production";
  // The shared variables (secrets, DB_*, LOG_LEVEL, JWT_TTL_SECONDS) come with readEnvironment's rules.
  const clean = readEnvironment("web", source, {
    // Production serves over TLS (Secure, __Secure- prefixed cookies, HSTS); plain http only on a
    // loopback host, where the browser is on the same machine (make up, the tests).
    BETTER_AUTH_URL: production ? secureHttpUrl() : httpUrl(),
    API_URL: httpUrl(),
    WEB_DATABASE_URL: tlsDatabaseUrl(),
    TRUSTED_PROXIES: proxyList({ default: [] }),
    JWKS_ROTATION_SECONDS: integer(0, 31_536_000)({ default: 2_592_000 }),
    JWKS_GRACE_SECONDS: integer(0, 31_536_000)({ default: 86_400 }),
  });
  // A retired key must stay published while the last token it signed may still be presented
  // (its lifetime plus the largest clock tolerance the api allows, 300 s).
  if (clean.ACCESS_TOKEN_ALG === "EdDSA" && clean.JWKS_GRACE_SECONDS < clean.JWT_TTL_SECONDS + 300) {
    throw new ConfigError(
      "web: refusing to start: JWKS_GRACE_SECONDS must be at least JWT_TTL_SECONDS + 300 (a retired key must outlive its tokens)",
    );
  }
  return {
    accessTokenAlg: clean.ACCESS_TOKEN_ALG,
    jwks: { rotationSeconds: clean.JWKS_ROTATION_SECONDS, graceSeconds: clean.JWKS_GRACE_SECONDS },
    secrets: secretList(clean.BETTER_AUTH_SECRETS, clean.BETTER_AUTH_SECRET),
    baseUrl: clean.BETTER_AUTH_URL,
    issuer: new URL(clean.BETTER_AUTH_URL).origin,
    audience: new URL(clean.API_URL).origin,
    apiUrl: clean.API_URL,
    databaseUrl: clean.WEB_DATABASE_URL,
    dbConnectTimeoutMs: clean.DB_CONNECT_TIMEOUT_MS,
    dbQueryTimeoutMs: clean.DB_QUERY_TIMEOUT_MS,
    dbPoolMax: clean.DB_POOL_MAX,
    tokenTtlSeconds: clean.JWT_TTL_SECONDS,
    trustedProxies: clean.TRUSTED_PROXIES,
    logLevel: clean.LOG_LEVEL,
    idleAfterMs: clean.IDLE_AFTER_SECONDS * 1000,
    production,
  };
}

let config: Config | undefined;

/**
 * Read on first use, not at import: `next build` imports every route while the image is built,
 * where no secret exists (and must not).
 */
export function getConfig(): Config {
  config ??= load();
  return config;
}
