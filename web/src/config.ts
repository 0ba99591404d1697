// The web's whole environment, validated once. The only module that reads process.env.
// Native runs get the root .env from scripts/serve.sh; containers get it from Compose's env_file.
import "server-only";
import { type IntegerRange, POOL_LIMITS, tlsUrlProblem } from "@authbridge/db-rules";
import { EnvMissingError, cleanEnv, makeValidator } from "envalid";
import { levels, type LevelWithSilent } from "pino";
import { invalidProxyEntries } from "./lib/clientAddress";

/** LOG_LEVEL: one of pino's levels, or silent. */
export type LogLevel = LevelWithSilent;
const LOG_LEVELS: readonly LogLevel[] = [...(Object.keys(levels.values) as LogLevel[]), "silent"];

/** One version of the shared secret; API tokens name the version they were signed with in `kid`. */
export interface SecretVersion {
  version: number;
  value: string;
}

export interface Config {
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
  databaseUrl: string;
  dbConnectTimeoutMs: number;
  dbQueryTimeoutMs: number;
  dbPoolMax: number;
  tokenTtlSeconds: number;
  /** TRUSTED_PROXIES: the reverse proxies (IPs, CIDR ranges) whose X-Forwarded-For entries count. */
  trustedProxies: readonly string[];
  logLevel: LogLevel;
  production: boolean;
}

/** Its message names the variable and never carries its value. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

// Only these messages reach the refusal line, so a value can never be echoed back.
class Rejected extends Error {}

const MIN_SECRET_LENGTH = 32;

const secret = makeValidator((input) => {
  if (input.length < MIN_SECRET_LENGTH) throw new Rejected(`must be at least ${MIN_SECRET_LENGTH} characters`);
  return input;
});

// Better Auth's own format, "<version>:<secret>,<version>:<secret>", the current secret first. Stricter
// than Better Auth on purpose: every version (not only the current) is a full-length secret, since
// each one verifies, and neither a version nor a secret may appear twice. The api applies the same rules.
const secretVersions = makeValidator((input): SecretVersion[] => {
  const versions = new Set<number>();
  const values = new Set<string>();
  return input.split(",").map((raw, index) => {
    const entry = raw.trim();
    const colon = entry.indexOf(":");
    const versionText = entry.slice(0, Math.max(colon, 0)).trim();
    const value = entry.slice(colon + 1).trim();
    if (colon === -1 || !/^\d{1,9}$/.test(versionText) || value === "") {
      throw new Rejected(`entry ${index + 1} is not <version>:<secret> (version: a non-negative integer)`);
    }
    const version = Number(versionText);
    if (versions.has(version)) throw new Rejected(`lists version ${version} twice`);
    if (value.length < MIN_SECRET_LENGTH) throw new Rejected(`version ${version} must be at least ${MIN_SECRET_LENGTH} characters`);
    if (values.has(value)) throw new Rejected(`lists the same secret under two versions (version ${version})`);
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

const httpUrl = makeValidator((input) => {
  const url = URL.canParse(input) ? new URL(input) : undefined;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) throw new Rejected("must be an absolute http(s) URL");
  return url.href.replace(/\/+$/, "");
});

const tlsDatabaseUrl = makeValidator((input) => {
  const problem = tlsUrlProblem(input);
  if (problem) throw new Rejected(problem);
  return input;
});

const integer = (min: number, max: number) =>
  makeValidator((input) => {
    if (!/^\d+$/.test(input) || Number(input) < min || Number(input) > max) throw new Rejected(`must be an integer from ${min} to ${max}`);
    return Number(input);
  });

const limit = (range: IntegerRange) => integer(range.min, range.max)({ default: range.default });

const proxyList = makeValidator((input): readonly string[] => {
  const entries = input
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (invalidProxyEntries(entries).length > 0) throw new Rejected("must be a comma-separated list of IP addresses or CIDR ranges");
  return entries;
});

const logLevel = makeValidator((input): LogLevel => {
  const level = LOG_LEVELS.find((l) => l === input);
  if (!level) throw new Rejected(`must be one of ${LOG_LEVELS.join(", ")}`);
  return level;
});

function refusal(errors: Partial<Record<string, Error>>, problem: string | null): string {
  const reasons = Object.entries(errors).map(([name, error]) => {
    if (error instanceof EnvMissingError) return `${name} is missing`;
    if (error instanceof Rejected) return `${name} ${error.message}`;
    return `${name} is invalid`;
  });
  return `web: refusing to start: ${[...(problem ? [problem] : []), ...reasons].join("; ")}`;
}

function load(): Config {
  // `NAME=` in .env means "not set": defaults apply and required variables count as missing.
  const env = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== undefined && value !== ""));
  const problem = secretsProblem(env);
  const clean = cleanEnv(
    env,
    {
      BETTER_AUTH_SECRETS: secretVersions({ default: undefined }),
      BETTER_AUTH_SECRET: secret({ default: undefined }),
      BETTER_AUTH_URL: httpUrl(),
      API_URL: httpUrl(),
      DATABASE_URL: tlsDatabaseUrl(),
      DB_CONNECT_TIMEOUT_MS: limit(POOL_LIMITS.DB_CONNECT_TIMEOUT_MS),
      DB_QUERY_TIMEOUT_MS: limit(POOL_LIMITS.DB_QUERY_TIMEOUT_MS),
      DB_POOL_MAX: limit(POOL_LIMITS.DB_POOL_MAX),
      JWT_TTL_SECONDS: integer(10, 86_400)({ default: 900 }),
      TRUSTED_PROXIES: proxyList({ default: [] }),
      LOG_LEVEL: logLevel({ default: "info" }),
    },
    {
      reporter: ({ errors }) => {
        if (problem || Object.keys(errors).length > 0) throw new ConfigError(refusal(errors, problem));
      },
    },
  );
  return {
    secrets: clean.BETTER_AUTH_SECRETS ?? [{ version: SINGLE_SECRET_VERSION, value: clean.BETTER_AUTH_SECRET ?? "" }],
    baseUrl: clean.BETTER_AUTH_URL,
    issuer: new URL(clean.BETTER_AUTH_URL).origin,
    audience: new URL(clean.API_URL).origin,
    apiUrl: clean.API_URL,
    databaseUrl: clean.DATABASE_URL,
    dbConnectTimeoutMs: clean.DB_CONNECT_TIMEOUT_MS,
    dbQueryTimeoutMs: clean.DB_QUERY_TIMEOUT_MS,
    dbPoolMax: clean.DB_POOL_MAX,
    tokenTtlSeconds: clean.JWT_TTL_SECONDS,
    trustedProxies: clean.TRUSTED_PROXIES,
    logLevel: clean.LOG_LEVEL,
    production: env.NODE_ENV === "production",
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
