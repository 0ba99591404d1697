// Prisma Migrate's bookkeeping table, byte for byte the DDL its PostgreSQL connector runs, so a
// database migrated by this runner and one migrated by `prisma migrate deploy` look the same.
import type { Client } from "pg";

/** The key Prisma Migrate passes to pg_advisory_lock, so this runner and Prisma exclude each other too. */
export const prismaAdvisoryLockKey = 72707369;

const createTable = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

export interface AppliedMigration {
  migrationName: string;
  checksum: string;
  startedAt: Date;
  finishedAt: Date | null;
}

export async function ensureHistoryTable(client: Client): Promise<void> {
  await client.query(createTable);
}

/** Rows Prisma counts: rolled-back attempts are ignored, as `prisma migrate resolve --rolled-back` intends. */
export async function readHistory(client: Client): Promise<AppliedMigration[]> {
  const { rows } = await client.query<{ migration_name: string; checksum: string; started_at: Date; finished_at: Date | null }>(
    "SELECT migration_name, checksum, started_at, finished_at FROM _prisma_migrations WHERE rolled_back_at IS NULL ORDER BY started_at",
  );
  return rows.map((row) => ({ migrationName: row.migration_name, checksum: row.checksum, startedAt: row.started_at, finishedAt: row.finished_at }));
}

export async function recordStarted(client: Client, id: string, name: string, checksum: string): Promise<void> {
  await client.query(
    "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, clock_timestamp(), 0)",
    [id, checksum, name],
  );
}

export async function recordFinished(client: Client, id: string): Promise<void> {
  await client.query("UPDATE _prisma_migrations SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1", [id]);
}
