// The built-in runner against a real TLS cluster: applies, is idempotent, serialises concurrent
// runs, keeps Prisma's bookkeeping, refuses edited history, and rolls a failing migration back.
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startCluster, type Cluster } from "@authbridge/testing/pg";
import { committedMigrations, freshDatabase, migrationsDir, passwordOf, runMigrator, withDatabase, type Run } from "./support";

const init = "20261123154000_init";
const committed = committedMigrations.length;
let cluster: Cluster | undefined;
let scratch: string;
const runs: Run[] = [];

async function migrate(url: string, extra: Record<string, string> = {}): Promise<Run> {
  const run = await runMigrator({ DATABASE_URL: url, MIGRATE_RUNNER: "builtin", ...extra });
  runs.push(run);
  return run;
}

async function newDatabase(): Promise<string> {
  if (!cluster) throw new Error("cluster did not start");
  return freshDatabase(cluster);
}

/** A copy of the committed migrations to tamper with. */
function migrationsCopy(): string {
  const dir = mkdtempSync(path.join(scratch, "migrations-"));
  cpSync(migrationsDir, dir, { recursive: true });
  return dir;
}

const tables = (url: string) =>
  withDatabase(url, async (db) =>
    (await db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")).rows.map(
      (row) => row.table_name,
    ),
  );
const history = (url: string) =>
  withDatabase(url, async (db) => (await db.query("SELECT * FROM _prisma_migrations ORDER BY started_at")).rows as Record<string, unknown>[]);

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "authbridge-migrator-"));
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster?.destroy();
  rmSync(scratch, { recursive: true, force: true });
  // Every run of this file, successful or not: the password never reaches the output.
  expect(runs.length).toBeGreaterThan(5);
  for (const run of runs) expect(run.output).not.toContain(passwordOf(cluster?.url ?? "postgresql://x:never@h/d"));
});

test("a fresh database: says which path it took, applies the committed migrations, exit 0", async () => {
  const url = await newDatabase();
  const run = await migrate(url);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.messages.stdout).toMatch(
    /path: built-in runner, chosen by MIGRATE_RUNNER; applying .*prisma\/migrations with Prisma-compatible bookkeeping/,
  );
  expect(run.messages.stdout).toMatch(new RegExp(`applied ${init} in \\d+ ms`));
  expect(run.messages.stdout).toMatch(new RegExp(`done in \\d+ ms: ${committed} applied, 0 already applied`));
  expect(await tables(url)).toEqual([
    "_prisma_migrations",
    "account",
    "jwks",
    "rate_limit",
    "session",
    "sign_in_failure",
    "task",
    "user",
    "verification",
  ]);
});

test("the bookkeeping rows look like Prisma's", async () => {
  const url = await newDatabase();
  expect((await migrate(url)).code).toBe(0);
  const columns = await withDatabase(
    url,
    async (db) =>
      (
        await db.query<{
          column_name: string;
          data_type: string;
          is_nullable: string;
          column_default: string | null;
          character_maximum_length: number | null;
        }>(
          "SELECT column_name, data_type, is_nullable, column_default, character_maximum_length FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position",
        )
      ).rows,
  );
  expect(columns).toEqual([
    { column_name: "id", data_type: "character varying", is_nullable: "NO", column_default: null, character_maximum_length: 36 },
    { column_name: "checksum", data_type: "character varying", is_nullable: "NO", column_default: null, character_maximum_length: 64 },
    { column_name: "finished_at", data_type: "timestamp with time zone", is_nullable: "YES", column_default: null, character_maximum_length: null },
    { column_name: "migration_name", data_type: "character varying", is_nullable: "NO", column_default: null, character_maximum_length: 255 },
    { column_name: "logs", data_type: "text", is_nullable: "YES", column_default: null, character_maximum_length: null },
    {
      column_name: "rolled_back_at",
      data_type: "timestamp with time zone",
      is_nullable: "YES",
      column_default: null,
      character_maximum_length: null,
    },
    { column_name: "started_at", data_type: "timestamp with time zone", is_nullable: "NO", column_default: "now()", character_maximum_length: null },
    { column_name: "applied_steps_count", data_type: "integer", is_nullable: "NO", column_default: "0", character_maximum_length: null },
  ]);
  const rows = await history(url);
  expect(rows.map((row) => row.migration_name)).toEqual(committedMigrations);
  for (const row of rows) {
    const sql = readFileSync(path.join(migrationsDir, String(row.migration_name), "migration.sql"));
    expect(row).toMatchObject({
      checksum: createHash("sha256").update(sql).digest("hex"),
      logs: null,
      rolled_back_at: null,
      applied_steps_count: 1,
    });
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(row.finished_at).toBeInstanceOf(Date);
    expect((row.finished_at as Date).getTime()).toBeGreaterThanOrEqual((row.started_at as Date).getTime());
  }
});

test("the schema has Prisma's constraint names and the hand-written title check", async () => {
  const url = await newDatabase();
  expect((await migrate(url)).code).toBe(0);
  await withDatabase(url, async (db) => {
    const constraints = (
      await db.query<{ conname: string }>(
        "SELECT conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conname NOT LIKE '_prisma%' ORDER BY 1",
      )
    ).rows.map((row) => row.conname);
    expect(constraints).toEqual([
      "account_pkey",
      "account_userId_fkey",
      "jwks_pkey",
      "rate_limit_pkey",
      "session_pkey",
      "session_userId_fkey",
      "sign_in_failure_pkey",
      "task_pkey",
      "task_title_not_blank",
      "task_userId_fkey",
      "user_pkey",
      "verification_pkey",
    ]);
    const indexes = (
      await db.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' ORDER BY 1")
    ).rows.map((row) => row.indexname);
    expect(indexes).toEqual([
      "account_userId_idx",
      "rate_limit_key_key",
      "session_token_key",
      "session_userId_idx",
      "sign_in_failure_lastFailureAt_idx",
      "task_userId_createdAt_id_idx",
      "user_email_key",
      "verification_identifier_idx",
    ]);
    await db.query(`INSERT INTO "user" (id, name, email) VALUES ('u1', 'Ada', 'ada@example.com')`);
    // Row-level security on task is forced, for the owner too: this connection acts for u1.
    await db.query("SELECT set_config('app.user_id', 'u1', false)");
    const insertTask = (title: string) =>
      db.query(`INSERT INTO task (id, "userId", title, "updatedAt") VALUES (gen_random_uuid(), 'u1', $1, now())`, [title]);
    await expect(insertTask("   ")).rejects.toMatchObject({ code: "23514", constraint: "task_title_not_blank" });
    await expect(insertTask("x".repeat(201))).rejects.toMatchObject({ code: "22001" });
    await insertTask("x".repeat(200));
    expect((await db.query("SELECT count(*)::int AS n FROM task")).rows[0]).toEqual({ n: 1 });
    await db.query(`DELETE FROM "user" WHERE id = 'u1'`);
    expect((await db.query("SELECT count(*)::int AS n FROM task")).rows[0]).toEqual({ n: 0 });
  });
});

test("a second run is a no-op that exits 0", async () => {
  const url = await newDatabase();
  expect((await migrate(url)).code).toBe(0);
  const before = await history(url);
  const again = await migrate(url);
  expect(again.code).toBe(0);
  expect(again.messages.stdout).toMatch(new RegExp(`no pending migrations \\(${committed} already applied\\)`));
  expect(again.messages.stdout).toMatch(new RegExp(`0 applied, ${committed} already applied`));
  expect(await history(url)).toEqual(before);
});

test("two migrators started at once both exit 0 and apply the migration once", async () => {
  const url = await newDatabase();
  const [a, b] = await Promise.all([migrate(url), migrate(url)]);
  expect([a.code, b.code]).toEqual([0, 0]);
  const applied = [a, b].filter((run) => run.messages.stdout.includes("applied 20261123154000_init in"));
  expect(applied).toHaveLength(1);
  expect(await history(url)).toHaveLength(committed);
});

test("an applied migration whose file changed: Prisma's error, exit 1, nothing applied", async () => {
  const url = await newDatabase();
  expect((await migrate(url)).code).toBe(0);
  const dir = migrationsCopy();
  writeFileSync(path.join(dir, init, "migration.sql"), `${readFileSync(path.join(dir, init, "migration.sql"), "utf8")}\n-- edited\n`);
  mkdirSync(path.join(dir, "20991231000000_next"));
  writeFileSync(path.join(dir, "20991231000000_next", "migration.sql"), "CREATE TABLE after_edit (id INT);\n");
  const run = await migrate(url, { MIGRATIONS_DIR: dir });
  expect(run.code).toBe(1);
  expect(run.messages.stderr).toMatch(/The migration `20261123154000_init` was modified after it was applied\./);
  expect(await tables(url)).not.toContain("after_edit");
});

test("line endings alone (CRLF checkout) do not count as a change", async () => {
  const url = await newDatabase();
  expect((await migrate(url)).code).toBe(0);
  const dir = migrationsCopy();
  const file = path.join(dir, init, "migration.sql");
  writeFileSync(file, readFileSync(file, "utf8").replace(/\n/g, "\r\n"));
  const run = await migrate(url, { MIGRATIONS_DIR: dir });
  expect(run.code).toBe(0);
});

test("a failing migration is rolled back whole: database unchanged, exit 1; fixed, it applies", async () => {
  const url = await newDatabase();
  expect((await migrate(url)).code).toBe(0);
  const before = { tables: await tables(url), history: await history(url) };
  const dir = migrationsCopy();
  const next = path.join(dir, "20991231000000_broken");
  mkdirSync(next);
  writeFileSync(path.join(next, "migration.sql"), `CREATE TABLE half_done (id INT);\nALTER TABLE "task" ADD COLUMN "note" TEXT;\nSELECT 1 / 0;\n`);
  const run = await migrate(url, { MIGRATIONS_DIR: dir });
  expect(run.code).toBe(1);
  expect(run.messages.stderr).toMatch(/Migration `20991231000000_broken` failed to apply and was rolled back; the database is unchanged/);
  expect(run.messages.stderr).toMatch(/Database error code: 22012/);
  expect(await tables(url)).toEqual(before.tables);
  expect(await history(url)).toEqual(before.history);
  const columns = await withDatabase(
    url,
    async (db) =>
      (
        await db.query<{ column_name: string }>(
          "SELECT column_name FROM information_schema.columns WHERE table_name = 'task' AND column_name = 'note'",
        )
      ).rows,
  );
  expect(columns).toEqual([]);

  writeFileSync(path.join(next, "migration.sql"), `CREATE TABLE half_done (id INT);\n`);
  const fixed = await migrate(url, { MIGRATIONS_DIR: dir });
  expect(fixed.code).toBe(0);
  expect(fixed.messages.stdout).toMatch(new RegExp(`1 applied, ${committed} already applied`));
  expect((await history(url)).map((row) => row.migration_name)).toEqual([...committedMigrations, "20991231000000_broken"]);
});

test("a failed migration recorded by Prisma blocks further migrations (P3009), exit 1", async () => {
  const url = await newDatabase();
  expect((await migrate(url)).code).toBe(0);
  await withDatabase(url, (db) =>
    db.query(
      "INSERT INTO _prisma_migrations (id, checksum, migration_name, logs) VALUES (gen_random_uuid(), repeat('0', 64), '20261130000000_crashed', 'boom')",
    ),
  );
  const run = await migrate(url);
  expect(run.code).toBe(1);
  expect(run.messages.stderr).toMatch(/migrate found failed migrations in the target database, new migrations will not be applied/);
  expect(run.messages.stderr).toMatch(/The `20261130000000_crashed` migration started at .* failed/);
});
