// The variables api and web both read, with one set of rules, and the one way a service reads its
// environment: empty means unset, every problem in one refusal line, never a value. The database
// URL is not shared: each service connects as its own role (API_DATABASE_URL, WEB_DATABASE_URL),
// validated with tlsDatabaseUrl in its own config.ts.
import { POOL_LIMITS } from "@authbridge/postgres";
import { type CleanedEnv, cleanEnv } from "envalid";
import { ConfigError } from "./errors";
import { refusal, setVariables } from "./refusal";
import { secret, secretVersions, secretsProblem } from "./secrets";
import { integer, limit, logLevel } from "./validators";

const sharedVariables = {
  BETTER_AUTH_SECRETS: secretVersions({ default: undefined }),
  BETTER_AUTH_SECRET: secret({ default: undefined }),
  DB_CONNECT_TIMEOUT_MS: limit(POOL_LIMITS.DB_CONNECT_TIMEOUT_MS),
  DB_QUERY_TIMEOUT_MS: limit(POOL_LIMITS.DB_QUERY_TIMEOUT_MS),
  DB_POOL_MAX: limit(POOL_LIMITS.DB_POOL_MAX),
  LOG_LEVEL: logLevel({ default: "info" }),
  // 0: never quiet. Otherwise, after this long without a user request, nothing of the service's
  // own reaches the database (docs/CONFIGURATION.md, "Neon, idle").
  IDLE_AFTER_SECONDS: integer(0, 86_400)({ default: 300 }),
  // The web signs tokens for this long; the api refuses a token that claims to live longer.
  JWT_TTL_SECONDS: integer(10, 86_400)({ default: 900 }),
};

/**
 * `source` (the caller's process.env) checked against the shared variables and the service's own:
 * the clean values, or a ConfigError whose message is `<service>: refusing to start: ...`.
 */
export function readEnvironment<S extends object>(
  service: string,
  source: Readonly<Record<string, string | undefined>>,
  own: S,
): CleanedEnv<typeof sharedVariables & S> {
  const env = setVariables(source);
  const problem = secretsProblem(env);
  return cleanEnv(
    env,
    { ...sharedVariables, ...own },
    {
      reporter: ({ errors }) => {
        if (problem || Object.keys(errors).length > 0) throw new ConfigError(refusal(service, errors, problem));
      },
    },
  );
}
