// Revocation against a real TLS PostgreSQL with the committed migrations: the trigger's NOTIFY
// reaches the runtime's listener, ended sessions are refused within a second, expiry needs no
// notification, and with the listener gone the api checks every session in the database.
import type { Express } from "express";
import { Client } from "pg";
import request from "supertest";
import type { Cluster } from "@authbridge/testing/pg";
import { createApp, createOperatorApp } from "../src/app";
import { type Runtime, createRuntime } from "../src/runtime";
import { SESSION_ENDED_CHANNEL } from "../src/sessions/listener";
import { migratedCluster } from "@authbridge/testing/migrator";
import { insertSession } from "@authbridge/testing/sql";
import { startRelay, withPort } from "@authbridge/testing/faults";
import { type HealthBody, captureLogger, insertUsers, listening, tokenFor, sessionOf, testConfig } from "./helpers";
import { sql } from "@authbridge/testing/sql";

/** Loose enough for a loaded 2-core machine; the measured time is printed exactly. */
const REVOCATION_BOUND_MS = 1000;

let cluster: Cluster;
const runtimes: Runtime[] = [];
let counter = 0;

function start(env: Record<string, string> = {}): { app: Express; runtime: Runtime; logs: string[] } {
  const { logger, lines } = captureLogger();
  const runtime = createRuntime(testConfig({ API_DATABASE_URL: cluster.url, ...env }), logger);
  runtimes.push(runtime);
  return { app: createApp(runtime.deps), runtime, logs: lines };
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, limitMs = 10_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > limitMs) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A fresh user with one live session; its token. */
async function newUser(): Promise<{ id: string; token: string }> {
  const id = `rev-${++counter}`;
  await insertUsers(cluster.url, [id]);
  return { id, token: `Bearer ${tokenFor(id)}` };
}

/** Polls whoami until it stops answering 200; the time from `since` to the first 401. */
async function timeToRefusal(app: Express, token: string, since: number, limitMs = 5000): Promise<{ ms: number; description: string }> {
  return waitFor(async () => {
    const res = await request(app).get("/api/whoami").set("Authorization", token);
    if (res.status === 200) return undefined;
    expect(res.status).toBe(401);
    return { ms: Date.now() - since, description: /error_description="([^"]*)"/.exec(res.headers["www-authenticate"] ?? "")?.[1] ?? "" };
  }, limitMs);
}

const clients: Client[] = [];
async function connected(): Promise<Client> {
  const client = new Client({ connectionString: cluster.url });
  await client.connect();
  clients.push(client);
  return client;
}

beforeAll(async () => {
  cluster = await migratedCluster();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end()));
  await Promise.all(runtimes.map((r) => r.close()));
  await cluster?.destroy();
});

describe("the migration", () => {
  test("notifies the session id alone, on delete and on expiresAt moved into the past, and only after commit", async () => {
    const user = await newUser();
    await insertSession(await connected(), user.id, "s-extra");
    const listener = await connected();
    const heard: string[] = [];
    listener.on("notification", (m) => heard.push(`${m.channel}:${m.payload}`));
    await listener.query(`LISTEN ${SESSION_ENDED_CHANNEL}`);
    await sql(cluster.url, `BEGIN; DELETE FROM "session" WHERE id = 's-extra'; ROLLBACK`);
    await sql(cluster.url, `UPDATE "session" SET "expiresAt" = "expiresAt" + interval '1 day' WHERE id = $1`, [sessionOf(user.id)]);
    await sql(cluster.url, `UPDATE "session" SET "expiresAt" = (now() AT TIME ZONE 'UTC') - interval '1 second' WHERE id = $1`, [sessionOf(user.id)]);
    await sql(cluster.url, `DELETE FROM "session" WHERE id = 's-extra'`);
    await waitFor(() => (heard.length >= 2 ? true : undefined));
    expect(heard).toEqual([`${SESSION_ENDED_CHANNEL}:${sessionOf(user.id)}`, `${SESSION_ENDED_CHANNEL}:s-extra`]);
  });

  test("the api's lookup is an index scan of the primary key", async () => {
    const plan = await sql(cluster.url, `EXPLAIN SELECT "userId", "expiresAt" FROM "session" WHERE id = 'x'`);
    expect(JSON.stringify(plan)).toContain("session_pkey");
  });
});

describe("with the listener listening", () => {
  let app: Express;
  let runtime: Runtime;
  beforeAll(async () => {
    ({ app, runtime } = start());
    await listening(runtime);
  });

  test("steady state: repeated requests read no session row", async () => {
    const user = await newUser();
    await request(app).get("/api/whoami").set("Authorization", user.token).expect(200);
    const before = runtime.deps.sessions.stats().lookups;
    for (let i = 0; i < 20; i++) await request(app).get("/api/whoami").set("Authorization", user.token).expect(200);
    expect(runtime.deps.sessions.stats().lookups).toBe(before);
  });

  test.each([
    ["the session row deleted (sign-out)", (id: string) => sql(cluster.url, `DELETE FROM "session" WHERE id = $1`, [sessionOf(id)])],
    ["the user deleted (cascade)", (id: string) => sql(cluster.url, `DELETE FROM "user" WHERE id = $1`, [id])],
    [
      "expiresAt moved into the past",
      (id: string) =>
        sql(cluster.url, `UPDATE "session" SET "expiresAt" = (now() AT TIME ZONE 'UTC') - interval '1 minute' WHERE id = $1`, [sessionOf(id)]),
    ],
  ])("%s: refused within a second", async (label, end) => {
    const user = await newUser();
    await request(app).get("/api/whoami").set("Authorization", user.token).expect(200);
    const applied = runtime.deps.sessions.stats().revocationsApplied;
    const since = Date.now();
    await end(user.id);
    const refusal = await timeToRefusal(app, user.token, since);
    console.log(`api revocation, ${label}: first 401 ${refusal.ms} ms after the commit (bound ${REVOCATION_BOUND_MS} ms)`);
    expect(refusal.ms).toBeLessThan(REVOCATION_BOUND_MS);
    expect(refusal.description).toBe("session ended");
    expect(runtime.deps.sessions.stats().revocationsApplied).toBe(applied + 1);
  });

  test("a token pairing user B's session with user A's subject is refused", async () => {
    const [a, b] = [await newUser(), await newUser()];
    await request(app).get("/api/whoami").set("Authorization", b.token).expect(200);
    const forged = `Bearer ${tokenFor(a.id, { sid: sessionOf(b.id) })}`;
    const res = await request(app).get("/api/whoami").set("Authorization", forged);
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toContain('error_description="invalid token"');
  });

  test("a session that expires by itself is refused with no notification", async () => {
    const id = `rev-${++counter}`;
    await insertUsers(cluster.url, [id]);
    const client = await connected();
    await insertSession(client, id, "short-lived", 2);
    const token = `Bearer ${tokenFor(id, { sid: "short-lived" })}`;
    await request(app).get("/api/whoami").set("Authorization", token).expect(200);
    const applied = runtime.deps.sessions.stats().revocationsApplied;
    const refusal = await timeToRefusal(app, token, Date.now());
    expect(refusal.description).toBe("session expired");
    expect(runtime.deps.sessions.stats().revocationsApplied).toBe(applied);
  });

  test("/healthz reports the listener without making readiness depend on it (detail on the operator's port only)", async () => {
    expect((await request(app).get("/healthz").expect(200)).body).toMatchObject({ checks: { "sessions:listener": [{ status: "pass" }] } });
    const res = await request(createOperatorApp(runtime.deps)).get("/healthz").expect(200);
    expect((res.body as HealthBody).checks["sessions:listener"]?.[0]).toMatchObject({ status: "pass", observedValue: "listening", reconnects: 0 });
    expect((res.body as HealthBody).checks["sessions:listener"]?.[0]?.revocationsApplied).toBeGreaterThanOrEqual(3);
  });
});

describe("when the listener is lost", () => {
  test("killed server-side: requests keep answering, revocations still refused, LISTEN comes back and memory works again", async () => {
    const { app, runtime } = start();
    await listening(runtime);
    const user = await newUser();
    const other = await newUser();
    await request(app).get("/api/whoami").set("Authorization", user.token).expect(200);
    const killed = await sql(
      cluster.url,
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'authbridge-api-listener'`,
    );
    expect(killed.length).toBeGreaterThan(0);
    await waitFor(() => (runtime.deps.listener().reconnects === 1 && runtime.deps.listener().listening ? true : undefined));
    // A revocation after the comeback is heard; one while away would have been read from the row.
    const since = Date.now();
    await sql(cluster.url, `DELETE FROM "session" WHERE id = $1`, [sessionOf(user.id)]);
    expect((await timeToRefusal(app, user.token, since)).ms).toBeLessThan(REVOCATION_BOUND_MS);
    await request(app).get("/api/whoami").set("Authorization", other.token).expect(200);
    const before = runtime.deps.sessions.stats().lookups;
    for (let i = 0; i < 5; i++) await request(app).get("/api/whoami").set("Authorization", other.token).expect(200);
    expect(runtime.deps.sessions.stats().lookups).toBe(before);
  });

  test("never listening (API_DIRECT_URL unreachable): every request reads its row, revocation is immediate, readiness unaffected", async () => {
    const { app, runtime } = start({ API_DIRECT_URL: withPort(cluster.url, 9) });
    const user = await newUser();
    for (let i = 0; i < 3; i++) await request(app).get("/api/whoami").set("Authorization", user.token).expect(200);
    expect(runtime.deps.sessions.stats()).toMatchObject({ trusted: false, cached: 0, lookups: 3 });
    const health = await request(createOperatorApp(runtime.deps)).get("/healthz").expect(200);
    expect((health.body as HealthBody).checks["sessions:listener"]?.[0]).toMatchObject({ status: "warn", observedValue: "not listening" });
    await sql(cluster.url, `DELETE FROM "session" WHERE id = $1`, [sessionOf(user.id)]);
    const res = await request(app).get("/api/whoami").set("Authorization", user.token);
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toContain('error_description="session ended"');
  });

  test("a transaction pooler as the listener's URL (Neon's -pooler host): never listens, every request reads its row", async () => {
    const pooler = new URL(withPort(cluster.url, 9));
    pooler.hostname = "ep-example-123456-pooler.eu-central-1.aws.neon.tech";
    const { app, runtime, logs } = start({ API_DIRECT_URL: pooler.toString() });
    const user = await newUser();
    for (let i = 0; i < 2; i++) await request(app).get("/api/whoami").set("Authorization", user.token).expect(200);
    expect(runtime.deps.sessions.stats()).toMatchObject({ trusted: false, lookups: 2 });
    expect(runtime.deps.listener().listening).toBe(false);
    expect(logs.join("\n")).toContain("transaction pooler, where LISTEN hears nothing: set API_DIRECT_URL");
  });

  test("DIRECT_URL naming another database: LISTEN succeeds but its own echo never comes back, so memory is never trusted", async () => {
    // The cluster's other database: same server, same credentials, its own notifications.
    const elsewhere = new URL(cluster.url);
    elsewhere.pathname = "/postgres";
    const { app, runtime, logs } = start({ API_DIRECT_URL: elsewhere.toString(), SESSION_ECHO_TIMEOUT_MS: "300" });
    const user = await newUser();
    await request(app).get("/api/whoami").set("Authorization", user.token).expect(200);
    const refusedTrust = await waitFor(() => logs.find((line) => line.includes("session listener cannot listen")));
    expect(refusedTrust).toContain("its own notification did not come back within 300 ms");
    expect(runtime.deps.listener().listening).toBe(false);
    expect(runtime.deps.sessions.stats()).toMatchObject({ trusted: false, cached: 0 });
    // Signed out: the trigger notifies the api's database, where this listener is not.
    await sql(cluster.url, `DELETE FROM "session" WHERE id = $1`, [sessionOf(user.id)]);
    const res = await request(app).get("/api/whoami").set("Authorization", user.token);
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toContain('error_description="session ended"');
  });

  test("a link that dies without a word: a revocation it swallowed is refused within the echo interval plus timeout", async () => {
    const config = testConfig();
    const bound = config.sessionEchoIntervalMs + config.sessionEchoTimeoutMs;
    const relay = await startRelay(Number(new URL(cluster.url).port));
    try {
      // Default echo settings: this measures the documented bound.
      const { app, runtime } = start({ API_DIRECT_URL: withPort(cluster.url, relay.port) });
      await listening(runtime);
      const user = await newUser();
      await request(app).get("/api/whoami").set("Authorization", user.token).expect(200);
      expect(runtime.deps.sessions.stats().trusted).toBe(true);
      relay.freeze(); // no FIN, no RST: the listener's socket just goes quiet
      const since = Date.now();
      await sql(cluster.url, `DELETE FROM "session" WHERE id = $1`, [sessionOf(user.id)]);
      const refusal = await timeToRefusal(app, user.token, since, bound + 5000);
      console.log(`api revocation, listener link dead without a word: first 401 ${refusal.ms} ms after the commit (bound ${bound} ms)`);
      expect(refusal.description).toBe("session ended");
      expect(refusal.ms).toBeLessThan(bound + 500);
      expect(runtime.deps.sessions.stats().trusted).toBe(false);
    } finally {
      await relay.close();
    }
  });
});
