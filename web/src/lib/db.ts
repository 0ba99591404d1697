// The web's own Prisma client (generated from the shared schema into src/generated/prisma), over
// node-postgres with TLS. Better Auth and /api/health share it.
import "server-only";
import { TLSSocket } from "node:tls";
import { PrismaPg } from "@prisma/adapter-pg";
import { type ClientBase, Pool } from "pg";
import { getConfig } from "../config";
import { PrismaClient } from "../generated/prisma/client";
import { getLogger } from "./logger";

/**
 * node-postgres 8 treats sslmode=require|verify-ca as verify-full (and warns on every start);
 * pg 9 will give them libpq's weaker meaning. Saying verify-full pins today's behaviour: encrypted
 * and the certificate checked. An explicit `uselibpqcompat=true` stays the operator's choice.
 */
export function pinnedTlsUrl(url: string): string {
  const parsed = new URL(url);
  const mode = parsed.searchParams.get("sslmode");
  if (parsed.searchParams.get("uselibpqcompat") === "true" || (mode !== "require" && mode !== "verify-ca")) return url;
  parsed.searchParams.set("sslmode", "verify-full");
  return parsed.toString();
}

function assertEncrypted(client: ClientBase): void {
  // Undocumented but stable: node-postgres swaps its socket for a TLSSocket (always encrypted) once TLS is up.
  const socket = (client as unknown as { connection?: { stream?: unknown } }).connection?.stream;
  if (!(socket instanceof TLSSocket)) throw new Error("database connection is not encrypted (TLS required)");
}

let prisma: PrismaClient | undefined;

export function getPrisma(): PrismaClient {
  if (!prisma) {
    const pool = new Pool({
      connectionString: pinnedTlsUrl(getConfig().databaseUrl),
      max: 10,
      // Neon wakes a suspended compute in a few seconds; a shorter wait fails the first sign-in.
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 60_000,
      application_name: "authbridge-web",
      // Whatever the URL says, no connection is used without TLS.
      onConnect: assertEncrypted,
    });
    // An idle connection closed by the server (Neon suspending, a restart) is reported here;
    // without a listener it would crash the process.
    pool.on("error", (error) => getLogger().warn({ error: error.message }, "idle database connection lost"));
    prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  }
  return prisma;
}
