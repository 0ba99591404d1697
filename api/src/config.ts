// The api's whole environment, validated once. The only module that reads process.env.
import {
  ConfigError,
  type LogLevel,
  type SecretVersion,
  integer,
  origin,
  readEnvironment,
  secretList,
  tlsDatabaseUrl,
} from "@authbridge/service-kit";
import { availableCpus } from "./cpus";

export interface Config {
  /** Every configured secret, the current one (which the web signs with) first. */
  secrets: SecretVersion[];
  /** Origin of BETTER_AUTH_URL: the token issuer and the only CORS origin. */
  webOrigin: string;
  /** Origin of API_URL: the token audience. */
  apiOrigin: string;
  port: number;
  /** API_DATABASE_URL: the api's own role (never the owner's DATABASE_URL, which only the migrator reads). */
  /** API_OPERATOR_PORT: where /healthz answers with its detail, on 127.0.0.1 only; unset, nowhere. */
  operatorPort?: number;
  databaseUrl: string;
  /**
   * API_DIRECT_URL when set, else API_DATABASE_URL: the same role on the host where the session
   * listener holds its one connection. LISTEN needs a session-level connection, which a
   * transaction-mode pooler (Neon's -pooler host) does not give.
   */
  listenUrl: string;
  clockToleranceSeconds: number;
  /** JWT_TTL_SECONDS: the lifetime the web gives a token; a longer `exp - iat` is refused. */
  tokenTtlSeconds: number;
  /** Time from one listener echo heard to the next one sent (docs/REVOCATION.md). */
  sessionEchoIntervalMs: number;
  /** How long an echo may take before memory is distrusted; with the interval, the dead-link bound. */
  sessionEchoTimeoutMs: number;
  healthzTimeoutMs: number;
  dbConnectTimeoutMs: number;
  dbQueryTimeoutMs: number;
  /** Connections in all, shared out evenly among the workers. */
  dbPoolMax: number;
  /** Api processes behind the one port (1: no cluster primary at all). */
  workers: number;
  logLevel: LogLevel;
  /** IDLE_AFTER_SECONDS in ms (0: never idle): how long without a request before nothing is sent to PostgreSQL. */
  idleAfterMs: number;
  /** Writes (non-GET requests) each user may send per window, per api process. */
  writeRateLimit: number;
  writeRateWindowSeconds: number;
  /** Tasks each user may keep. */
  taskQuota: number;
}

export const WORKERS_MAX = 64;

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // The shared variables (secrets, DB_*, LOG_LEVEL, JWT_TTL_SECONDS) come with readEnvironment's rules.
  const clean = readEnvironment("api", source, {
    BETTER_AUTH_URL: origin(),
    API_URL: origin(),
    API_PORT: integer(1, 65535)({ default: 8000 }),
    API_DATABASE_URL: tlsDatabaseUrl(),
    API_DIRECT_URL: tlsDatabaseUrl({ default: undefined }),
    API_OPERATOR_PORT: integer(1, 65535)({ default: undefined }),
    JWT_CLOCK_TOLERANCE_SECONDS: integer(0, 300)({ default: 5 }),
    SESSION_ECHO_INTERVAL_MS: integer(100, 60_000)({ default: 2000 }),
    SESSION_ECHO_TIMEOUT_MS: integer(100, 60_000)({ default: 3000 }),
    HEALTHZ_TIMEOUT_MS: integer(100, 60_000)({ default: 2000 }),
    // Unset: one per CPU available to this process, as many as DB_POOL_MAX can give a connection.
    API_WORKERS: integer(1, WORKERS_MAX)({ default: undefined }),
    WRITE_RATE_LIMIT: integer(1, 1_000_000)({ default: 120 }),
    WRITE_RATE_WINDOW_SECONDS: integer(1, 3600)({ default: 60 }),
    TASK_QUOTA: integer(1, 10_000_000)({ default: 10_000 }),
  });
  // Each worker needs at least one connection of its own, and all of them fit in DB_POOL_MAX.
  if (clean.API_WORKERS !== undefined && clean.API_WORKERS > clean.DB_POOL_MAX) {
    throw new ConfigError("api: refusing to start: API_WORKERS must not exceed DB_POOL_MAX (every worker needs a database connection)");
  }
  if (clean.API_OPERATOR_PORT === clean.API_PORT) {
    throw new ConfigError("api: refusing to start: API_OPERATOR_PORT must differ from API_PORT (the operator's view is never public)");
  }
  const workers = clean.API_WORKERS ?? Math.min(availableCpus(), clean.DB_POOL_MAX, WORKERS_MAX);
  return {
    secrets: secretList(clean.BETTER_AUTH_SECRETS, clean.BETTER_AUTH_SECRET),
    webOrigin: clean.BETTER_AUTH_URL,
    apiOrigin: clean.API_URL,
    port: clean.API_PORT,
    ...(clean.API_OPERATOR_PORT !== undefined ? { operatorPort: clean.API_OPERATOR_PORT } : {}),
    databaseUrl: clean.API_DATABASE_URL,
    listenUrl: clean.API_DIRECT_URL ?? clean.API_DATABASE_URL,
    clockToleranceSeconds: clean.JWT_CLOCK_TOLERANCE_SECONDS,
    tokenTtlSeconds: clean.JWT_TTL_SECONDS,
    sessionEchoIntervalMs: clean.SESSION_ECHO_INTERVAL_MS,
    sessionEchoTimeoutMs: clean.SESSION_ECHO_TIMEOUT_MS,
    healthzTimeoutMs: clean.HEALTHZ_TIMEOUT_MS,
    dbConnectTimeoutMs: clean.DB_CONNECT_TIMEOUT_MS,
    dbQueryTimeoutMs: clean.DB_QUERY_TIMEOUT_MS,
    dbPoolMax: clean.DB_POOL_MAX,
    workers,
    logLevel: clean.LOG_LEVEL,
    idleAfterMs: clean.IDLE_AFTER_SECONDS * 1000,
    writeRateLimit: clean.WRITE_RATE_LIMIT,
    writeRateWindowSeconds: clean.WRITE_RATE_WINDOW_SECONDS,
    taskQuota: clean.TASK_QUOTA,
  };
}
