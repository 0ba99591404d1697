// The api's whole environment, validated once. The only module that reads process.env.
import { EnvMissingError, bool, cleanEnv, makeValidator } from "envalid";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface Config {
  secret: string;
  /** Origin of BETTER_AUTH_URL: the token issuer and the only CORS origin. */
  webOrigin: string;
  /** Origin of API_URL: the token audience. */
  apiOrigin: string;
  port: number;
  databaseUrl: string;
  /**
   * DIRECT_URL when set, else DATABASE_URL: where the session listener holds its one connection.
   * LISTEN needs a session-level connection, which a transaction-mode pooler (Neon's -pooler host)
   * does not give.
   */
  listenUrl: string;
  clockToleranceSeconds: number;
  healthzTimeoutMs: number;
  dbConnectTimeoutMs: number;
  dbQueryTimeoutMs: number;
  dbPoolMax: number;
  logLevel: LogLevel;
  /** Benchmark-only routes (issue 7); never on in production. */
  bench: boolean;
}

/** Thrown with a message that names the variable and never contains its value. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

// Validator messages are ours, so the refusal line can never echo a value back.
class InvalidValue extends Error {}

const secret = makeValidator((input) => {
  if (input.length < 32) throw new InvalidValue("must be at least 32 characters");
  return input;
});

function parseUrl(input: string, protocols: string[], message: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new InvalidValue(message);
  }
  if (!protocols.includes(url.protocol)) throw new InvalidValue(message);
  return url;
}

const origin = makeValidator((input) => parseUrl(input, ["http:", "https:"], "must be an absolute http(s) URL").origin);

const TLS_MODES = ["require", "verify-ca", "verify-full"];
const tlsDatabaseUrl = makeValidator((input) => {
  const url = parseUrl(input, ["postgresql:", "postgres:"], "must be a postgresql:// URL");
  if (!TLS_MODES.includes(url.searchParams.get("sslmode") ?? "")) {
    throw new InvalidValue(`must carry sslmode=${TLS_MODES.join("|")} (the api talks to PostgreSQL over TLS only)`);
  }
  return input;
});

const integer = (min: number, max: number) =>
  makeValidator((input) => {
    const n = Number(input);
    if (!/^\d+$/.test(input.trim()) || n < min || n > max) throw new InvalidValue(`must be an integer from ${min} to ${max}`);
    return n;
  });

const LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const logLevel = makeValidator((input): LogLevel => {
  const level = LEVELS.find((l) => l === input);
  if (!level) throw new InvalidValue(`must be one of ${LEVELS.join(", ")}`);
  return level;
});

function refusal(errors: Partial<Record<string, Error>>): string {
  const parts = Object.entries(errors).map(([name, error]) => {
    if (error instanceof EnvMissingError) return `${name} is missing`;
    if (error instanceof InvalidValue) return `${name} ${error.message}`;
    return `${name} is invalid`;
  });
  return `api: refusing to start: ${parts.join("; ")}`;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // An empty line in .env (`NAME=`) means "not set": defaults apply, required variables are missing.
  const env = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const clean = cleanEnv(
    env,
    {
      BETTER_AUTH_SECRET: secret(),
      BETTER_AUTH_URL: origin(),
      API_URL: origin(),
      API_PORT: integer(1, 65535)({ default: 8000 }),
      DATABASE_URL: tlsDatabaseUrl(),
      DIRECT_URL: tlsDatabaseUrl({ default: undefined }),
      JWT_CLOCK_TOLERANCE_SECONDS: integer(0, 300)({ default: 5 }),
      HEALTHZ_TIMEOUT_MS: integer(100, 60_000)({ default: 2000 }),
      DB_CONNECT_TIMEOUT_MS: integer(100, 120_000)({ default: 10_000 }),
      DB_QUERY_TIMEOUT_MS: integer(100, 120_000)({ default: 5000 }),
      DB_POOL_MAX: integer(1, 100)({ default: 10 }),
      LOG_LEVEL: logLevel({ default: "info" }),
      BENCH: bool({ default: false }),
    },
    {
      reporter: ({ errors }) => {
        if (Object.keys(errors).length > 0) throw new ConfigError(refusal(errors));
      },
    },
  );
  return {
    secret: clean.BETTER_AUTH_SECRET,
    webOrigin: clean.BETTER_AUTH_URL,
    apiOrigin: clean.API_URL,
    port: clean.API_PORT,
    databaseUrl: clean.DATABASE_URL,
    listenUrl: clean.DIRECT_URL ?? clean.DATABASE_URL,
    clockToleranceSeconds: clean.JWT_CLOCK_TOLERANCE_SECONDS,
    healthzTimeoutMs: clean.HEALTHZ_TIMEOUT_MS,
    dbConnectTimeoutMs: clean.DB_CONNECT_TIMEOUT_MS,
    dbQueryTimeoutMs: clean.DB_QUERY_TIMEOUT_MS,
    dbPoolMax: clean.DB_POOL_MAX,
    logLevel: clean.LOG_LEVEL,
    bench: clean.BENCH,
  };
}
