// The api's one connection pool (node-postgres, made resilient to dropped connections by
// resilientPool.ts). Prisma runs on it through @prisma/adapter-pg, and /healthz borrows connections
// from it, so both see the same connections, limits and retries.
import { TLSSocket } from "node:tls";
import type { ClientBase, PoolConfig } from "pg";
import type { Logger } from "pino";
import { ResilientPool } from "./resilientPool";

export interface PoolOptions {
  url: string;
  /** Neon wakes from zero in a few seconds: long enough for that, short enough to fail a request. */
  connectTimeoutMs: number;
  /** Client-side: a database that accepts and never answers must not hold a request forever. */
  queryTimeoutMs: number;
  max: number;
  logger: Logger;
}

export class UnencryptedConnectionError extends Error {
  override name = "UnencryptedConnectionError";
  constructor() {
    super("database connection is not encrypted (TLS required)");
  }
}

/** The socket under a connected client. node-postgres swaps in a TLSSocket once TLS is negotiated. */
export function socketOf(client: ClientBase): unknown {
  return (client as unknown as { connection?: { stream?: unknown } }).connection?.stream;
}

export function tlsOf(client: ClientBase): { protocol: string; verified: boolean } | null {
  const socket = socketOf(client);
  if (!(socket instanceof TLSSocket)) return null;
  return { protocol: socket.getProtocol() ?? "unknown", verified: socket.authorized };
}

/**
 * node-postgres 8 already treats sslmode=require|verify-ca as verify-full (and warns about it);
 * pg 9 will give them libpq's weaker meaning. Saying verify-full pins today's behaviour: encrypted
 * and the certificate checked. An explicit `uselibpqcompat=true` is the operator's choice, kept.
 */
export function pgConnectionString(url: string): string {
  const parsed = new URL(url);
  const mode = parsed.searchParams.get("sslmode");
  if (parsed.searchParams.get("uselibpqcompat") === "true" || (mode !== "require" && mode !== "verify-ca")) return url;
  parsed.searchParams.set("sslmode", "verify-full");
  return parsed.toString();
}

export function createPool(options: PoolOptions): ResilientPool {
  const config: PoolConfig = {
    connectionString: pgConnectionString(options.url),
    max: options.max,
    connectionTimeoutMillis: options.connectTimeoutMs,
    query_timeout: options.queryTimeoutMs,
    // Neon drops idle connections after 5 minutes; close ours well before that.
    idleTimeoutMillis: 60_000,
    keepAlive: true,
    application_name: "authbridge-api",
    // The URL promises TLS; this makes sure no connection is ever used without it, whatever the URL says.
    onConnect: (client) => {
      if (!tlsOf(client)) throw new UnencryptedConnectionError();
    },
  };
  return new ResilientPool(config, options.logger);
}

/**
 * Neon's pooled host (`-pooler`) is PgBouncer in transaction mode: LISTEN there succeeds but no
 * notification ever reaches the client. No other pooler can be told from its URL.
 */
export function isTransactionPooler(url: string): boolean {
  return new URL(url).hostname.includes("-pooler.");
}

/** Host kind for the start-up line: enough to spot a wrong .env, without printing the host. */
export function databaseHostKind(url: string): "local" | "neon" | "other" {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (host.endsWith(".neon.tech")) return "neon";
  if (host === "localhost" || host === "::1" || host.startsWith("127.")) return "local";
  // A single-label name is a Compose service (the local db container).
  if (!host.includes(".") && !host.includes(":")) return "local";
  return "other";
}
