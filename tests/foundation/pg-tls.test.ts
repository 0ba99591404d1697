import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TLSSocket } from "node:tls";
import { Client } from "pg";
import { type Cluster, freePort, repoRoot, startCluster } from "@authbridge/testing/pg";

async function query(url: string, sql: string): Promise<{ value: unknown; socket: TLSSocket }> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const result = await client.query<Record<string, unknown>>(sql);
    const socket = (client as unknown as { connection: { stream: TLSSocket } }).connection.stream;
    return { value: Object.values(result.rows[0] ?? {})[0], socket };
  } finally {
    await client.end();
  }
}

const withParam = (url: string, key: string, value: string | null) => {
  const u = new URL(url);
  if (value === null) u.searchParams.delete(key);
  else u.searchParams.set(key, value);
  return u.toString();
};

describe("local TLS PostgreSQL (scripts/pg-tls.sh)", () => {
  let tls: Cluster;
  let plain: Cluster;
  beforeAll(async () => {
    [tls, plain] = await Promise.all([startCluster(), startCluster({ ssl: false })]);
  });
  afterAll(async () => {
    await Promise.all([tls?.destroy(), plain?.destroy()]);
  });

  test("the printed URL connects over verified TLS", async () => {
    expect(new URL(tls.url).searchParams.get("sslmode")).toBe("require");
    const { value, socket } = await query(tls.url, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    expect(value).toBe(true);
    expect(socket.encrypted).toBe(true);
    expect(socket.authorized).toBe(true);
  });

  test("plaintext connections are rejected by pg_hba", async () => {
    await expect(query(withParam(tls.url, "sslmode", "disable"), "SELECT 1")).rejects.toThrow(/no encryption/);
  });

  test("a certificate from another CA is refused (the URL verifies, it does not only encrypt)", async () => {
    const other = await startCluster();
    try {
      const foreignCa = new URL(other.url).searchParams.get("sslrootcert");
      await expect(query(withParam(tls.url, "sslrootcert", foreignCa), "SELECT 1")).rejects.toThrow(/certificate/);
    } finally {
      await other.destroy();
    }
  });

  test("start is idempotent and a restart keeps the data", async () => {
    await query(tls.url, "CREATE TABLE kept AS SELECT 42 AS v");
    await tls.start();
    await tls.pause();
    await expect(query(tls.url, "SELECT 1")).rejects.toThrow();
    await tls.start();
    expect((await query(tls.url, "SELECT v FROM kept")).value).toBe(42);
  });

  test("the --no-ssl cluster runs without TLS, for the negative cases", async () => {
    expect(new URL(plain.url).searchParams.get("sslmode")).toBe("disable");
    expect((await query(plain.url, "SHOW ssl")).value).toBe("off");
    await expect(query(withParam(plain.url, "sslmode", "no-verify"), "SELECT 1")).rejects.toThrow(/does not support SSL/);
  });
});

// As root the script runs the server as the postgres user; as anyone else it runs it as itself.
// When the suite runs as root, the second path is taken by running the script as `postgres`.
const asNormalUser = process.getuid?.() === 0 ? test : test.skip;
if (process.getuid?.() !== 0) console.log("skipped: the suite already runs as a normal user, so every cluster above took that path");

asNormalUser("a normal user (not root) can make, use and stop a cluster", async () => {
  const base = mkdtempSync(path.join(tmpdir(), "authbridge-nonroot-"));
  execFileSync("chown", ["postgres", base]);
  const script = path.join(repoRoot, "scripts/pg-tls.sh");
  const asPostgres = (...args: string[]) => execFileSync("runuser", ["-u", "postgres", "--", "bash", script, ...args], { encoding: "utf8" }).trim();
  try {
    const url = asPostgres("start", path.join(base, "pg"), String(await freePort()));
    expect((await query(url, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).value).toBe(true);
    expect(execFileSync("stat", ["-c", "%U", path.join(base, "pg", "data")], { encoding: "utf8" }).trim()).toBe("postgres");
  } finally {
    asPostgres("stop", path.join(base, "pg"));
    rmSync(base, { recursive: true, force: true });
  }
});

describe("make db", () => {
  let sandbox: string;
  afterAll(() => {
    execFileSync("bash", [path.join(repoRoot, "scripts/pg-tls.sh"), "stop", path.join(sandbox, ".data/postgres")]);
    rmSync(sandbox, { recursive: true, force: true });
  });

  test("starts the cluster of .env and prints the very DATABASE_URL that make env wrote", async () => {
    sandbox = mkdtempSync(path.join(tmpdir(), "authbridge-makedb-"));
    chmodSync(sandbox, 0o755);
    cpSync(path.join(repoRoot, "scripts"), path.join(sandbox, "scripts"), { recursive: true });
    const port = await freePort();
    const example = readFileSync(path.join(repoRoot, ".env.example"), "utf8").replace(/^DB_PORT=.*$/m, `DB_PORT=${port}`);
    writeFileSync(path.join(sandbox, ".env.example"), example);
    const run = () => execFileSync("bash", [path.join(sandbox, "scripts/db.sh")], { encoding: "utf8" });

    const first = run();
    const printed = /^DATABASE_URL="(.+)"$/m.exec(first)?.[1];
    const written = /^DATABASE_URL="(.+)"$/m.exec(readFileSync(path.join(sandbox, ".env"), "utf8"))?.[1];
    expect(printed).toBeDefined();
    expect(printed).toBe(written);
    expect((await query(printed ?? "", "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).value).toBe(true);
    expect(/^DATABASE_URL="(.+)"$/m.exec(run())?.[1]).toBe(printed); // a second `make db` changes nothing
  });
});
