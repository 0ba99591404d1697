// The caller's environment wins over .env, as with dotenv and Compose: in every script that loads
// .env (scripts/load-env.sh) and so in every make target, with real databases for `make migrate`.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client } from "pg";
import { type Cluster, repoRoot, startCluster } from "@authbridge/testing/pg";

/** A copy of the repository's entry points (Makefile, scripts/) whose .env is the test's own. */
function sandbox(envText: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "authbridge-precedence-"));
  cpSync(path.join(repoRoot, "scripts"), path.join(dir, "scripts"), { recursive: true });
  for (const file of ["Makefile", ".env.example"]) cpSync(path.join(repoRoot, file), path.join(dir, file));
  // The built migrator, as `make test` leaves it.
  symlinkSync(path.join(repoRoot, "migrator"), path.join(dir, "migrator"));
  writeFileSync(path.join(dir, ".env"), envText, { mode: 0o600 });
  return dir;
}

/** The caller's environment: PATH and exactly the variables given (no stray DATABASE_URL). */
function run(command: string, args: string[], cwd: string, env: Record<string, string>) {
  return spawnSync(command, args, { cwd, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env } });
}

async function migrationsIn(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const table = await client.query<{ t: string | null }>("SELECT to_regclass('_prisma_migrations')::text AS t");
    if (!table.rows[0]?.t) return 0;
    const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL");
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("scripts/load-env.sh", () => {
  const show = `. scripts/load-env.sh; for n in GIVEN EMPTY ABSENT DERIVED; do printf '%s=[%s]\\n' "$n" "\${!n-unset}"; done`;

  test("a variable set by the caller, even to empty, keeps its value; the rest come from .env, derived values included", () => {
    const dir = sandbox(`GIVEN=from-file\nEMPTY=from-file\nABSENT="from file"\nexport DERIVED="x-\${GIVEN}"\n`);
    dirs.push(dir);
    const result = run("bash", ["-c", show], dir, { GIVEN: "from-caller", EMPTY: "" });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("GIVEN=[from-caller]\nEMPTY=[]\nABSENT=[from file]\nDERIVED=[x-from-caller]\n");
  });

  test("with nothing set by the caller, .env is loaded unchanged", () => {
    const dir = sandbox(`GIVEN=from-file\nEMPTY=from-file\nABSENT="from file"\nexport DERIVED="x-\${GIVEN}"\n`);
    dirs.push(dir);
    expect(run("bash", ["-c", show], dir, {}).stdout).toBe("GIVEN=[from-file]\nEMPTY=[from-file]\nABSENT=[from file]\nDERIVED=[x-from-file]\n");
  });
});

describe("make migrate", () => {
  let envDb: Cluster;
  let otherDb: Cluster;
  beforeAll(async () => {
    [envDb, otherDb] = await Promise.all([startCluster(), startCluster()]);
  });
  afterAll(async () => {
    await Promise.all([envDb?.destroy(), otherDb?.destroy()]);
  });

  test("DATABASE_URL=<other> make migrate migrates the other database, not the one in .env (whose DIRECT_URL is set too)", async () => {
    const dir = sandbox(`DATABASE_URL="${envDb.url}"\nDIRECT_URL="${envDb.url}"\nLOG_LEVEL=warn\n`);
    dirs.push(dir);
    const result = run("make", ["--no-print-directory", "migrate"], dir, { DATABASE_URL: otherDb.url });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("DIRECT_URL of .env is not used");
    const applied = await migrationsIn(otherDb.url);
    expect(applied).toBeGreaterThan(0);
    expect(await migrationsIn(envDb.url)).toBe(0);
    // And the same command names both ways a caller may: make's own argument syntax too.
    const again = run("make", ["--no-print-directory", "migrate", `DIRECT_URL=${otherDb.url}`], dir, {});
    expect(again.status).toBe(0);
    expect(await migrationsIn(envDb.url)).toBe(0);
  });

  test("an empty DIRECT_URL from the caller overrides .env's, so DATABASE_URL is used", async () => {
    const dir = sandbox(
      `DATABASE_URL="postgresql://nobody@127.0.0.1:1/none?sslmode=require"\nDIRECT_URL="postgresql://nobody@127.0.0.1:1/none?sslmode=require"\n`,
    );
    dirs.push(dir);
    const result = run("bash", ["scripts/migrate.sh"], dir, { DATABASE_URL: otherDb.url, DIRECT_URL: "" });
    expect(result.status).toBe(0);
    expect(await migrationsIn(otherDb.url)).toBeGreaterThan(0);
  });

  test("a plaintext DATABASE_URL from the caller is refused with exit 2 and the sslmode message, .env's TLS URL notwithstanding", async () => {
    const dir = sandbox(`DATABASE_URL="${envDb.url}"\n`);
    dirs.push(dir);
    const plaintext = new URL(otherDb.url);
    plaintext.search = "?sslmode=disable";
    expect(plaintext.password).not.toBe("");
    for (const [command, args] of [
      ["make", ["--no-print-directory", "migrate"]],
      ["bash", ["scripts/migrate.sh"]],
    ] as const) {
      const result = run(command, [...args], dir, { DATABASE_URL: plaintext.toString() });
      expect(result.status).toBe(2);
      expect(result.stdout + result.stderr).toMatch(/DATABASE_URL has sslmode=disable: migrations need sslmode=require exactly/);
      expect(result.stdout + result.stderr).not.toContain(plaintext.password);
    }
    expect(await migrationsIn(envDb.url)).toBe(0);
  });
});
