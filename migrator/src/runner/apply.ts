// The built-in runner: `prisma migrate deploy` for networks where Prisma's native schema engine
// cannot be downloaded. Same table, checksums and advisory lock as Prisma; unlike Prisma, each
// migration runs in one transaction together with its bookkeeping row, so a failing migration
// leaves the database exactly as it was (no half-applied script, no failed row to resolve).
import { randomUUID } from "node:crypto";
import type { Client } from "pg";
import { ExitCode, MigratorError } from "../exit-codes";
import type { Logger } from "../log";
import { ensureHistoryTable, prismaAdvisoryLockKey, readHistory, recordFinished, recordStarted, type AppliedMigration } from "./history";
import { matchesChecksum, type Migration } from "./migrations";

export interface RunResult {
  applied: string[];
  alreadyApplied: number;
}

export async function applyMigrations(client: Client, migrations: Migration[], lockTimeoutMs: number, log: Logger): Promise<RunResult> {
  await acquireLock(client, lockTimeoutMs);
  try {
    await ensureHistoryTable(client);
    const history = await readHistory(client);
    checkHistory(migrations, history, log);
    const done = new Set(history.map((row) => row.migrationName));
    const pending = migrations.filter((migration) => !done.has(migration.name));
    if (pending.length === 0) log.info(`no pending migrations (${migrations.length} already applied)`);
    for (const migration of pending) await applyOne(client, migration, log);
    return { applied: pending.map((migration) => migration.name), alreadyApplied: migrations.length - pending.length };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [prismaAdvisoryLockKey]);
  }
}

async function acquireLock(client: Client, timeoutMs: number): Promise<void> {
  // lock_timeout bounds the wait for any heavyweight lock, advisory ones included.
  await client.query(`SET lock_timeout = ${Math.round(timeoutMs)}`);
  try {
    await client.query("SELECT pg_advisory_lock($1)", [prismaAdvisoryLockKey]);
  } catch (error) {
    if ((error as { code?: unknown }).code === "55P03") {
      throw new MigratorError(
        `Timed out trying to acquire a postgres advisory lock (SELECT pg_advisory_lock(${prismaAdvisoryLockKey})). Timeout: ${timeoutMs}ms. Is another migration running?`,
        ExitCode.failed,
      );
    }
    throw error;
  } finally {
    await client.query("RESET lock_timeout");
  }
}

/** Prisma's refusals, worded as Prisma words them (P3009 and the "modified after it was applied" check). */
function checkHistory(migrations: Migration[], history: AppliedMigration[], log: Logger): void {
  const failed = history.find((row) => row.finishedAt === null);
  if (failed) {
    throw new MigratorError(
      `migrate found failed migrations in the target database, new migrations will not be applied. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n` +
        `The \`${failed.migrationName}\` migration started at ${failed.startedAt.toISOString()} failed`,
      ExitCode.failed,
    );
  }
  const local = new Map(migrations.map((migration) => [migration.name, migration]));
  for (const row of history) {
    const migration = local.get(row.migrationName);
    if (!migration) {
      log.warn(`The migration \`${row.migrationName}\` is applied in the database but missing from the migrations directory.`);
    } else if (!matchesChecksum(migration.sql, row.checksum)) {
      throw new MigratorError(
        `The migration \`${row.migrationName}\` was modified after it was applied. Restore its migration.sql, and put further changes in a new migration.`,
        ExitCode.failed,
      );
    }
  }
}

async function applyOne(client: Client, migration: Migration, log: Logger): Promise<void> {
  const started = performance.now();
  const id = randomUUID();
  await client.query("BEGIN");
  try {
    await recordStarted(client, id, migration.name, migration.checksum);
    await client.query(migration.sql);
    await recordFinished(client, id);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    throw new MigratorError(
      `Migration \`${migration.name}\` failed to apply and was rolled back; the database is unchanged.\n` +
        `Database error code: ${typeof code === "string" ? code : "none"}\nDatabase error: ${message}`,
      ExitCode.failed,
    );
  }
  log.info(`applied ${migration.name} in ${Math.round(performance.now() - started)} ms`);
}
