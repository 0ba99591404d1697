// The web's whole environment, validated once. The only module that reads process.env.
// Native runs get the root .env from scripts/serve.sh; containers get it from Compose's env_file.
// No "server-only" marker: the process entry (src/server.ts) reads it in plain node, before Next
// starts. web/test/bundle.test.ts proves none of it reaches the browser.
import { InvalidValue, httpUrl, integer, readEnvironment, secureHttpUrl, tlsDatabaseUrl } from "@authbridge/service-kit";
import { makeValidator, str } from "envalid";
import { invalidProxyEntries } from "./lib/clientAddress";

const proxyList = makeValidator((input): readonly string[] => {
  const entries = input
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (invalidProxyEntries(entries).length > 0) throw new InvalidValue("must be a comma-separated list of IP addresses or CIDR ranges");
  return entries;
});

// Each variable is written once, beside its config field; the Config type is derived from them.
function load() {
  // Read at run time as a whole: Next inlines a literal `process.env.NODE_ENV` at build time.
  const source = process.env;
  const production = source.NODE_ENV === "production";
  // The shared variables (secrets, DB_*, LOG_LEVEL, IDLE_AFTER_SECONDS, JWT_TTL_SECONDS) come with readEnvironment's rules.
  const config = readEnvironment("web", source, {
    /**
     * BETTER_AUTH_URL: where the browser reaches this app (Better Auth's baseURL). Production serves
     * over TLS (Secure, __Secure- prefixed cookies, HSTS); plain http only on a loopback host, where
     * the browser is on the same machine (make up, the tests).
     */
    baseUrl: ["BETTER_AUTH_URL", production ? secureHttpUrl() : httpUrl()],
    /** API_URL without a trailing slash: handed to the browser at request time. */
    apiUrl: ["API_URL", httpUrl()],
    /** WEB_DATABASE_URL: the web's own role (never the owner's DATABASE_URL, which only the migrator reads). */
    databaseUrl: ["WEB_DATABASE_URL", tlsDatabaseUrl()],
    /** TRUSTED_PROXIES: the reverse proxies (IPs, CIDR ranges) whose X-Forwarded-For entries count. */
    trustedProxies: ["TRUSTED_PROXIES", proxyList({ default: [] })],
    /** PORT: where the server listens (the stack's WEB_PORT; Next's own variable, as `next start` reads it). */
    port: ["PORT", integer(1, 65535)({ default: 3000 })],
    /** HOSTNAME: the address the server binds; a container sets HOSTNAME to its name, so the image sets 0.0.0.0. */
    hostname: ["HOSTNAME", str({ default: "0.0.0.0" })],
  });
  return {
    ...config,
    /** Origin of BETTER_AUTH_URL: the API token's `iss`. */
    issuer: new URL(config.baseUrl).origin,
    /** Origin of API_URL: the API token's `aud`. */
    audience: new URL(config.apiUrl).origin,
    production,
  };
}

export type Config = ReturnType<typeof load>;

let config: Config | undefined;

/**
 * Read on first use, not at import: `next build` imports every route while the image is built,
 * where no secret exists (and must not).
 */
export function getConfig(): Config {
  config ??= load();
  return config;
}
