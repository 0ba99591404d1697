// The variables api and web both read, with one set of rules, and the one way a service reads its
// environment: empty means unset, every problem in one refusal line, never a value. Each variable
// is written once, as a setting (its config field, its variable, its rules); the config's type is
// derived from the settings. The database URL is not shared: each service connects as its own
// role (API_DATABASE_URL, WEB_DATABASE_URL), validated with tlsDatabaseUrl in its own config.ts.
import { POOL_LIMITS } from "@authbridge/postgres";
import { type OptionalValidatorSpec, type RequiredValidatorSpec, type ValidatorSpec, cleanEnv } from "envalid";
import { ConfigError } from "./errors";
import { refusal, setVariables } from "./refusal";
import { type SecretVersion, secret, secretList, secretVersions, secretsProblem } from "./secrets";
import { integer, limit, logLevel } from "./validators";

/** One configuration field: the variable it is read from and the envalid validator that reads it. */
export type Setting = readonly [variable: string, validator: ValidatorSpec<unknown>];

/** A service's settings, by config field. */
export type Settings = Readonly<Record<string, Setting>>;

/** What a validator yields: its type, or undefined too when it has `default: undefined`. */
type ValueOf<V> = V extends OptionalValidatorSpec<infer T> ? T | undefined : V extends RequiredValidatorSpec<infer T> ? T : never;

/** The clean values of some settings, under their field names (each field keeps its setting's doc comment). */
export type Values<S extends Settings> = { -readonly [K in keyof S]: ValueOf<S[K][1]> };

const sharedSettings = {
  secretVersions: ["BETTER_AUTH_SECRETS", secretVersions({ default: undefined })],
  secret: ["BETTER_AUTH_SECRET", secret({ default: undefined })],
  dbConnectTimeoutMs: ["DB_CONNECT_TIMEOUT_MS", limit(POOL_LIMITS.DB_CONNECT_TIMEOUT_MS)],
  dbQueryTimeoutMs: ["DB_QUERY_TIMEOUT_MS", limit(POOL_LIMITS.DB_QUERY_TIMEOUT_MS)],
  /** Connections in all (the api shares them out evenly among its workers). */
  dbPoolMax: ["DB_POOL_MAX", limit(POOL_LIMITS.DB_POOL_MAX)],
  logLevel: ["LOG_LEVEL", logLevel({ default: "info" })],
  // 0: never quiet. Otherwise, after this long without a user request, nothing of the service's
  // own reaches the database (docs/CONFIGURATION.md, "Neon, idle").
  idleAfterSeconds: ["IDLE_AFTER_SECONDS", integer(0, 86_400)({ default: 300 })],
  /** JWT_TTL_SECONDS: the web signs tokens for this long; the api refuses a token that claims to live longer. */
  tokenTtlSeconds: ["JWT_TTL_SECONDS", integer(10, 86_400)({ default: 900 })],
} satisfies Settings;

/** `source` read by `settings`: each field's clean value, or every problem in one ConfigError. */
function read<S extends Settings>(service: string, source: Readonly<Record<string, string | undefined>>, settings: S): Values<S> {
  const env = setVariables(source);
  const problem = secretsProblem(env);
  const entries = Object.entries(settings);
  const clean: Record<string, unknown> = cleanEnv(env, Object.fromEntries(entries.map(([, [variable, validator]]) => [variable, validator])), {
    reporter: ({ errors }) => {
      if (problem || Object.keys(errors).length > 0) throw new ConfigError(refusal(service, errors, problem));
    },
  });
  return Object.fromEntries(entries.map(([field, [variable]]) => [field, clean[variable]])) as Values<S>;
}

/**
 * `source` (the caller's process.env) checked against the shared settings and the service's own
 * (`own`, whose field names must not be the shared ones): the config, or a ConfigError whose
 * message is `<service>: refusing to start: ...`. The shared values come as the services use them:
 * the secrets as one list, the quiet period in ms.
 */
export function readEnvironment<S extends Settings>(
  service: string,
  source: Readonly<Record<string, string | undefined>>,
  own: S & { readonly [K in keyof typeof sharedSettings]?: never },
) {
  const values: Values<typeof sharedSettings> & Values<S> = read(service, source, { ...sharedSettings, ...own });
  const { secretVersions: versions, secret: single, idleAfterSeconds, ...rest } = values;
  return {
    /** Every configured secret, the current one (which the web signs with) first; every one verifies. */
    secrets: secretList(versions, single) satisfies SecretVersion[],
    /** IDLE_AFTER_SECONDS in ms (0: never idle): how long without a user request before nothing of the service's own reaches PostgreSQL. */
    idleAfterMs: idleAfterSeconds * 1000,
    ...rest,
  };
}
