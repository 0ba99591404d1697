// The web's own Prisma client (generated from the shared schema into src/generated/prisma), over
// the same resilient node-postgres pool as the api, with TLS. Better Auth and /api/health share it,
// so a session check or a token read survives a connection Neon ended while it sat idle.
import "server-only";
import { ResilientPool, poolConfig } from "@authbridge/postgres";
import { PrismaPg } from "@prisma/adapter-pg";
import { getConfig } from "../config";
import { PrismaClient } from "../generated/prisma/client";
import { getLogger } from "./logger";

let prisma: PrismaClient | undefined;

export function getPrisma(): PrismaClient {
  if (!prisma) {
    const config = getConfig();
    const pool = new ResilientPool(
      poolConfig({
        url: config.databaseUrl,
        connectTimeoutMs: config.dbConnectTimeoutMs,
        queryTimeoutMs: config.dbQueryTimeoutMs,
        max: config.dbPoolMax,
        applicationName: "authbridge-web",
      }),
      getLogger(),
    );
    prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  }
  return prisma;
}
