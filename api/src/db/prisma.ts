import { PrismaPg } from "@prisma/adapter-pg";
import type { Pool } from "pg";
import { PrismaClient } from "../generated/prisma/client";

export type Database = PrismaClient;

/** Prisma on the api's own pool (so the TLS guard and timeouts apply to every query). */
export function createDatabase(pool: Pool): Database {
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}
