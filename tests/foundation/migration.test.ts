// `make migration NAME=...` (scripts/migration.sh) on copies of the schema and the migrations, never
// the real ones: a field added to the copy becomes a migration in Prisma's style that applies on a
// real throw-away TLS cluster after the committed migrations; a bad NAME, an unchanged schema and a
// taken NAME are refused and write nothing.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client } from "pg";
import { migrate } from "@authbridge/testing/migrator";
import { type Cluster, repoRoot, startCluster } from "@authbridge/testing/pg";

const script = path.join(repoRoot, "scripts", "migration.sh");
const realSchema = path.join(repoRoot, "migrator", "prisma", "schema.prisma");
const realMigrations = path.join(repoRoot, "migrator", "prisma", "migrations");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function runMigration(name: string, env: Record<string, string>): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile("bash", [script, name], { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 300_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const fingerprint = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

describe("make migration NAME=... (scripts/migration.sh)", () => {
  let work: string;
  let env: Record<string, string>;
  const real = { schema: "", migrations: [] as string[] };

  beforeAll(() => {
    real.schema = fingerprint(realSchema);
    real.migrations = readdirSync(realMigrations);
    work = mkdtempSync(path.join(tmpdir(), "authbridge-migration-test-"));
    cpSync(realMigrations, path.join(work, "migrations"), { recursive: true });
    cpSync(realSchema, path.join(work, "committed.prisma"));
    const schema = readFileSync(realSchema, "utf8");
    expect(schema).toMatch(/^model Task \{$/m);
    writeFileSync(path.join(work, "schema.prisma"), schema.replace(/^model Task \{$/m, "model Task {\n  priority  Int      @default(0)"));
    env = {
      MIGRATION_SCHEMA: path.join(work, "schema.prisma"),
      MIGRATION_FROM_SCHEMA: path.join(work, "committed.prisma"),
      MIGRATIONS_DIR: path.join(work, "migrations"),
    };
  });

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    // The real schema and migrations were never touched.
    expect(fingerprint(realSchema)).toBe(real.schema);
    expect(readdirSync(realMigrations)).toEqual(real.migrations);
  });

  const newFolders = () => readdirSync(path.join(work, "migrations")).filter((n) => !real.migrations.includes(n));

  test("a bad NAME is refused before anything starts", async () => {
    for (const name of ["", "Add-Priority", "1st", "add priority", "../escape", "x".repeat(64)]) {
      const result = await runMigration(name, env);
      expect([name, result.code]).toEqual([name, 1]);
      expect(result.stderr).toContain("NAME must be snake_case");
    }
    expect(newFolders()).toEqual([]);
  });

  test("an unchanged schema is refused and nothing is written", async () => {
    const result = await runMigration("nothing_changed", { ...env, MIGRATION_SCHEMA: path.join(work, "committed.prisma") });
    console.log(`make migration with no change: exit ${result.code} after ${result.ms} ms`);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no schema change");
    expect(newFolders()).toEqual([]);
  }, 300_000);

  describe("a field added to the schema", () => {
    let cluster: Cluster | undefined;
    afterAll(async () => {
      await cluster?.destroy();
    });

    test("becomes <UTC timestamp>_<name>/migration.sql in Prisma's style, printed, and it applies after the committed migrations", async () => {
      const before = Date.now();
      const result = await runMigration("add_task_priority", env);
      console.log(`make migration add_task_priority: exit ${result.code} after ${result.ms} ms`);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const made = newFolders();
      expect(made).toHaveLength(1);
      const folder = made[0] ?? "";
      expect(folder).toMatch(/^\d{14}_add_task_priority$/);
      const stamp = folder.slice(0, 14);
      const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(8, 10)}:${stamp.slice(10, 12)}:${stamp.slice(12, 14)}Z`;
      expect(Math.abs(Date.parse(iso) - before)).toBeLessThan(result.ms + 5_000);
      const sql = readFileSync(path.join(work, "migrations", folder, "migration.sql"), "utf8");
      expect(sql).toMatch(/^-- AlterTable\nALTER TABLE "task" ADD COLUMN\s+"priority" INTEGER NOT NULL DEFAULT 0;\s*$/);
      expect(result.stdout).toContain(`${folder}/migration.sql`);
      expect(result.stdout).toContain(sql.trim());

      // Applied independently of the command's own check: the real migrator, a fresh TLS cluster.
      cluster = await startCluster();
      await migrate(cluster.url, { env: { MIGRATE_RUNNER: "builtin", MIGRATIONS_DIR: path.join(work, "migrations") } });
      const client = new Client({ connectionString: cluster.url.replace("sslmode=require", "sslmode=verify-full") });
      await client.connect();
      try {
        const applied = await client.query<{ migration_name: string }>("SELECT migration_name FROM _prisma_migrations ORDER BY migration_name");
        expect(applied.rows.map((r) => r.migration_name)).toEqual([...real.migrations.filter((n) => /^\d{14}_/.test(n)), folder]);
        const column = await client.query<{ data_type: string; column_default: string; is_nullable: string }>(
          "SELECT data_type, column_default, is_nullable FROM information_schema.columns WHERE table_name = 'task' AND column_name = 'priority'",
        );
        expect(column.rows).toEqual([{ data_type: "integer", column_default: "0", is_nullable: "NO" }]);
      } finally {
        await client.end();
      }
    }, 300_000);

    test("the same NAME again is refused", async () => {
      const result = await runMigration("add_task_priority", env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("a migration named add_task_priority exists already");
      expect(newFolders()).toHaveLength(1);
    });
  });
});
