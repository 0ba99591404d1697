// The web's own Prisma client (generated from the shared schema into src/generated/prisma), over
// node-postgres with TLS as the URL's sslmode demands. Better Auth and /api/health share it.
import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { Pool } from "pg";
import { getConfig } from "../config";
import { PrismaClient } from "../generated/prisma/client";
import { log } from "./log";

let prisma: PrismaClient | undefined;

export function getPrisma(): PrismaClient {
  if (!prisma) {
    const pool = new Pool({
      connectionString: getConfig().databaseUrl,
      max: 10,
      // Neon wakes a suspended compute in a few seconds; a shorter wait fails the first sign-in.
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle connection closed by the server (Neon suspending, a restart) is reported here;
    // without a listener it would crash the process.
    pool.on("error", (error) => log.warn("idle database connection lost", { error: error.message }));
    prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  }
  return prisma;
}
