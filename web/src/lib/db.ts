// The web's own Prisma client (generated from the shared schema into src/generated/prisma), over
// node-postgres with TLS. Better Auth and /api/health share it.
import "server-only";
import { codeOf, poolConfig } from "@authbridge/db-rules";
import { PrismaPg } from "@prisma/adapter-pg";
import { Pool } from "pg";
import { getConfig } from "../config";
import { PrismaClient } from "../generated/prisma/client";
import { getLogger } from "./logger";

let prisma: PrismaClient | undefined;

export function getPrisma(): PrismaClient {
  if (!prisma) {
    const config = getConfig();
    const pool = new Pool(
      poolConfig({
        url: config.databaseUrl,
        connectTimeoutMs: config.dbConnectTimeoutMs,
        queryTimeoutMs: config.dbQueryTimeoutMs,
        max: config.dbPoolMax,
        applicationName: "authbridge-web",
      }),
    );
    // An idle connection closed by the server (Neon suspending, a restart) is reported here;
    // without a listener it would crash the process.
    pool.on("error", (err) => getLogger().warn({ error: err.message, code: codeOf(err) }, "idle database connection lost"));
    prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  }
  return prisma;
}
