// The pool against connections the server has already ended (Neon suspending, a failover, a
// PgBouncer restart), made to happen deterministically: the server ends them while this process's
// event loop is held, so the pool hands out a connection whose death it has not read yet.
import request from "supertest";
import type { Cluster } from "@authbridge/testing/pg";
import { createApp } from "../src/app";
import { createPool } from "../src/db/pool";
import type { ResilientPool } from "@authbridge/postgres";
import { createRuntime } from "../src/runtime";
import { migratedCluster } from "@authbridge/testing/migrator";
import { startRelay, terminateBackendsUnnoticed, withPort } from "@authbridge/testing/faults";
import { captureLogger, insertUsers, listening, tokenFor, testConfig } from "./helpers";
import { sql, sqlAs } from "@authbridge/testing/sql";

const APP = "authbridge-api";
let cluster: Cluster;
const pools: ResilientPool[] = [];

function poolFor(url: string): { pool: ResilientPool; lines: string[] } {
  const { logger, lines } = captureLogger();
  const pool = createPool({ url, connectTimeoutMs: 10_000, queryTimeoutMs: 10_000, max: 4, logger });
  pools.push(pool);
  return { pool, lines };
}

/** Opens `count` connections at once (each holds its statement briefly) and returns their server pids. */
async function openConnections(pool: ResilientPool, count: number): Promise<number[]> {
  const results = await Promise.all(
    Array.from({ length: count }, () => pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid, pg_sleep(0.05)")),
  );
  const pids = results.map((r) => Number(r.rows[0]?.pid));
  expect(new Set(pids).size).toBe(count);
  return pids;
}

beforeAll(async () => {
  cluster = await migratedCluster();
  await insertUsers(cluster.url, ["user-a"]);
  // The pool's own writes are plain single statements; the api's tasks are written in per-user
  // transactions (db/asUser.ts), so these probes write to a table of their own.
  await sql(cluster.url, "CREATE TABLE resilience_write (id text PRIMARY KEY, note text NOT NULL)");
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await cluster?.destroy();
});

test("a read handed a connection the server already ended is answered from a fresh connection", async () => {
  const { pool, lines } = poolFor(cluster.url);
  const before = await openConnections(pool, 3);
  expect(terminateBackendsUnnoticed(cluster.url, APP)).toBe(3);
  expect(pool.idleCount).toBe(3); // the pool has not noticed

  const { rows } = await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  expect(before).not.toContain(Number(rows[0]?.pid));
  expect(pool.retries).toBe(1);
  const warning = lines.map((l) => JSON.parse(l) as { msg?: string }).find((l) => l.msg?.includes("retrying on a fresh connection"));
  expect(warning).toMatchObject({ level: 40, loss: "aborted", code: "57P01", retries: 1 });
  // The other two dead connections are closed at checkout, never handed to a later statement.
  const after = await openConnections(pool, 3);
  expect(after.filter((pid) => before.includes(pid))).toEqual([]);
  expect(pool.retries).toBe(1);
});

test("a write handed a dead connection is retried once (57P01: it never committed) and stored exactly once", async () => {
  const { pool } = poolFor(cluster.url);
  await openConnections(pool, 2);
  terminateBackendsUnnoticed(cluster.url, APP);
  const id = `task-${Date.now()}`;
  await pool.query(`INSERT INTO resilience_write (id, note) VALUES ($1, 'written once')`, [id]);
  expect(pool.retries).toBe(1);
  expect(await sql(cluster.url, "SELECT note FROM resilience_write WHERE id = $1", [id])).toEqual([{ note: "written once" }]);
});

test("a connection cut with no word from the server: a read is retried, a write is not (it may have run)", async () => {
  const relay = await startRelay(cluster.port);
  try {
    const { pool } = poolFor(withPort(cluster.url, relay.port));
    await openConnections(pool, 1);
    relay.armCut();
    const { rows } = await pool.query("SELECT 41 + 1 AS answer");
    expect(rows).toEqual([{ answer: 42 }]);
    expect(relay.cuts()).toBe(1);
    expect(pool.retries).toBe(1);

    relay.armCut();
    const id = `task-cut-${Date.now()}`;
    await expect(pool.query(`INSERT INTO resilience_write (id, note) VALUES ($1, 'cut')`, [id])).rejects.toThrow(/Connection terminated|ECONNRESET/);
    expect(relay.cuts()).toBe(2);
    expect(pool.retries).toBe(1);
    // The write's fate was unknown to the pool; here the relay cut it before the server saw it.
    expect(await sql(cluster.url, "SELECT id FROM resilience_write WHERE id = $1", [id])).toEqual([]);
  } finally {
    await relay.close();
  }
});

test("a transaction checked out after a connection was lost gets a fresh connection", async () => {
  const { pool } = poolFor(cluster.url);
  const before = await openConnections(pool, 2);
  terminateBackendsUnnoticed(cluster.url, APP);
  await pool.query("SELECT 1"); // meets the first dead connection, marks the rest suspect
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    expect(before).not.toContain(Number(rows[0]?.pid));
    await client.query("COMMIT");
  } finally {
    client.release();
  }
});

test("the api handed dead connections: reads, writes and /healthz all succeed, each retry counted", async () => {
  const { logger } = captureLogger();
  // The listener's echo goes through the pool too: its first one done and the next a minute away, every
  // checkout below is a request's.
  const env = { API_DATABASE_URL: cluster.url, DB_CONNECT_TIMEOUT_MS: "10000", DB_QUERY_TIMEOUT_MS: "10000", SESSION_ECHO_INTERVAL_MS: "60000" };
  const runtime = createRuntime(testConfig(env), logger);
  await listening(runtime);
  // The server ends the very connection the pool is handing out, before the request can use it.
  const killAtNextCheckout = () => runtime.pool.once("acquire", () => terminateBackendsUnnoticed(cluster.url, APP));
  try {
    const app = createApp(runtime.deps);
    const as = `Bearer ${tokenFor("user-a")}`;
    for (let round = 0; round < 3; round++) {
      killAtNextCheckout();
      expect(((await request(app).get("/healthz").expect(200)).body as { status: string }).status).toBe("pass");
      killAtNextCheckout();
      await request(app).get("/api/user-a/tasks").set("Authorization", as).expect(200);
      killAtNextCheckout();
      await request(app)
        .post("/api/user-a/tasks")
        .set("Authorization", as)
        .send({ title: `after kill ${round}` })
        .expect(201);
    }
    const titles = await sqlAs(cluster.url, "user-a", `SELECT title FROM task WHERE title LIKE 'after kill %' ORDER BY title`);
    expect(titles.map((r) => r.title)).toEqual(["after kill 0", "after kill 1", "after kill 2"]);
    console.log(`api handed 9 dead connections: ${runtime.pool.retries} statements retried, ${runtime.pool.connectionsLost} connection losses seen`);
    expect(runtime.pool.retries).toBe(9);
  } finally {
    await runtime.close();
  }
});
