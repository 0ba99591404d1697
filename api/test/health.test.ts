// /healthz tells the truth about the database: 200 only for an answering database over an
// encrypted connection, 503 within its deadline otherwise, and concurrent checks share one probe.
// The public port says the status and the check names only; the detail is on the operator's
// loopback port (createOperatorApp) and in the log.
import type { Express } from "express";
import request from "supertest";
import { type Cluster, startCluster } from "@authbridge/testing/pg";
import { createApp, createOperatorApp } from "../src/app";
import { type Runtime, createRuntime } from "../src/runtime";
import { hangingListener, withPort } from "@authbridge/testing/faults";
import { type HealthBody, captureLogger, listening, testConfig, tokenFor } from "./helpers";

const DEADLINE_MS = 1500;
const SLACK_MS = 700;

let tls: Cluster;
let plain: Cluster;
const runtimes: Runtime[] = [];

function appFor(databaseUrl: string, env: Record<string, string> = {}): { app: Express; operator: Express; runtime: Runtime; logs: string[] } {
  // The config validation refuses a plaintext URL; the pool's own guard (and the session
  // listener's, which is the same check) is what is tested here.
  const config = { ...testConfig({ HEALTHZ_TIMEOUT_MS: String(DEADLINE_MS), ...env }), databaseUrl, listenUrl: databaseUrl };
  const { logger, lines } = captureLogger();
  const runtime = createRuntime(config, logger);
  runtimes.push(runtime);
  return { app: createApp(runtime.deps), operator: createOperatorApp(runtime.deps), runtime, logs: lines };
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

test("public: the status and each check's name and status, nothing more (no latency, TLS, listener or session counts)", async () => {
  const { app, operator } = appFor(tls.url);
  const res = await request(app).get("/healthz");
  expect(res.status).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^application\/health\+json/);
  expect(res.headers["cache-control"]).toBe("no-store");
  const listener = [{ status: expect.stringMatching(/^(pass|warn)$/) }];
  expect(JSON.parse(res.text)).toEqual({
    status: "pass",
    checks: { "database:responseTime": [{ status: "pass" }], "database:tls": [{ status: "pass" }], "sessions:listener": listener },
  });
  expect(res.text).not.toMatch(/TLSv|observed|cached|lookups|revocations|since|reconnects/);
  // The same probe on the operator's port carries the detail: the public body is its subset.
  const detailed = await request(operator).get("/healthz").expect(200);
  expect(detailed.text).toMatch(/TLSv1\.[23]/);
  expect(detailed.text).toContain("cachedSessions");
});

test("operator: 200 on the TLS cluster: encrypted, verified, server ssl reported; no host names or users; logged once", async () => {
  const { operator, logs } = appFor(tls.url);
  const res = await request(operator).get("/healthz");
  expect(res.status).toBe(200);
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
  await request(operator).get("/healthz").expect(200);
  const passing = logs.filter((line) => line.includes("database health check passing"));
  expect(passing).toHaveLength(1);
  expect(passing[0]).toMatch(/"tlsProtocol":"TLSv1\.[23]","tlsVerified":true/);
});

test("operator: the verified-token cache's hits and misses (tokens:cache); the public port does not name it", async () => {
  const { app, operator, runtime } = appFor(tls.url);
  const token = tokenFor("user-a");
  expect(runtime.deps.verifier.verify(token).ok).toBe(true);
  expect(runtime.deps.verifier.verify(token).ok).toBe(true);
  const body = JSON.parse((await request(operator).get("/healthz").expect(200)).text) as HealthBody;
  expect(body.checks["tokens:cache"]?.[0]).toMatchObject({
    status: "pass",
    observedValue: 0.5,
    observedUnit: "hit ratio",
    hits: 1,
    misses: 1,
    cachedTokens: 1,
    maxTokens: 1024,
  });
  const publicText = (await request(app).get("/healthz").expect(200)).text;
  expect(publicText).not.toMatch(/tokens|hits|misses/);
});

test("concurrent calls share one probe (one pooled connection acquired)", async () => {
  // The listener's echo goes through the pool too: its first one done and the next a minute away.
  const { app, runtime } = appFor(tls.url, { SESSION_ECHO_INTERVAL_MS: "60000" });
  await listening(runtime);
  let acquired = 0;
  runtime.pool.on("acquire", () => acquired++);
  const results = await Promise.all(Array.from({ length: 20 }, () => request(app).get("/healthz")));
  expect(results.every((r) => r.status === 200)).toBe(true);
  expect(acquired).toBe(1);
  await request(app).get("/healthz").expect(200);
  expect(acquired).toBe(2);
});

test("503 on the ssl=off cluster: the connection is refused unless encrypted, the session listener's too", async () => {
  const { app, operator, runtime, logs } = appFor(plain.url);
  const res = await request(app).get("/healthz");
  expect(res.status).toBe(503);
  expect(JSON.parse(res.text)).toMatchObject({ status: "fail", checks: { "database:tls": [{ status: "fail" }] } });
  expect(res.text).not.toContain("encrypted");
  expect(logs.find((line) => line.includes("database health check failing"))).toContain('"reason":"connection not encrypted"');
  const body = JSON.parse((await request(operator).get("/healthz")).text) as HealthBody;
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
    const { app, logs } = appFor(withPort(tls.url, hang.port), { DB_CONNECT_TIMEOUT_MS: "10000" });
    const { res, ms } = await timed(app, "/healthz");
    expect(res.status).toBe(503);
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(JSON.parse(res.text)).toMatchObject({ status: "fail" });
    expect(logs.find((line) => line.includes("database health check failing"))).toContain('"reason":"database timeout"');
  } finally {
    await hang.close();
  }
});
