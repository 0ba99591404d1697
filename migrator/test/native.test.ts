// The native path: with Prisma's schema engine present the migrator hands over to
// `prisma migrate deploy`, streams its output and exits with its status.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startCluster, type Cluster } from "@authbridge/testing/pg";
import { engineUrl, findSchemaEngine } from "../src/engine/native";
import { committedMigrations, freshDatabase, otherCaCertificate, passwordOf, runMigrator } from "./support";

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

test("the engine gets sslaccept=strict and the URL's CA as sslcert, so it verifies like the built-in runner", () => {
  const local = new URL(engineUrl(new URL("postgresql://o:p@127.0.0.1:5433/db?sslmode=require&sslrootcert=/data/tls/ca.crt")));
  expect(local.searchParams.get("sslmode")).toBe("require");
  expect(local.searchParams.get("sslaccept")).toBe("strict");
  expect(local.searchParams.get("sslcert")).toBe("/data/tls/ca.crt");
  expect(local.searchParams.has("sslrootcert")).toBe(false);
  // Neon: no CA file, the system's store; a URL's own sslaccept=accept_invalid_certs is overridden.
  const neon = new URL(engineUrl(new URL("postgresql://o:p@ep-x.aws.neon.tech/db?sslmode=require&sslaccept=accept_invalid_certs")));
  expect(neon.searchParams.getAll("sslaccept")).toEqual(["strict"]);
  expect(neon.searchParams.has("sslcert")).toBe(false);
});

withEngine("with the real engine, a server certificate from another CA is refused by prisma migrate deploy itself", async () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "authbridge-other-ca-"));
  try {
    const cert = otherCaCertificate(scratch);
    const url = new URL(await database());
    url.searchParams.set("sslrootcert", cert);
    const cli = path.join(path.dirname(require.resolve("prisma/package.json")), "build", "index.js");
    const deploy = (directUrl: string) =>
      spawnSync(process.execPath, [cli, "migrate", "deploy"], {
        cwd: path.resolve(__dirname, ".."),
        env: { ...process.env, DIRECT_URL: directUrl },
        encoding: "utf8",
      });
    const strict = deploy(engineUrl(url));
    expect(strict.status).not.toBe(0);
    expect(`${strict.stdout}${strict.stderr}`).toMatch(/certificate|TLS|tls/);
    // The probe can succeed: the engine's own default (sslmode=require alone) accepts that server.
    url.searchParams.delete("sslrootcert");
    expect(deploy(url.href).status).toBe(0);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
