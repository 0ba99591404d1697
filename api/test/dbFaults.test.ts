// What the api does when the database fails it: 503 JSON (never 500, never a crash), recovery
// without a restart, and killed connections shrugged off. With the database down the session
// listener is down too, so even auth-only routes must read the session row: 503, not a guess.
// Each case waits for the event it tests (a server started, a request answered), never a delay.
import type { Express } from "express";
import request from "supertest";
import type { Cluster } from "@authbridge/testing/pg";
import { createApp } from "../src/app";
import { type Runtime, createRuntime } from "../src/runtime";
import { migratedCluster } from "@authbridge/testing/migrator";
import { hangingListener, terminateBackendsUnnoticed, withPort } from "@authbridge/testing/faults";
import { type HealthBody, type TaskJson, captureLogger, insertUsers, tokenFor, testConfig } from "./helpers";

let cluster: Cluster;
const runtimes: Runtime[] = [];
const as = `Bearer ${tokenFor("user-a")}`;
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => unhandled.push(err);

/** Timeouts far above what a busy machine needs, for the cases that are not about timeouts. */
const ROOMY = { DB_CONNECT_TIMEOUT_MS: "10000", DB_QUERY_TIMEOUT_MS: "10000" };

function appFor(databaseUrl: string, env: Record<string, string> = {}): Express {
  const runtime = createRuntime(testConfig({ API_DATABASE_URL: databaseUrl, ...ROOMY, ...env }), captureLogger().logger);
  runtimes.push(runtime);
  return createApp(runtime.deps);
}

async function waitFor(predicate: () => Promise<boolean>, limitMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await predicate())) {
    if (Date.now() - started > limitMs) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function expect503(res: request.Response) {
  expect(res.status).toBe(503);
  expect(res.headers["retry-after"]).toBe("1");
  expect(res.body).toEqual({ error: { code: "database_unavailable", message: "the database is unavailable, try again shortly" } });
}

beforeAll(async () => {
  process.on("uncaughtException", onUnhandled);
  process.on("unhandledRejection", onUnhandled);
  cluster = await migratedCluster();
  await insertUsers(cluster.url, ["user-a"]);
});
afterAll(async () => {
  process.off("uncaughtException", onUnhandled);
  process.off("unhandledRejection", onUnhandled);
  await Promise.all(runtimes.map((r) => r.close()));
  await cluster?.destroy();
});
afterEach(() => expect(unhandled).toEqual([]));

test("database stopped: every authenticated route 503 JSON, bad tokens still 401; back by itself once it is up", async () => {
  const app = appFor(cluster.url);
  await request(app).post("/api/user-a/tasks").set("Authorization", as).send({ title: "before" }).expect(201);
  await cluster.pause();
  try {
    expect503(await request(app).get("/api/user-a/tasks").set("Authorization", as));
    expect503(await request(app).post("/api/user-a/tasks").set("Authorization", as).send({ title: "during" }));
    expect503(await request(app).get("/api/me").set("Authorization", as));
    expect503(await request(app).get("/api/whoami").set("Authorization", as));
    expect((await request(app).get("/livez")).status).toBe(200);
    expect((await request(app).get("/healthz")).status).toBe(503);
    // A request without a valid token is refused without the database; whose path it is can only
    // be judged once the token's session is known to be alive.
    expect((await request(app).get("/api/user-a/tasks")).status).toBe(401);
    expect(
      (
        await request(app)
          .get("/api/user-a/tasks")
          .set("Authorization", `Bearer ${tokenFor("user-a", {}, "another-secret-of-at-least-32-characters!")}`)
      ).status,
    ).toBe(401);
    expect503(await request(app).get("/api/user-b/tasks").set("Authorization", as));
  } finally {
    await cluster.start();
  }
  // The server is accepting again (start() waited for it): the very next request must succeed,
  // the pool's dead connections having been replaced without a restart.
  await request(app).get("/api/user-a/tasks").set("Authorization", as).expect(200);
  const res = await request(app).get("/api/user-a/tasks").set("Authorization", as);
  expect((res.body as { tasks: TaskJson[] }).tasks.map((t) => t.title)).toEqual(["before"]);
});

test("database that accepts and never answers: 503 within the connect timeout, event loop responsive", async () => {
  const hang = await hangingListener();
  const connectTimeoutMs = 5000;
  try {
    const app = appFor(withPort(cluster.url, hang.port), { DB_CONNECT_TIMEOUT_MS: String(connectTimeoutMs) });
    const started = Date.now();
    let settled = false;
    const pending = Promise.all(Array.from({ length: 15 }, () => request(app).get("/api/user-a/tasks").set("Authorization", as))).finally(() => {
      settled = true;
    });
    // /livez answers while every database request is still waiting (checked, not assumed).
    const livez: number[] = [];
    while (!settled && livez.length < 5) {
      const t = Date.now();
      await request(app).get("/livez").expect(200);
      livez.push(Date.now() - t);
    }
    const results = await pending;
    const elapsed = Date.now() - started;
    console.log(
      `hung database: 15 requests answered 503 in ${elapsed} ms (connect timeout ${connectTimeoutMs} ms); /livez ${livez.join(", ")} ms meanwhile`,
    );
    for (const res of results) expect503(res);
    expect(livez.length).toBeGreaterThan(0);
    // More requests than the pool has connections: the queued ones time out with the others, not
    // one timeout later (that would take 2x; what lies below is room for a busy machine).
    expect(elapsed).toBeGreaterThanOrEqual(connectTimeoutMs - 50);
    expect(elapsed).toBeLessThan(connectTimeoutMs * 2);
  } finally {
    await hang.close();
  }
});

test("query that never returns: 503 within the query timeout", async () => {
  const queryTimeoutMs = 2000;
  const app = appFor(cluster.url, { DB_QUERY_TIMEOUT_MS: String(queryTimeoutMs) });
  await request(app).get("/api/user-a/tasks").set("Authorization", as).expect(200);
  // Lock the table so the next read waits forever on the server.
  const { Client } = await import("pg");
  const locker = new Client({ connectionString: cluster.url });
  await locker.connect();
  try {
    await locker.query("BEGIN; LOCK TABLE task IN ACCESS EXCLUSIVE MODE");
    const started = Date.now();
    expect503(await request(app).get("/api/user-a/tasks").set("Authorization", as));
    const elapsed = Date.now() - started;
    console.log(`locked table: 503 after ${elapsed} ms (query timeout ${queryTimeoutMs} ms)`);
    // Not retried: a hung statement would only hang again (2x would be the sign of a retry).
    expect(elapsed).toBeGreaterThanOrEqual(queryTimeoutMs - 50);
    expect(elapsed).toBeLessThan(queryTimeoutMs * 2);
    await locker.query("ROLLBACK");
    await request(app).get("/api/user-a/tasks").set("Authorization", as).expect(200);
  } finally {
    await locker.end();
  }
});

test("connections killed server-side (as Neon does on suspend): no unhandled error, next requests succeed", async () => {
  const app = appFor(cluster.url);
  // The same starting point as steady state: the session listener up, so requests below read
  // only the task table and this test is about the pool's connections alone.
  await waitFor(async () => ((await request(app).get("/healthz")).body as HealthBody).checks["sessions:listener"]?.[0]?.status === "pass");
  await Promise.all(Array.from({ length: 5 }, () => request(app).get("/api/user-a/tasks").set("Authorization", as).expect(200)));
  // Every pooled connection ended, the pool not yet told: the requests below meet them.
  expect(terminateBackendsUnnoticed(cluster.url, "authbridge-api")).toBeGreaterThan(0);
  await Promise.all([
    ...Array.from({ length: 5 }, () => request(app).get("/api/user-a/tasks").set("Authorization", as).expect(200)),
    request(app).get("/healthz").expect(200),
  ]);
  for (let i = 0; i < 5; i++) {
    await request(app).get("/api/user-a/tasks").set("Authorization", as).expect(200);
    await request(app).get("/healthz").expect(200);
  }
});
