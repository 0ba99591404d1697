// The connection settings the api and the web share: the same variables (DB_*), the same ranges
// and defaults, turned into node-postgres options the same way.
import type { ClientConfig, PoolConfig } from "pg";
import { assertEncrypted } from "./tls";
import { pinnedTlsUrl } from "./url";

export interface IntegerRange {
  min: number;
  max: number;
  default: number;
}

/** The pool limits each service reads from its environment (documented in .env.example). */
export const POOL_LIMITS = {
  /** Neon wakes from zero in a few seconds: long enough for that, short enough to fail a request. */
  DB_CONNECT_TIMEOUT_MS: { min: 100, max: 120_000, default: 10_000 },
  /** Client-side: a database that accepts and never answers must not hold a request forever. */
  DB_QUERY_TIMEOUT_MS: { min: 100, max: 120_000, default: 5000 },
  DB_POOL_MAX: { min: 1, max: 100, default: 10 },
} as const satisfies Record<string, IntegerRange>;

export interface ConnectionSettings {
  url: string;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  /** Shown in pg_stat_activity, so each service's connections can be told apart. */
  applicationName: string;
}

/** One connection of its own (a listener): TLS pinned in the URL, both timeouts, TCP keep-alive. */
export function connectionConfig(settings: ConnectionSettings): ClientConfig {
  return {
    connectionString: pinnedTlsUrl(settings.url),
    connectionTimeoutMillis: settings.connectTimeoutMs,
    query_timeout: settings.queryTimeoutMs,
    keepAlive: true,
    application_name: settings.applicationName,
  };
}

/** A service's pool: the same per connection, and no connection handed out unless encrypted. */
export function poolConfig(settings: ConnectionSettings & { max: number }): PoolConfig {
  return {
    ...connectionConfig(settings),
    max: settings.max,
    // Neon drops idle connections after 5 minutes; close ours well before that.
    idleTimeoutMillis: 60_000,
    // The URL promises TLS; this makes sure no connection is used without it, whatever the URL says.
    onConnect: assertEncrypted,
  };
}
