// The native path: with Prisma's schema engine present the migrator hands over to
// `prisma migrate deploy`, streams its output and exits with its status.
import { startCluster, type Cluster } from "@authbridge/testing/pg";
import { findSchemaEngine } from "../src/engine/native";
import { committedMigrations, freshDatabase, passwordOf, runMigrator } from "./support";

let cluster: Cluster | undefined;

beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster?.destroy();
});

async function database(): Promise<string> {
  if (!cluster) throw new Error("cluster did not start");
  return freshDatabase(cluster);
}

test("an installed engine selects the native path; prisma's output streams and its failure is the exit status", async () => {
  const url = await database();
  // /bin/false stands in for an engine that fails: prisma reports it and exits 1.
  const run = await runMigrator({ DATABASE_URL: url, PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false" });
  expect(run.messages.stdout).toMatch(/path: native, Prisma's schema engine is installed \(\/bin\/false\); running prisma migrate deploy/);
  expect(run.messages.all).toMatch(/Schema engine exited/);
  expect(run.code).toBe(1);
  expect(run.output).not.toContain(passwordOf(url));
});

test("PRISMA_SCHEMA_ENGINE_BINARY naming no executable: exit 2 before connecting", async () => {
  const run = await runMigrator({ DATABASE_URL: await database(), PRISMA_SCHEMA_ENGINE_BINARY: "/nonexistent/schema-engine" });
  expect(run.code).toBe(2);
  expect(run.messages.stderr).toBe("PRISMA_SCHEMA_ENGINE_BINARY does not name an executable file");
  expect(run.stdout).toBe("");
});

const engine = findSchemaEngine("");
if (!engine) {
  console.log(
    "skipped: Prisma's native schema engine is not installed here (its download host is unreachable), so `prisma migrate deploy` cannot run for real",
  );
}
const withEngine = engine ? test : test.skip;
const withoutEngine = engine ? test.skip : test;

withoutEngine("no engine installed: auto takes the built-in runner and says so", async () => {
  const run = await runMigrator({ DATABASE_URL: await database() });
  expect(run.code).toBe(0);
  expect(run.messages.stdout).toMatch(/path: built-in runner, Prisma's native schema engine is not installed/);
});

withoutEngine("no engine installed: MIGRATE_RUNNER=prisma is refused with exit 2", async () => {
  const run = await runMigrator({ DATABASE_URL: await database(), MIGRATE_RUNNER: "prisma" });
  expect(run.code).toBe(2);
  expect(run.messages.stderr).toMatch(/MIGRATE_RUNNER is prisma but Prisma's native schema engine is not installed/);
});

withEngine("with the real engine, each path sees the other's database as fully migrated", async () => {
  const byPrisma = await database();
  expect((await runMigrator({ DATABASE_URL: byPrisma, MIGRATE_RUNNER: "prisma" })).code).toBe(0);
  const builtinAfter = await runMigrator({ DATABASE_URL: byPrisma, MIGRATE_RUNNER: "builtin" });
  expect(builtinAfter.code).toBe(0);
  expect(builtinAfter.messages.stdout).toMatch(new RegExp(`0 applied, ${committedMigrations.length} already applied`));

  const byBuiltin = await database();
  expect((await runMigrator({ DATABASE_URL: byBuiltin, MIGRATE_RUNNER: "builtin" })).code).toBe(0);
  const prismaAfter = await runMigrator({ DATABASE_URL: byBuiltin, MIGRATE_RUNNER: "prisma" });
  expect(prismaAfter.code).toBe(0);
  expect(prismaAfter.messages.all).toMatch(/No pending migrations to apply/);
});
