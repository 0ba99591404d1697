// The migrator killed (SIGKILL: no clean-up of any kind) in the middle of a run, then run again:
// the database ends fully migrated and consistent. The migrations are the committed ones plus a
// slow one of our own (MIGRATIONS_DIR), so there is a middle to kill it in.
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Cluster, startCluster } from "@authbridge/testing/pg";
import { runMigrator } from "@authbridge/testing/migrator";
import { type Program, assertBuilt, programs, startProgram, stopAllPrograms, waitFor } from "@authbridge/testing/processes";
import { logsDir, repoRoot } from "./support/paths";
import { record } from "./support/record";
import { sql } from "@authbridge/testing/sql";

const PRISMA_LOCK_KEY = 72707369;
const PROBE_ROWS = 1000;
const SLOW = "29991231000000_resilience_slow";
// One statement after another in one script: rows, a pause long enough to be killed in, more DDL.
const SLOW_SQL = `CREATE TABLE "resilience_probe" ("n" INTEGER NOT NULL PRIMARY KEY);
INSERT INTO "resilience_probe" SELECT generate_series(1, ${PROBE_ROWS});
SELECT pg_sleep(0.8);
CREATE INDEX "resilience_probe_n_idx" ON "resilience_probe" ("n" DESC);
`;

let cluster: Cluster;
let dir: string;
let migrationsDir: string;
let env: Record<string, string>;

async function resetDatabase(): Promise<void> {
  // The database owner owns the public schema (PostgreSQL 15), so this needs no superuser.
  await sql(cluster.url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
}

/** Everything a fully migrated database must show, and nothing half-done. */
async function expectConsistent(): Promise<void> {
  const names = readdirSync(migrationsDir)
    .filter((n) => !n.endsWith(".toml"))
    .sort();
  const rows = await sql<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
    cluster.url,
    "SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name",
  );
  expect(rows.map((r) => r.migration_name)).toEqual(names);
  for (const row of rows) {
    expect(row.finished_at).not.toBeNull();
    expect(row.rolled_back_at).toBeNull();
    const file = readFileSync(path.join(migrationsDir, row.migration_name, "migration.sql"));
    expect(row.checksum).toBe(createHash("sha256").update(file).digest("hex"));
  }
  const tables = await sql<{ t: string }>(cluster.url, "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
  expect(tables.map((r) => r.t)).toEqual(
    expect.arrayContaining(["_prisma_migrations", "account", "jwks", "resilience_probe", "session", "task", "user", "verification"]),
  );
  const [probe] = await sql<{ n: number; lo: number; hi: number }>(
    cluster.url,
    `SELECT count(*)::int AS n, min(n) AS lo, max(n) AS hi FROM "resilience_probe"`,
  );
  expect(probe).toEqual({ n: PROBE_ROWS, lo: 1, hi: PROBE_ROWS });
  const index = await sql(cluster.url, `SELECT 1 FROM pg_indexes WHERE indexname = 'resilience_probe_n_idx'`);
  expect(index).toHaveLength(1);
  // Nobody is left holding the migration lock.
  const locks = await sql(cluster.url, `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1`, [PRISMA_LOCK_KEY]);
  expect(locks).toHaveLength(0);
}

async function lockHeld(): Promise<boolean> {
  const rows = await sql(cluster.url, `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted`, [PRISMA_LOCK_KEY]);
  return rows.length > 0;
}

beforeAll(async () => {
  assertBuilt(programs.migrator);
  dir = mkdtempSync(path.join(tmpdir(), "authbridge-resilience-migrations-"));
  migrationsDir = path.join(dir, "migrations");
  cpSync(path.join(repoRoot, "migrator", "prisma", "migrations"), migrationsDir, { recursive: true });
  mkdirSync(path.join(migrationsDir, SLOW));
  writeFileSync(path.join(migrationsDir, SLOW, "migration.sql"), SLOW_SQL);
  cluster = await startCluster();
  env = { DATABASE_URL: cluster.url, MIGRATIONS_DIR: migrationsDir, MIGRATE_RUNNER: "builtin", LOG_LEVEL: "info", MIGRATE_WAIT_SECONDS: "10" };
});

afterAll(async () => {
  await stopAllPrograms();
  await cluster?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Polls a condition of the running migration (every 20 ms, 20 s at most) while the migrator runs. */
const reachedWhileRunning = (condition: () => Promise<boolean>, child: Program) =>
  waitFor(() => condition().catch(() => false), { timeoutMs: 20_000, intervalMs: 20, what: "the migration to reach that point", program: child });

const slowMigrationSleeping = async () =>
  (await sql(cluster.url, `SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(0.8)%' AND state = 'active' AND pid <> pg_backend_pid()`))
    .length > 0;

test("SIGKILL while the slow migration runs (lock held, the committed migrations done), then a re-run: fully migrated and consistent", async () => {
  await resetDatabase();
  const child = startProgram("migrator", programs.migrator, { env, logDir: logsDir });
  expect(await reachedWhileRunning(slowMigrationSleeping, child)).toBe(true);
  expect(await lockHeld()).toBe(true);
  const committed = await sql<{ migration_name: string }>(cluster.url, "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL");
  // Every migration before the slow one (the last by name) has committed; the slow one has not.
  const before = readdirSync(migrationsDir)
    .filter((n) => !n.endsWith(".toml"))
    .sort()
    .slice(0, -1);
  expect(committed.map((r) => r.migration_name).sort()).toEqual(before);
  child.process.kill("SIGKILL");
  expect((await child.exited).signal).toBe("SIGKILL");

  const started = Date.now();
  const rerun = await runMigrator(env, { logDir: logsDir });
  const rerunMs = Date.now() - started;
  expect(rerun.code).toBe(0);
  await expectConsistent();
  const again = await runMigrator(env, { logDir: logsDir });
  expect(again.code).toBe(0);
  const messages = again.program.lines.map((line) => (JSON.parse(line) as { msg?: string }).msg);
  expect(messages).toContainEqual(expect.stringMatching(/: 0 applied, \d+ already applied$/));
  record(
    { faults: 1, failures: 0 },
    { killedDuring: SLOW, rerunMs, migrationsApplied: readdirSync(migrationsDir).filter((n) => !n.endsWith(".toml")).length },
  );
});

// Moments spread over a run, each an event seen in the database (not a guessed delay, which a busy
// machine would shift): the lock just taken, the first migration committed, the slow one running.
const KILL_POINTS: [string, () => Promise<boolean>][] = [
  ["migration lock taken", () => lockHeld()],
  ["first migration committed", async () => (await sql(cluster.url, "SELECT 1 FROM _prisma_migrations WHERE finished_at IS NOT NULL")).length > 0],
  ["slow migration running", slowMigrationSleeping],
];

test("SIGKILL at spread-out moments of a run, each followed by a re-run: always fully migrated and consistent", async () => {
  const outcomes: { at: string; committedAtKill: number; rerunMs: number }[] = [];
  let failures = 0;
  for (const [at, reached] of KILL_POINTS) {
    await resetDatabase();
    const child = startProgram("migrator", programs.migrator, { env, logDir: logsDir });
    expect(await reachedWhileRunning(reached, child)).toBe(true);
    child.process.kill("SIGKILL");
    expect((await child.exited).signal).toBe("SIGKILL");
    const committed = await sql(cluster.url, "SELECT 1 FROM _prisma_migrations WHERE finished_at IS NOT NULL").catch(() => []);
    const started = Date.now();
    const rerun = await runMigrator(env, { logDir: logsDir });
    outcomes.push({ at, committedAtKill: committed.length, rerunMs: Date.now() - started });
    if (rerun.code !== 0) failures++;
    expect(rerun.code).toBe(0);
    await expectConsistent();
  }
  record({ faults: outcomes.length, failures }, { kills: outcomes });
});
