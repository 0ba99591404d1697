// /healthz tells the truth about the database: 200 only for an answering database over an
// encrypted connection, 503 within its deadline otherwise, and concurrent checks share one probe.
import type { Express } from "express";
import request from "supertest";
import { type Cluster, startCluster } from "@authbridge/testing/pg";
import { createApp } from "../src/app";
import { type Runtime, createRuntime } from "../src/runtime";
import { hangingListener, withPort } from "@authbridge/testing/faults";
import { type HealthBody, captureLogger, testConfig } from "./helpers";

const DEADLINE_MS = 1500;
const SLACK_MS = 700;

let tls: Cluster;
let plain: Cluster;
const runtimes: Runtime[] = [];

function appFor(databaseUrl: string, env: Record<string, string> = {}): { app: Express; runtime: Runtime; logs: string[] } {
  // The config validation refuses a plaintext URL; the pool's own guard (and the session
  // listener's, which is the same check) is what is tested here.
  const config = { ...testConfig({ HEALTHZ_TIMEOUT_MS: String(DEADLINE_MS), ...env }), databaseUrl, listenUrl: databaseUrl };
  const { logger, lines } = captureLogger();
  const runtime = createRuntime(config, logger);
  runtimes.push(runtime);
  return { app: createApp(runtime.deps), runtime, logs: lines };
}

async function timed(app: Express, path: string) {
  const started = Date.now();
  const res = await request(app).get(path);
  return { res, ms: Date.now() - started };
}

beforeAll(async () => {
  [tls, plain] = await Promise.all([startCluster(), startCluster({ ssl: false })]);
});
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
  await Promise.all([tls?.destroy(), plain?.destroy()]);
});

test("200 on the TLS cluster: encrypted, verified, server ssl reported; no host names or users", async () => {
  const { app } = appFor(tls.url);
  const res = await request(app).get("/healthz");
  expect(res.status).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^application\/health\+json/);
  expect(res.headers["cache-control"]).toBe("no-store");
  const body = JSON.parse(res.text) as HealthBody;
  expect(body.status).toBe("pass");
  expect(body.checks["database:responseTime"]?.[0]).toMatchObject({ status: "pass", observedUnit: "ms", observedValue: expect.any(Number) });
  expect(body.checks["database:tls"]?.[0]).toMatchObject({
    status: "pass",
    observedValue: expect.stringMatching(/^TLSv1\.[23]$/),
    verified: true,
    serverSsl: "on",
  });
  expect(res.text).not.toMatch(/127\.0\.0\.1|localhost|authbridge|password/);
});

test("concurrent calls share one probe (one pooled connection acquired)", async () => {
  const { app, runtime } = appFor(tls.url);
  let acquired = 0;
  runtime.pool.on("acquire", () => acquired++);
  const results = await Promise.all(Array.from({ length: 20 }, () => request(app).get("/healthz")));
  expect(results.every((r) => r.status === 200)).toBe(true);
  expect(acquired).toBe(1);
  await request(app).get("/healthz").expect(200);
  expect(acquired).toBe(2);
});

test("503 on the ssl=off cluster: the connection is refused unless encrypted, the session listener's too", async () => {
  const { app, runtime, logs } = appFor(plain.url);
  const res = await request(app).get("/healthz");
  expect(res.status).toBe(503);
  const body = JSON.parse(res.text) as HealthBody;
  expect(body).toMatchObject({ status: "fail", output: "connection not encrypted" });
  expect(body.checks["database:tls"]?.[0]).toMatchObject({ status: "fail", verified: false });
  const started = Date.now();
  while (!logs.some((line) => line.includes("session listener cannot listen")) && Date.now() - started < 5000)
    await new Promise((r) => setTimeout(r, 20));
  expect(logs.find((line) => line.includes("session listener cannot listen"))).toContain("database connection is not encrypted");
  expect(runtime.deps.listener().listening).toBe(false);
  expect(body.checks["sessions:listener"]?.[0]).toMatchObject({ status: "warn", observedValue: "not listening" });
});

test("503 within the deadline when the database is stopped, 200 again once it is back", async () => {
  const cluster = await startCluster();
  try {
    const { app } = appFor(cluster.url);
    await request(app).get("/healthz").expect(200);
    await cluster.pause();
    const { res, ms } = await timed(app, "/healthz");
    expect(res.status).toBe(503);
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect((JSON.parse(res.text) as HealthBody).status).toBe("fail");
    await cluster.start();
    await request(app).get("/healthz").expect(200);
  } finally {
    await cluster.destroy();
  }
});

test("503 within the deadline when the database accepts and never answers", async () => {
  const hang = await hangingListener();
  try {
    // The connect timeout is longer than the deadline, so the deadline is what answers.
    const { app } = appFor(withPort(tls.url, hang.port), { DB_CONNECT_TIMEOUT_MS: "10000" });
    const { res, ms } = await timed(app, "/healthz");
    expect(res.status).toBe(503);
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(JSON.parse(res.text)).toMatchObject({ status: "fail", output: "database timeout" });
  } finally {
    await hang.close();
  }
});
