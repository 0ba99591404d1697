// The api's one connection pool (node-postgres, made resilient to dropped connections by
// @authbridge/postgres' ResilientPool). Every statement of the api runs on it, and /healthz borrows
// connections from it, so both see the same connections, limits and retries. Pipelined: queries given to one
// connection are written without waiting for each answer, so a task statement and its per-user
// transaction share one round trip (asUser.ts). Nothing here keeps a portal open (no cursors, no
// `rows` option), which pipeline mode refuses.
import { ResilientPool, poolConfig } from "@authbridge/postgres";
import type { Logger } from "pino";

export interface PoolOptions {
  url: string;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  max: number;
  logger: Logger;
}

export function createPool(options: PoolOptions): ResilientPool {
  return new ResilientPool({ ...poolConfig({ ...options, applicationName: "authbridge-api" }), pipeline: true }, options.logger);
}
