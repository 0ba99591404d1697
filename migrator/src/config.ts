// The only reader of process.env. The URL the migrator uses must say sslmode=require exactly:
// Prisma's native engine knows only disable|prefer|require and treats verify-full as prefer,
// which may fall back to plaintext.
import path from "node:path";
import { isPostgresUrl } from "@authbridge/postgres";
import { type LogLevel, logLevel, setVariables } from "@authbridge/service-kit";
import { cleanEnv, num, str } from "envalid";
import { ExitCode, MigratorError } from "./exit-codes";
import type { ServiceRole } from "./roles/provision";

/** auto: Prisma's `migrate deploy` when its native engine is installed, else the built-in runner. */
export const runners = ["auto", "prisma", "builtin"] as const;
export type Runner = (typeof runners)[number];

export interface Config {
  /** The URL migrations run against: DIRECT_URL when set, else DATABASE_URL. */
  url: URL;
  /** Which variable `url` came from, for messages (never its value). */
  urlVariable: "DIRECT_URL" | "DATABASE_URL";
  waitSeconds: number;
  logLevel: LogLevel;
  runner: Runner;
  migrationsDir: string;
  /** Prisma's schema engine, when installed or pointed at (the native path). */
  schemaEngineBinary: string;
  /** The services' roles, named (with their passwords) by API_DATABASE_URL and WEB_DATABASE_URL. */
  serviceRoles: ServiceRole[];
}

export const defaultMigrationsDir = path.resolve(__dirname, "..", "prisma", "migrations");

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const clean = cleanEnv(
    setVariables(source),
    {
      DATABASE_URL: str({ default: "" }),
      DIRECT_URL: str({ default: "" }),
      MIGRATE_WAIT_SECONDS: num({ default: 60 }),
      LOG_LEVEL: logLevel({ default: "info" }),
      MIGRATE_RUNNER: str({ choices: runners, default: "auto" }),
      MIGRATIONS_DIR: str({ default: defaultMigrationsDir }),
      PRISMA_SCHEMA_ENGINE_BINARY: str({ default: "" }),
      API_DATABASE_URL: str({ default: "" }),
      WEB_DATABASE_URL: str({ default: "" }),
    },
    {
      // envalid's own reporter prints a multi-line box and may echo values: one line, names only.
      reporter: ({ errors }) => {
        const names = Object.keys(errors);
        if (names.length > 0) throw new MigratorError(`invalid environment: ${names.join(", ")} (see .env.example)`, ExitCode.config);
      },
    },
  );
  if (!Number.isFinite(clean.MIGRATE_WAIT_SECONDS) || clean.MIGRATE_WAIT_SECONDS < 0) {
    throw new MigratorError("invalid environment: MIGRATE_WAIT_SECONDS must be a number of seconds >= 0", ExitCode.config);
  }
  const urlVariable = clean.DIRECT_URL ? "DIRECT_URL" : "DATABASE_URL";
  const url = migrationUrl(urlVariable, clean.DIRECT_URL || clean.DATABASE_URL);
  const serviceRoles = [
    serviceRole("api", "API_DATABASE_URL", clean.API_DATABASE_URL, url),
    serviceRole("web", "WEB_DATABASE_URL", clean.WEB_DATABASE_URL, url),
  ].filter((role): role is ServiceRole => role !== undefined);
  if (serviceRoles.length === 2 && serviceRoles[0]?.name === serviceRoles[1]?.name) {
    throw new MigratorError("API_DATABASE_URL and WEB_DATABASE_URL name the same role: each service needs its own", ExitCode.config);
  }
  return {
    url,
    urlVariable,
    waitSeconds: clean.MIGRATE_WAIT_SECONDS,
    logLevel: clean.LOG_LEVEL,
    runner: clean.MIGRATE_RUNNER,
    migrationsDir: path.resolve(clean.MIGRATIONS_DIR),
    schemaEngineBinary: clean.PRISMA_SCHEMA_ENGINE_BINARY,
    serviceRoles,
  };
}

/**
 * The role a service's URL names, which the migrator creates or updates with that URL's password.
 * Unset: that service's role is left as it is (a database only the owner uses, as in the
 * migrator's own tests).
 */
function serviceRole(service: ServiceRole["service"], variable: string, raw: string, ownerUrl: URL): ServiceRole | undefined {
  if (!raw) return undefined;
  const fail = (why: string): never => {
    throw new MigratorError(`${variable} ${why}`, ExitCode.config);
  };
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || !isPostgresUrl(url)) return fail("must be a postgresql:// URL");
  const name = decoded(url.username);
  const password = decoded(url.password);
  if (!name || !password) return fail("must name the service's role and its password (postgresql://<role>:<password>@host/db)");
  if (name === decoded(ownerUrl.username)) return fail("names the owner's role: the service needs a role of its own (docs/CONFIGURATION.md)");
  if (password.length < 16) return fail("has a password shorter than 16 characters (make env generates 32)");
  return { service, variable, name, password };
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

const knownSslModes = new Set(["disable", "allow", "prefer", "require", "verify-ca", "verify-full", "no-verify"]);

function migrationUrl(variable: string, raw: string): URL {
  const fail = (why: string): never => {
    throw new MigratorError(`${variable} ${why}`, ExitCode.config);
  };
  if (!raw) return fail("is not set (set DATABASE_URL, or DIRECT_URL for migrations)");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail("is not a valid URL");
  }
  if (!isPostgresUrl(url)) return fail("must be a postgresql:// URL");
  const modes = url.searchParams.getAll("sslmode");
  if (modes.length === 0) return fail("has no sslmode: migrations need sslmode=require exactly");
  if (modes.length > 1) return fail("gives sslmode more than once: migrations need sslmode=require exactly");
  const mode = modes[0] ?? "";
  if (mode !== "require") {
    // Known sslmode words are not secret and say what to fix; anything else is not echoed.
    const shown = knownSslModes.has(mode) ? `sslmode=${mode}` : "an unknown sslmode";
    return fail(
      `has ${shown}: migrations need sslmode=require exactly (Prisma's migration engine treats verify-full as prefer, which may fall back to plaintext)`,
    );
  }
  return url;
}
