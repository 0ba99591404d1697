// The api's whole environment, validated once. The only module that reads process.env.
import { type IntegerRange, POOL_LIMITS, tlsUrlProblem } from "@authbridge/db-rules";
import { EnvMissingError, bool, cleanEnv, makeValidator } from "envalid";
import { availableCpus } from "./cpus";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** One version of the shared secret. `kid` in an API token names the version it was signed with. */
export interface SecretVersion {
  version: number;
  value: string;
}

export interface Config {
  /** Every configured secret, the current one (which the web signs with) first. */
  secrets: SecretVersion[];
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
  /** Connections in all, shared out evenly among the workers. */
  dbPoolMax: number;
  /** Api processes behind the one port (1: no cluster primary at all). */
  workers: number;
  logLevel: LogLevel;
  /** Benchmark-only routes (make bench sets BENCH=1); never on in production. */
  bench: boolean;
}

/** Thrown with a message that names the variable and never contains its value. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

// Validator messages are ours, so the refusal line can never echo a value back.
class InvalidValue extends Error {}

const MIN_SECRET_LENGTH = 32;

const secret = makeValidator((input) => {
  if (input.length < MIN_SECRET_LENGTH) throw new InvalidValue(`must be at least ${MIN_SECRET_LENGTH} characters`);
  return input;
});

// Better Auth's own format, "<version>:<secret>,<version>:<secret>", the current secret first. Stricter
// than Better Auth on purpose: every version (not only the current) is a full-length secret, since
// each one verifies tokens, and neither a version nor a secret may appear twice.
const secretVersions = makeValidator((input): SecretVersion[] => {
  const versions = new Set<number>();
  const values = new Set<string>();
  return input.split(",").map((raw, index) => {
    const entry = raw.trim();
    const colon = entry.indexOf(":");
    const versionText = entry.slice(0, Math.max(colon, 0)).trim();
    const value = entry.slice(colon + 1).trim();
    if (colon === -1 || !/^\d{1,9}$/.test(versionText) || value === "") {
      throw new InvalidValue(`entry ${index + 1} is not <version>:<secret> (version: a non-negative integer)`);
    }
    const version = Number(versionText);
    if (versions.has(version)) throw new InvalidValue(`lists version ${version} twice`);
    if (value.length < MIN_SECRET_LENGTH) throw new InvalidValue(`version ${version} must be at least ${MIN_SECRET_LENGTH} characters`);
    if (values.has(value)) throw new InvalidValue(`lists the same secret under two versions (version ${version})`);
    versions.add(version);
    values.add(value);
    return { version, value };
  });
});

/** A lone BETTER_AUTH_SECRET is version 1: the first rotation then writes "2:<new>,1:<old>". */
export const SINGLE_SECRET_VERSION = 1;

function secretsProblem(env: Record<string, string | undefined>): string | null {
  if (env.BETTER_AUTH_SECRETS !== undefined && env.BETTER_AUTH_SECRET !== undefined) {
    return "BETTER_AUTH_SECRETS and BETTER_AUTH_SECRET are both set (keep BETTER_AUTH_SECRETS only)";
  }
  if (env.BETTER_AUTH_SECRETS === undefined && env.BETTER_AUTH_SECRET === undefined) return "BETTER_AUTH_SECRET is missing";
  return null;
}

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

const tlsDatabaseUrl = makeValidator((input) => {
  const problem = tlsUrlProblem(input);
  if (problem) throw new InvalidValue(problem);
  return input;
});

const integer = (min: number, max: number) =>
  makeValidator((input) => {
    const n = Number(input);
    if (!/^\d+$/.test(input.trim()) || n < min || n > max) throw new InvalidValue(`must be an integer from ${min} to ${max}`);
    return n;
  });

const limit = (range: IntegerRange) => integer(range.min, range.max)({ default: range.default });

const LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const logLevel = makeValidator((input): LogLevel => {
  const level = LEVELS.find((l) => l === input);
  if (!level) throw new InvalidValue(`must be one of ${LEVELS.join(", ")}`);
  return level;
});

function refusal(errors: Partial<Record<string, Error>>, problem: string | null): string {
  const parts = Object.entries(errors).map(([name, error]) => {
    if (error instanceof EnvMissingError) return `${name} is missing`;
    if (error instanceof InvalidValue) return `${name} ${error.message}`;
    return `${name} is invalid`;
  });
  return `api: refusing to start: ${[...(problem ? [problem] : []), ...parts].join("; ")}`;
}

export const WORKERS_MAX = 64;

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // An empty line in .env (`NAME=`) means "not set": defaults apply, required variables are missing.
  const env = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const problem = secretsProblem(env);
  const clean = cleanEnv(
    env,
    {
      BETTER_AUTH_SECRETS: secretVersions({ default: undefined }),
      BETTER_AUTH_SECRET: secret({ default: undefined }),
      BETTER_AUTH_URL: origin(),
      API_URL: origin(),
      API_PORT: integer(1, 65535)({ default: 8000 }),
      DATABASE_URL: tlsDatabaseUrl(),
      DIRECT_URL: tlsDatabaseUrl({ default: undefined }),
      JWT_CLOCK_TOLERANCE_SECONDS: integer(0, 300)({ default: 5 }),
      HEALTHZ_TIMEOUT_MS: integer(100, 60_000)({ default: 2000 }),
      DB_CONNECT_TIMEOUT_MS: limit(POOL_LIMITS.DB_CONNECT_TIMEOUT_MS),
      DB_QUERY_TIMEOUT_MS: limit(POOL_LIMITS.DB_QUERY_TIMEOUT_MS),
      DB_POOL_MAX: limit(POOL_LIMITS.DB_POOL_MAX),
      // Unset: one per CPU available to this process, as many as DB_POOL_MAX can give a connection.
      API_WORKERS: integer(1, WORKERS_MAX)({ default: undefined }),
      LOG_LEVEL: logLevel({ default: "info" }),
      BENCH: bool({ default: false }),
    },
    {
      reporter: ({ errors }) => {
        if (problem || Object.keys(errors).length > 0) throw new ConfigError(refusal(errors, problem));
      },
    },
  );
  // Each worker needs at least one connection of its own, and all of them fit in DB_POOL_MAX.
  if (clean.API_WORKERS !== undefined && clean.API_WORKERS > clean.DB_POOL_MAX) {
    throw new ConfigError("api: refusing to start: API_WORKERS must not exceed DB_POOL_MAX (every worker needs a database connection)");
  }
  const workers = clean.API_WORKERS ?? Math.min(availableCpus(), clean.DB_POOL_MAX, WORKERS_MAX);
  const secrets = clean.BETTER_AUTH_SECRETS ?? [{ version: SINGLE_SECRET_VERSION, value: clean.BETTER_AUTH_SECRET ?? "" }];
  return {
    secrets,
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
    workers,
    logLevel: clean.LOG_LEVEL,
    bench: clean.BENCH,
  };
}
