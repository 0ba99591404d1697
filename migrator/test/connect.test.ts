// The wait-for-TLS step: plaintext-only servers, foreign certificates and bad logins fail at once;
// an unreachable server exits 3 after the budget; a server that comes up late is waited for.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, startCluster, type Cluster } from "@authbridge/testing/pg";
import { freshDatabase, otherCaCertificate, passwordOf, runMigrator, withSslMode } from "./support";

let tls: Cluster | undefined;
let plain: Cluster | undefined;
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "authbridge-migrator-"));
  [tls, plain] = await Promise.all([startCluster(), startCluster({ ssl: false })]);
});
afterAll(async () => {
  await Promise.allSettled([tls?.destroy(), plain?.destroy()]);
  rmSync(scratch, { recursive: true, force: true });
});

function cluster(which: Cluster | undefined): Cluster {
  if (!which) throw new Error("cluster did not start");
  return which;
}

test("a server without TLS: clear message, exit 4, at once although the budget is long", async () => {
  const url = withSslMode(cluster(plain).url, "require");
  const run = await runMigrator({ DATABASE_URL: url, MIGRATE_WAIT_SECONDS: "60" });
  expect(run.code).toBe(4);
  expect(run.messages.stderr).toMatch(/does not accept TLS connections; refusing to migrate over plaintext/);
  expect(run.ms).toBeLessThan(10_000);
  expect(run.output).not.toContain(passwordOf(url));
});

test("a certificate from another CA: exit 4 at once (the CA of the URL is enforced)", async () => {
  const cert = otherCaCertificate(scratch);
  const url = new URL(cluster(tls).url);
  url.searchParams.set("sslrootcert", cert);
  const run = await runMigrator({ DATABASE_URL: url.href, MIGRATE_WAIT_SECONDS: "60" });
  expect(run.code).toBe(4);
  expect(run.messages.stderr).toMatch(/TLS certificate of the database at 127\.0\.0\.1:\d+ did not verify/);
  expect(run.ms).toBeLessThan(10_000);
});

test("a wrong password: exit 1 at once, and neither password is printed", async () => {
  const url = new URL(cluster(tls).url);
  url.password = "wrong-password-4c1d";
  const run = await runMigrator({ DATABASE_URL: url.href, MIGRATE_WAIT_SECONDS: "60" });
  expect(run.code).toBe(1);
  expect(run.messages.stderr).toMatch(/refused the connection \(SQLSTATE 28P01\)/);
  expect(run.ms).toBeLessThan(10_000);
  expect(run.output).not.toContain("wrong-password-4c1d");
  expect(run.output).not.toContain(passwordOf(cluster(tls).url));
});

test("nothing listening: retries with backoff, then exit 3 once the budget is spent", async () => {
  const url = new URL(cluster(tls).url);
  url.port = String(await freePort());
  const run = await runMigrator({ DATABASE_URL: url.href, MIGRATE_WAIT_SECONDS: "2" });
  expect(run.code).toBe(3);
  expect(run.messages.stdout).toMatch(/not reachable yet .*ECONNREFUSED.*; retrying in/);
  expect(run.messages.stderr).toMatch(/did not accept a connection within 2 s \(MIGRATE_WAIT_SECONDS\)/);
  expect(run.ms).toBeGreaterThan(1_900);
  expect(run.ms).toBeLessThan(8_000);
});

test("a server that comes up within the budget is waited for (Neon waking from zero)", async () => {
  const late = await startCluster();
  try {
    const url = await freshDatabase(late);
    await late.pause();
    const running = runMigrator({ DATABASE_URL: url, MIGRATE_WAIT_SECONDS: "40", MIGRATE_RUNNER: "builtin" });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await late.start();
    const run = await running;
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.messages.stdout).toMatch(/not reachable yet/);
    expect(run.messages.stdout).toMatch(/applied 20261123154000_init in \d+ ms/);
  } finally {
    await late.destroy();
  }
});

test("sslmode=require without sslrootcert verifies against the system store (a local CA fails)", async () => {
  const url = new URL(cluster(tls).url);
  url.searchParams.delete("sslrootcert");
  const run = await runMigrator({ DATABASE_URL: url.href });
  expect(run.code).toBe(4);
  expect(run.messages.stderr).toMatch(/did not verify/);
});
