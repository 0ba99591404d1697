// The api's one connection pool (node-postgres, made resilient to dropped connections by
// @authbridge/db-rules' ResilientPool). Prisma runs on it through @prisma/adapter-pg, and /healthz borrows connections
// from it, so both see the same connections, limits and retries.
import { ResilientPool, poolConfig } from "@authbridge/db-rules";
import type { Logger } from "pino";

export interface PoolOptions {
  url: string;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  max: number;
  logger: Logger;
}

export function createPool(options: PoolOptions): ResilientPool {
  return new ResilientPool(poolConfig({ ...options, applicationName: "authbridge-api" }), options.logger);
}
