// Faults: the database stops, hangs, or kills the api's connections while the api serves, and the
// api is stopped with SIGTERM under load. The api is the BUILT program (api/dist/server.js).
import { mint } from "@authbridge/testing/tokens";
import { randomUUID } from "node:crypto";
import { freePort } from "@authbridge/testing/pg";
import { call } from "./support/http";
import { type Program, stopAllPrograms } from "@authbridge/testing/processes";
import { type Relay, startRelay } from "@authbridge/testing/faults";
import { record } from "./support/record";
import { type Stack, startStack } from "@authbridge/testing/stack";
import { insertUser } from "@authbridge/testing/sql";
import { audited } from "./support/audit";
import { sql, sqlAs, verifiedUrl } from "@authbridge/testing/sql";

const HEALTHZ_TIMEOUT_MS = 1000;
// Well apart from the health deadline, so a /healthz that waited for them would show, even on a
// machine busy enough to slow every answer by a second or two.
const DB_CONNECT_TIMEOUT_MS = 5000;
const DB_QUERY_TIMEOUT_MS = 5000;
const RECOVERY_LIMIT_MS = 5000;

let stack: Stack;
let user: { id: string; token: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts every answer by status and says whether each non-2xx was the 503 JSON error shape. */
class Tally {
  requests = 0;
  readonly statuses: Record<string, number> = {};
  readonly bad: string[] = [];

  async send(url: string, options: Parameters<typeof call>[1] = {}): Promise<Awaited<ReturnType<typeof call>> | null> {
    this.requests++;
    try {
      const answer = await call(url, options);
      this.statuses[answer.status] = (this.statuses[answer.status] ?? 0) + 1;
      if (answer.status >= 500 && answer.status !== 503) this.bad.push(`${answer.status} ${answer.text.slice(0, 200)}`);
      if (answer.status === 503 && !url.endsWith("/healthz")) {
        const code = (answer.json as { error?: { code?: unknown } } | null)?.error?.code;
        if (code !== "database_unavailable") this.bad.push(`503 without the JSON error: ${answer.text.slice(0, 200)}`);
      }
      return answer;
    } catch (error) {
      this.statuses.error = (this.statuses.error ?? 0) + 1;
      this.bad.push(`no answer: ${String(error)}`);
      return null;
    }
  }
}

/** Requests in a loop until stopped: the traffic that is in the air while a fault happens. */
function background(tally: Tally, urls: [string, Parameters<typeof call>[1]][], workers = 2): () => Promise<void> {
  let running = true;
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let i = w; running; i++) {
      const [url, options] = urls[i % urls.length] ?? urls[0]!;
      await tally.send(url, options);
      await sleep(20);
    }
  });
  return async () => {
    running = false;
    await Promise.all(loops);
  };
}

/** Waits until /healthz says the api's session listener is not listening. */
async function listenerDown(apiUrl: string, tally: Tally, limitMs = 5000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const health = await tally.send(`${apiUrl}/healthz`);
    // The public body's listener status: warn while it is not listening.
    const checks = (health?.json as { checks?: Record<string, { status?: string }[]> } | null)?.checks;
    if (checks?.["sessions:listener"]?.[0]?.status === "warn") return;
    if (Date.now() - started > limitMs) throw new Error(`the session listener still listened ${limitMs} ms after the database stopped`);
    await sleep(50);
  }
}

/** Polls until a database route answers 200 again; the time it took. */
async function recovery(apiUrl: string, tally: Tally, limitMs = RECOVERY_LIMIT_MS + 2000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    const answer = await tally.send(`${apiUrl}/api/${user.id}/tasks`, { token: user.token, timeoutMs: 4000 });
    if (answer?.status === 200) return Date.now() - started;
    await sleep(100);
  }
  return Infinity;
}

function errorLines(child: Program): string[] {
  // pino levels: 50 error, 60 fatal. Anything unstructured on stderr (a crash trace) counts too.
  return child.lines.filter((line) => {
    if (!line.trim()) return false;
    try {
      return (JSON.parse(line) as { level?: number }).level! >= 50;
    } catch {
      return true;
    }
  });
}

beforeAll(async () => {
  stack = await startStack(audited({ webs: 0, env: { HEALTHZ_TIMEOUT_MS: String(HEALTHZ_TIMEOUT_MS) } }));
  const holder = await insertUser(stack.databaseUrl, { name: "fault tester" });
  user = { id: holder.id, token: mint(stack, holder) };
});

afterAll(async () => {
  await stopAllPrograms();
  await stack?.stop();
});

test("database stopped while serving: 503 JSON (never 500) on every authenticated route, /healthz 503 in its deadline, back within 5 s without a restart", async () => {
  const { apiUrl } = stack;
  const tally = new Tally();
  const tasksUrl = `${apiUrl}/api/${user.id}/tasks`;
  expect((await tally.send(tasksUrl, { token: user.token, body: { title: "written before the outage" } }))?.status).toBe(201);

  const stopTraffic = background(tally, [
    [tasksUrl, { token: user.token }],
    [`${apiUrl}/api/whoami`, { token: user.token }],
    [tasksUrl, { token: user.token, body: { title: `during ${randomUUID()}` } }],
  ]);
  await stack.cluster.pause();
  let healthzMs = NaN;
  try {
    const list = await tally.send(tasksUrl, { token: user.token });
    expect(list?.status).toBe(503);
    expect(list?.json).toEqual({ error: { code: "database_unavailable", message: expect.any(String) } });
    expect((await tally.send(tasksUrl, { token: user.token, body: { title: "while down" } }))?.status).toBe(503);
    expect((await tally.send(`${apiUrl}/api/me`, { token: user.token }))?.status).toBe(503);
    // The stop also ends the session listener's connection; from then on no session can be
    // trusted from memory, so even the auth-only route needs the database and answers 503.
    await listenerDown(apiUrl, tally);
    const whoami = await tally.send(`${apiUrl}/api/whoami`, { token: user.token });
    expect(whoami?.status).toBe(503);
    expect(whoami?.json).toEqual({ error: { code: "database_unavailable", message: expect.any(String) } });
    const health = await tally.send(`${apiUrl}/healthz`);
    healthzMs = health?.ms ?? NaN;
    expect(health?.status).toBe(503);
    expect(health?.headers.get("content-type")).toMatch(/^application\/health\+json/);
    expect((health?.json as { status?: string }).status).toBe("fail");
    expect(healthzMs).toBeLessThan(HEALTHZ_TIMEOUT_MS + 2500);
    expect((await tally.send(`${apiUrl}/livez`))?.status).toBe(200);
  } finally {
    await stack.cluster.start();
  }
  const recoveryMs = await recovery(apiUrl, tally);
  await stopTraffic();

  const after = await tally.send(tasksUrl, { token: user.token });
  const titles = (after?.json as { tasks: { title: string }[] }).tasks.map((t) => t.title);
  expect(titles).toContain("written before the outage");
  expect((await tally.send(`${apiUrl}/healthz`))?.status).toBe(200);
  expect(stack.api.running()).toBe(true);
  expect(errorLines(stack.api)).toEqual([]);
  record(
    { requests: tally.requests, faults: 1, failures: tally.bad.length },
    { recoveryMs, healthzMsWhileDown: Math.round(healthzMs), statuses: tally.statuses },
  );
  expect(tally.bad).toEqual([]);
  expect(recoveryMs).toBeLessThanOrEqual(RECOVERY_LIMIT_MS);
});

describe("database that accepts connections and never answers", () => {
  let proxy: Relay;
  let api: Program;
  let apiUrl: string;
  const limits = { DB_CONNECT_TIMEOUT_MS: String(DB_CONNECT_TIMEOUT_MS), DB_QUERY_TIMEOUT_MS: String(DB_QUERY_TIMEOUT_MS) };

  beforeAll(async () => {
    proxy = await startRelay(stack.cluster.port, { frozen: true });
    const port = await freePort();
    const url = new URL(stack.serviceUrls.api);
    url.port = String(proxy.port);
    apiUrl = `http://127.0.0.1:${port}`;
    // Started against the hung database: its very first connections never get an answer.
    api = await stack.startApi({ ...limits, API_DATABASE_URL: url.toString(), API_PORT: String(port) });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  /**
   * A burst of database requests while /livez is sampled every 50 ms; `livezDuringBurst` counts the
   * probes answered while every database request was still waiting.
   */
  async function hungBurst(tally: Tally) {
    let sampling = true;
    let burstSettled = false;
    let livezDuringBurst = 0;
    const livez: number[] = [];
    const sampler = (async () => {
      while (sampling) {
        const answer = await tally.send(`${apiUrl}/livez`, { timeoutMs: 10_000 });
        if (answer?.status === 200) livez.push(answer.ms);
        else livez.push(Infinity);
        if (answer?.status === 200 && !burstSettled) livezDuringBurst++;
        await sleep(50);
      }
    })();
    const options = { token: user.token, timeoutMs: 30_000 };
    const burst = await Promise.all([
      ...Array.from({ length: 16 }, () => tally.send(`${apiUrl}/api/${user.id}/tasks`, options)),
      ...Array.from({ length: 4 }, (_, i) => tally.send(`${apiUrl}/api/${user.id}/tasks`, { ...options, body: { title: `hung ${i}` } })),
      tally.send(`${apiUrl}/api/me`, options),
    ]);
    burstSettled = true;
    const health = await tally.send(`${apiUrl}/healthz`);
    const whoami = await tally.send(`${apiUrl}/api/whoami`, { token: user.token });
    sampling = false;
    await sampler;
    return { burst, health, whoami, livez, livezDuringBurst };
  }

  test("hung from the start, then hung mid-session: db routes 503 within the timeouts, /livez answers throughout, recovers when it answers again", async () => {
    const tally = new Tally();
    // Within the timeouts (a request that waited for the database forever would hit the 30 s
    // client timeout instead), with room for a busy machine.
    const bound = DB_CONNECT_TIMEOUT_MS + DB_QUERY_TIMEOUT_MS + 5000;
    const phases: Record<string, unknown> = {};

    for (const phase of ["cold", "warm"] as const) {
      if (phase === "warm") {
        // Connections in the pool, then the database stops answering on them.
        for (let i = 0; i < 5; i++) expect((await tally.send(`${apiUrl}/api/${user.id}/tasks`, { token: user.token }))?.status).toBe(200);
        proxy.freeze();
      }
      const { burst, health, whoami, livez, livezDuringBurst } = await hungBurst(tally);
      for (const answer of burst) {
        expect(answer?.status).toBe(503);
        expect(answer?.ms).toBeLessThan(bound);
      }
      expect(health?.status).toBe(503);
      expect(health?.ms).toBeLessThan(HEALTHZ_TIMEOUT_MS + 2500);
      // Cold, the session listener never got through: sessions are read per request, and hang.
      // Warm, it listens on a connection that just went silent: memory stays trusted until its
      // ping fails (10 s + the query timeout), so the auth-only route may still answer from it.
      if (phase === "cold") expect(whoami?.status).toBe(503);
      else expect([200, 503]).toContain(whoami?.status);
      // Every probe answered, and several while the database requests were all still waiting:
      // an event loop blocked on the database could not have answered them. Their times are
      // recorded, not bounded: a busy machine slows every answer alike.
      const slowestLivez = Math.max(...livez);
      const medianLivez = [...livez].sort((a, b) => a - b)[Math.floor(livez.length / 2)] ?? Infinity;
      expect(livez.every((ms) => ms !== Infinity)).toBe(true);
      expect(livezDuringBurst).toBeGreaterThanOrEqual(3);
      proxy.thaw();
      const recoveryMs = await recovery(apiUrl, tally);
      expect(recoveryMs).toBeLessThanOrEqual(RECOVERY_LIMIT_MS);
      phases[phase] = {
        slowest503Ms: Math.round(Math.max(...burst.map((a) => a?.ms ?? Infinity))),
        healthzMs: Math.round(health?.ms ?? NaN),
        livezSamples: livez.length,
        livezDuringBurst,
        medianLivezMs: Math.round(medianLivez),
        slowestLivezMs: Math.round(slowestLivez),
        recoveryMs,
      };
    }
    expect(api.running()).toBe(true);
    expect(errorLines(api)).toEqual([]);
    record({ requests: tally.requests, faults: 2, failures: tally.bad.length }, { ...phases, limits: { ...limits, HEALTHZ_TIMEOUT_MS } });
    expect(tally.bad).toEqual([]);
  });
});

test("idle connections killed server-side (pg_terminate_backend): no unhandled error, the next requests succeed", async () => {
  const { apiUrl } = stack;
  const tally = new Tally();
  const tasksUrl = `${apiUrl}/api/${user.id}/tasks`;
  let killed = 0;
  let failedAfter = 0;
  const rounds = 3;
  for (let round = 0; round < rounds; round++) {
    // Enough concurrency that the pool holds several connections.
    await Promise.all(Array.from({ length: 12 }, () => tally.send(tasksUrl, { token: user.token })));
    const pids = await sql<{ pid: number }>(
      stack.databaseUrl,
      `SELECT pid FROM pg_stat_activity WHERE application_name = 'authbridge-api' AND state = 'idle'`,
    );
    expect(pids.length).toBeGreaterThan(0);
    await sql(stack.databaseUrl, `SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid`, [pids.map((p) => p.pid)]);
    killed += pids.length;
    // Once the backends are gone server-side the requests go at once: the api may not have read
    // the terminations yet, and must not fail for it.
    const until = Date.now() + 5000;
    while (Date.now() < until) {
      const left = await sql(stack.databaseUrl, `SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])`, [pids.map((p) => p.pid)]);
      if (left.length === 0) break;
      await sleep(50);
    }
    const next = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2
          ? tally.send(tasksUrl, { token: user.token })
          : tally.send(tasksUrl, { token: user.token, body: { title: `after kill ${round}.${i}` } }),
      ),
    );
    failedAfter += next.filter((a) => !a || a.status >= 300).length;
  }
  // Seen lost while idle, or met under a statement and retried.
  const lost = stack.api.lines.filter((l) => l.includes("database connection lost")).length;
  expect(stack.api.running()).toBe(true);
  expect(errorLines(stack.api)).toEqual([]);
  record(
    { requests: tally.requests, faults: killed, failures: failedAfter + tally.bad.length },
    { rounds, connectionsKilled: killed, lossesLogged: lost },
  );
  expect(lost).toBeGreaterThan(0);
  expect(failedAfter).toBe(0);
  expect(tally.bad).toEqual([]);
});

test("SIGTERM under load: requests in flight complete, new ones are refused, exit 0 within 10 s", async () => {
  const { apiUrl } = stack;
  const api = stack.api;
  const tally = new Tally();
  const tasksUrl = `${apiUrl}/api/${user.id}/tasks`;
  // Hold the task table so the in-flight requests are provably inside the api, waiting on the database.
  const { Client } = await import("pg");
  const locker = new Client({ connectionString: verifiedUrl(stack.databaseUrl) });
  await locker.connect();
  let signalledAt = 0;
  try {
    await locker.query(`BEGIN; LOCK TABLE "task" IN ACCESS EXCLUSIVE MODE`);
    const titles = Array.from({ length: 4 }, (_, i) => `in flight ${i} ${randomUUID()}`);
    const inFlight = [
      ...titles.map((title) => tally.send(tasksUrl, { token: user.token, body: { title } })),
      ...Array.from({ length: 4 }, () => tally.send(tasksUrl, { token: user.token })),
    ];
    const until = Date.now() + 5000;
    let waiting = 0;
    while (Date.now() < until && waiting < inFlight.length) {
      waiting =
        (
          await locker.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'authbridge-api' AND wait_event_type = 'Lock'`,
          )
        ).rows[0]?.n ?? 0;
      await sleep(25);
    }
    expect(waiting).toBe(inFlight.length);

    // Load that does not touch the database keeps arriving on keep-alive connections meanwhile.
    const load = new Tally();
    let loading = true;
    const loadErrors: string[] = [];
    const loaders = Array.from({ length: 4 }, async () => {
      while (loading) {
        load.requests++;
        try {
          const answer = await call(`${apiUrl}/api/whoami`, { token: user.token, timeoutMs: 5000 });
          load.statuses[answer.status] = (load.statuses[answer.status] ?? 0) + 1;
          if (answer.status !== 200) load.bad.push(`${answer.status}`);
        } catch (error) {
          // After the signal, a refused or closed connection is the expected answer to a new request.
          if (!signalledAt) loadErrors.push(String(error));
          else load.statuses.refused = (load.statuses.refused ?? 0) + 1;
        }
      }
    });
    // The signal arrives while that load is flowing (waited for, not assumed).
    for (const until = Date.now() + 10_000; Date.now() < until && (load.statuses[200] ?? 0) < 20; await sleep(25));
    expect(load.statuses[200] ?? 0).toBeGreaterThanOrEqual(20);
    signalledAt = Date.now();
    api.process.kill("SIGTERM");
    // The listening socket closes at once: a new connection is refused (polled: the machine may be busy).
    let refused = "";
    for (const until = Date.now() + 3000; Date.now() < until && refused !== "ECONNREFUSED"; await sleep(50)) {
      refused = await fetch(`${apiUrl}/livez`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => `answered ${r.status}`,
        (error: unknown) => ((error as Error).cause as { code?: string } | undefined)?.code ?? (error as Error).message,
      );
    }
    expect(refused).toBe("ECONNREFUSED");
    loading = false;
    await Promise.all(loaders);
    await locker.query("COMMIT");

    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a?.status)).toEqual([201, 201, 201, 201, 200, 200, 200, 200]);
    const { code, signal } = await api.exited;
    const exitMs = Date.now() - signalledAt;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeLessThan(10_000);
    const stored = await sqlAs<{ title: string }>(stack.databaseUrl, user.id, `SELECT title FROM task WHERE title = ANY($1)`, [titles]);
    expect(stored.map((r) => r.title).sort()).toEqual([...titles].sort());
    expect(loadErrors).toEqual([]);
    expect(load.bad).toEqual([]);
    record(
      { requests: tally.requests + load.requests, faults: 1, failures: tally.bad.length + load.bad.length + loadErrors.length },
      { inFlight: inFlight.length, loadRequests: load.requests, loadStatuses: load.statuses, exitCode: code, exitMs },
    );
    expect(tally.bad).toEqual([]);
  } finally {
    await locker.query("ROLLBACK").catch(() => undefined);
    await locker.end();
  }
});
