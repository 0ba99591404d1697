// The api's whole environment, validated once. The only module that reads process.env.
// Each variable is written once, beside its config field; the Config type is derived from them.
import { ConfigError, httpUrl, integer, origin, readEnvironment, tlsDatabaseUrl } from "@authbridge/service-kit";
import { availableCpus } from "./cpus";

export const WORKERS_MAX = 64;

export function loadConfig(source: NodeJS.ProcessEnv = process.env) {
  // The shared variables (secrets, DB_*, LOG_LEVEL, IDLE_AFTER_SECONDS, JWT_TTL_SECONDS) come with readEnvironment's rules.
  const { directUrl, requestedWorkers, jwksUrl, jwksCooldownSeconds, jwksMaxAgeSeconds, ...config } = readEnvironment(
    "api",
    source,
    {
      /** Origin of BETTER_AUTH_URL: the token issuer and the only CORS origin. */
      webOrigin: ["BETTER_AUTH_URL", origin()],
      /** Origin of API_URL: the token audience. */
      apiOrigin: ["API_URL", origin()],
      port: ["API_PORT", integer(1, 65535)({ default: 8000 })],
      /** API_DATABASE_URL: the api's own role (never the owner's DATABASE_URL, which only the migrator reads). */
      databaseUrl: ["API_DATABASE_URL", tlsDatabaseUrl()],
      directUrl: ["API_DIRECT_URL", tlsDatabaseUrl({ default: undefined })],
      /** API_OPERATOR_PORT: where /healthz answers with its detail, on 127.0.0.1 only; unset, nowhere. */
      operatorPort: ["API_OPERATOR_PORT", integer(1, 65535)({ default: undefined })],
      clockToleranceSeconds: ["JWT_CLOCK_TOLERANCE_SECONDS", integer(0, 300)({ default: 5 })],
      /** Time from one listener echo heard to the next one sent (docs/REVOCATION.md). */
      sessionEchoIntervalMs: ["SESSION_ECHO_INTERVAL_MS", integer(100, 60_000)({ default: 2000 })],
      /** How long an echo may take before memory is distrusted; with the interval, the dead-link bound. */
      sessionEchoTimeoutMs: ["SESSION_ECHO_TIMEOUT_MS", integer(100, 60_000)({ default: 3000 })],
      healthzTimeoutMs: ["HEALTHZ_TIMEOUT_MS", integer(100, 60_000)({ default: 2000 })],
      // Unset: one per CPU available to this process, as many as DB_POOL_MAX can give a connection.
      requestedWorkers: ["API_WORKERS", integer(1, WORKERS_MAX)({ default: undefined })],
      /** Writes (non-GET requests) each user may send per window, per api process. */
      writeRateLimit: ["WRITE_RATE_LIMIT", integer(1, 1_000_000)({ default: 120 })],
      writeRateWindowSeconds: ["WRITE_RATE_WINDOW_SECONDS", integer(1, 3600)({ default: 60 })],
      /** Tasks each user may keep. */
      taskQuota: ["TASK_QUOTA", integer(1, 10_000_000)({ default: 10_000 })],
      // EdDSA only. Unset: the web's own JWKS at BETTER_AUTH_URL's origin (Compose names the web's internal address).
      jwksUrl: ["JWKS_URL", httpUrl({ default: undefined })],
      jwksCooldownSeconds: ["JWKS_COOLDOWN_SECONDS", integer(1, 300)({ default: 5 })],
      jwksMaxAgeSeconds: ["JWKS_MAX_AGE_SECONDS", integer(10, 86_400)({ default: 300 })],
    },
    // With ACCESS_TOKEN_ALG=EdDSA the api verifies with the web's public keys and holds no secret.
    { verifierOnly: true },
  );
  // Each worker needs at least one connection of its own, and all of them fit in DB_POOL_MAX.
  if (requestedWorkers !== undefined && requestedWorkers > config.dbPoolMax) {
    throw new ConfigError("api: refusing to start: API_WORKERS must not exceed DB_POOL_MAX (every worker needs a database connection)");
  }
  if (config.operatorPort === config.port) {
    throw new ConfigError("api: refusing to start: API_OPERATOR_PORT must differ from API_PORT (the operator's view is never public)");
  }
  return {
    ...config,
    /** EdDSA: where the web's public keys are, how soon an unknown `kid` may refetch them, how often they are refreshed. */
    jwks: {
      url: jwksUrl ?? `${config.webOrigin}/api/auth/jwks`,
      cooldownMs: jwksCooldownSeconds * 1000,
      maxAgeMs: jwksMaxAgeSeconds * 1000,
    },
    /**
     * API_DIRECT_URL when set, else API_DATABASE_URL: the same role on the host where the session
     * listener holds its one connection. LISTEN needs a session-level connection, which a
     * transaction-mode pooler (Neon's -pooler host) does not give.
     */
    listenUrl: directUrl ?? config.databaseUrl,
    /** Api processes behind the one port (1: no cluster primary at all). */
    workers: requestedWorkers ?? Math.min(availableCpus(), config.dbPoolMax, WORKERS_MAX),
  };
}

export type Config = ReturnType<typeof loadConfig>;
