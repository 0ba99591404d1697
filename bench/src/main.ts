// make bench: what authentication and the data path cost, against a baseline of the same app and
// a floor server (node:http + pg) in the same run.
// See docs/BENCHMARKS.md for the method; `scripts/bench.sh --help` for the flags.
import type { KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { migrate } from "@authbridge/testing/migrator";
import { type Cluster, freePort, repoRoot, startCluster } from "@authbridge/testing/pg";
import { withPort } from "@authbridge/testing/faults";
import { roleEnv, serviceUrls } from "@authbridge/testing/roles";
import { sql } from "@authbridge/testing/sql";
import { type ApiProcess, type StartedApi, apiEnv, imageNodeOptions, startApi } from "./apiProcess";
import { type BenchUser, type Served, caseSpecs } from "./cases";
import { measureDataPath } from "./dataPath";
import { type FixedRateSpec, type Target, layeredCounters, operatorCounters, runCases, runFixedRate } from "./load";
import { childPids, machineInfo, peakRssMb, postmasterPid } from "./machine";
import { type Reference, type ReferenceProcess, startReference } from "./servers";
import { HTTP_CASES, type HttpCase, type Options, USAGE, parseOptions } from "./options";
import { type Run, failuresOf, textReport, withResults } from "./report";
import { listenerHealth, measureRevocation, waitForListener } from "./revocation";
import { measureRoundTrips, startDelayRelay } from "./roundTrips";
import { LARGE_LIST_TASKS, TASKS_PER_USER, seed, sessionOf } from "./seed";
import { TOKEN_TTL_SECONDS, contractKeyObject, mintToken, throwAwaySecret } from "./tokens";
import { runVerify } from "./verify";
import { eddsaUsers, runVerifyEdDSA, startJwks } from "./eddsa";

const WEB_ORIGIN = "http://localhost:3000"; // only the token issuer: no web app runs
const USER_IDS = ["bench-user-a", "bench-user-b"];
const LARGE_USER_ID = "bench-user-large";
/** Tasks before the deep page of the large-list user, walked PAGE_WALK at a time. */
const DEEP_PAGE_OFFSET = 9_000;
const PAGE_WALK = 200;

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** Everything started is stopped: in reverse order, on success, failure or Ctrl-C. */
const cleanups: (() => Promise<void>)[] = [];
async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch((err: unknown) => log(`clean-up failed: ${String(err)}`));
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the api and the database`);
    void cleanUp().finally(() => process.exit(130));
  });
}

/** Tokens for one server's audience. */
function usersFor(key: KeyObject, ids: readonly string[], audience: string): BenchUser[] {
  return ids.map((id) => ({
    id,
    token: mintToken(key, { issuer: WEB_ORIGIN, audience }, { id, sessionId: sessionOf(id) }, TOKEN_TTL_SECONDS).token,
  }));
}

/** The cursor that starts the page at DEEP_PAGE_OFFSET, followed through the api itself. */
async function deepCursor(origin: string, user: BenchUser): Promise<string> {
  let cursor = "";
  for (let seen = 0; seen < DEEP_PAGE_OFFSET; seen += PAGE_WALK) {
    const res = await fetch(`${origin}/api/${user.id}/tasks?limit=${PAGE_WALK}${cursor ? `&cursor=${cursor}` : ""}`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    const body = (await res.json()) as { nextCursor?: unknown };
    if (res.status !== 200 || typeof body.nextCursor !== "string") throw new Error(`walking to the deep page: ${res.status}`);
    cursor = body.nextCursor;
  }
  return cursor;
}

/** Each user's newest task, read through the api: what the by-id cases ask for. */
async function firstTasks(origin: string, users: readonly BenchUser[]): Promise<Record<string, string>> {
  const taskOf: Record<string, string> = {};
  for (const user of users) {
    const res = await fetch(`${origin}/api/${user.id}/tasks?limit=1`, { headers: { authorization: `Bearer ${user.token}` } });
    const body = (await res.json()) as { tasks?: { id: string }[] };
    const id = body.tasks?.[0]?.id;
    if (res.status !== 200 || !id) throw new Error(`reading a task of ${user.id}: ${res.status}`);
    taskOf[user.id] = id;
  }
  return taskOf;
}

async function startedApi(secret: string, databaseUrl: string, workers: number): Promise<StartedApi> {
  const api = await startApi({ secret, webOrigin: WEB_ORIGIN, port: await freePort(), operatorPort: await freePort(), databaseUrl, workers });
  cleanups.push(() => api.stop());
  return api;
}

/** The api in EdDSA mode on the same database, its keys from a JWKS served by the bench (eddsa.ts). */
async function startedEdDSAApi(databaseUrl: string): Promise<StartedApi> {
  const jwks = await startJwks();
  cleanups.push(() => jwks.close());
  const api = await startApi({
    jwksUrl: jwks.url,
    webOrigin: WEB_ORIGIN,
    port: await freePort(),
    operatorPort: await freePort(),
    databaseUrl,
    workers: 1,
  });
  cleanups.push(() => api.stop());
  return api;
}

/** One of the bench's own servers, on the api's environment (one worker: the api's pool size). */
async function startedReference(kind: Reference, secret: string, databaseUrl: string): Promise<ReferenceProcess> {
  const server = await startReference(kind, { secret, webOrigin: WEB_ORIGIN, databaseUrl, workers: 1 });
  cleanups.push(() => server.stop());
  return server;
}

/**
 * The same api build on a database of its own, seeded alike, where row-level security on task is
 * off (the owner disables it after migrating): what the policies cost is the tasks case over this one.
 */
async function rlsOffApi(secret: string): Promise<StartedApi> {
  const cluster = await startCluster();
  cleanups.push(() => cluster.destroy());
  const roles = serviceUrls(cluster.url);
  await migrate(cluster.url, { env: roleEnv(roles) });
  await seed(
    cluster.url,
    USER_IDS.map((id) => ({ id, tasks: TASKS_PER_USER })),
  );
  await sql(cluster.url, "ALTER TABLE task DISABLE ROW LEVEL SECURITY");
  return startedApi(secret, roles.api, 1);
}

async function httpCases(options: Options, secret: string, run: Run): Promise<void> {
  const key = contractKeyObject(secret);
  const cluster: Cluster = await startCluster();
  cleanups.push(() => cluster.destroy());
  log(`TLS PostgreSQL on port ${cluster.port}; migrating`);
  const migrateStart = performance.now();
  // The api and the floor connect as the api's own role, as in production.
  const roles = serviceUrls(cluster.url);
  await migrate(cluster.url, { env: roleEnv(roles) });
  run.migratorMs = performance.now() - migrateStart;
  const wanted = (name: HttpCase) => options.cases.includes(name);
  const large = wanted("tasks-large-first") || wanted("tasks-large-deep");
  await seed(cluster.url, [
    ...USER_IDS.map((id) => ({ id, tasks: TASKS_PER_USER })),
    ...(large ? [{ id: LARGE_USER_ID, tasks: LARGE_LIST_TASKS }] : []),
  ]);

  let api: StartedApi | undefined;
  for (let i = 0; i < options.coldStarts; i++) {
    api = await startedApi(secret, roles.api, 1);
    run.coldStartMs.push(api.coldStartMs);
    log(`api cold start ${i + 1}/${options.coldStarts}: ${Math.round(api.coldStartMs)} ms`);
    if (i < options.coldStarts - 1) await api.stop();
  }
  if (!api) throw new Error("no api started");
  const postmaster = postmasterPid(cluster.dir);
  const served = (server: ApiProcess, counters?: Target["counters"]): Served => ({
    target: { origin: server.origin, pid: server.pid, postmaster, ...(counters ? { counters } : {}) },
    users: usersFor(key, USER_IDS, server.origin),
  });

  const fixedRate = options.cases.includes("fixed-rate");
  const reference = async (kind: Reference, needed: boolean) => (needed ? startedReference(kind, secret, roles.api) : null);
  const floorServer = await reference("floor", fixedRate || wanted("floor") || wanted("floor-by-id") || wanted("floor-patch"));
  const expressServer = await reference("express", fixedRate || wanted("express"));
  const layeredServer = await reference("layered", wanted("tasks-layers"));
  const floor = floorServer ? served(floorServer) : null;
  const express = expressServer ? served(expressServer) : null;
  const statsOrigin = layeredServer?.statsOrigin;
  const layered = layeredServer && statsOrigin ? served(layeredServer, () => layeredCounters(statsOrigin)) : null;
  const twoWorkersApi = wanted("tasks-2-workers") ? await startedApi(secret, roles.api, 2) : null;
  const twoWorkers = twoWorkersApi ? served(twoWorkersApi) : null;
  const rlsOffServer = wanted("tasks-rls-off") ? await rlsOffApi(secret) : null;
  const rlsOff = rlsOffServer ? served(rlsOffServer) : null;
  const eddsaApi = wanted("auth-only-eddsa") ? await startedEdDSAApi(roles.api) : null;
  const eddsa = eddsaApi ? { ...served(eddsaApi), users: eddsaUsers(USER_IDS, WEB_ORIGIN, eddsaApi.origin) } : null;
  const largeUser = large ? usersFor(key, [LARGE_USER_ID], api.origin)[0] : undefined;
  const apiOperator = api.operatorOrigin;
  const apiServed = served(api, () => operatorCounters(apiOperator));
  // Measured with revocation on: every request checks its session (in memory once seen).
  await waitForListener(api.operatorOrigin);
  if (twoWorkersApi) await waitForListener(twoWorkersApi.operatorOrigin);
  if (rlsOffServer) await waitForListener(rlsOffServer.operatorOrigin);
  if (eddsaApi) await waitForListener(eddsaApi.operatorOrigin);
  // Each session's first sight is its one read; from here on every check must come from memory.
  for (const user of [...apiServed.users, ...(largeUser ? [largeUser] : [])]) {
    await fetch(`${api.origin}/api/whoami`, { headers: { authorization: `Bearer ${user.token}` } }).then((r) => r.arrayBuffer());
  }
  for (const user of eddsa?.users ?? []) {
    await fetch(`${eddsa?.target.origin ?? ""}/api/whoami`, { headers: { authorization: `Bearer ${user.token}` } }).then((r) => r.arrayBuffer());
  }
  const specs = caseSpecs({
    api: apiServed,
    floor,
    express,
    layered,
    twoWorkers,
    rlsOff,
    eddsa,
    large: largeUser ? { user: largeUser, deepCursor: await deepCursor(api.origin, largeUser) } : null,
    taskOf: await firstTasks(api.origin, apiServed.users),
  });
  const selected = HTTP_CASES.filter(wanted).flatMap((name) => specs[name] ?? []);
  const lookupsBefore = (await listenerHealth(api.operatorOrigin)).sessionLookups;
  log(`${selected.length} cases: check + ${options.warmup} s warm-up each, then ${options.duration} s each at ${options.connections} connections`);
  try {
    run.cases = await runCases(apiServed.target, selected, options, log);
    if (fixedRate) run.fixedRate = await fixedRateCase(options, run, { api: apiServed, floor, express });
    const sessionLookupsDuringLoad = (await listenerHealth(api.operatorOrigin)).sessionLookups - lookupsBefore;
    if (options.cases.includes("revocation")) {
      const target = { origin: api.origin, databaseUrl: cluster.url, key, issuer: WEB_ORIGIN, userId: USER_IDS[0] ?? "", count: options.revocations };
      run.revocation = { ...(await measureRevocation(target, log)), sessionLookupsDuringLoad };
    }
    if (options.cases.includes("round-trips")) {
      log("round trips: the api again, its database answers held back by a relay");
      const relay = await startDelayRelay(cluster.port);
      cleanups.push(() => relay.close());
      const delayed = await startedApi(secret, withPort(roles.api, relay.port), 1);
      await waitForListener(delayed.operatorOrigin);
      const [direct] = usersFor(key, USER_IDS, api.origin);
      const [slow] = usersFor(key, USER_IDS, delayed.origin);
      if (!direct || !slow) throw new Error("no bench user");
      run.roundTrips = await measureRoundTrips({ api, user: direct }, { api: delayed, user: slow });
    }
  } catch (err) {
    throw new Error(`${(err as Error).message}\napi output:\n${api.output()}`);
  }
  run.peakRssMb = peakRssMb(api.pid);
  if (twoWorkersApi) {
    run.workersPeakRssMb = { primary: peakRssMb(twoWorkersApi.pid), workers: childPids(twoWorkersApi.pid).map(peakRssMb) };
  }
  if (wanted("tasks")) {
    log("data path: the tasks query and its serialisation, in-process");
    const env = apiEnv({ secret, webOrigin: WEB_ORIGIN, port: await freePort(), databaseUrl: roles.api, workers: 1 }, "http://127.0.0.1:8000");
    run.dataPath = await measureDataPath(env, USER_IDS[0] ?? "");
  }
}

/**
 * The fixed-rate case: the api's tasks route, the floor's and the Express reference's at one rate,
 * open loop. The rate is half what the floor served closed-loop in this run (about half its load),
 * unless --fixed-rate names one.
 */
async function fixedRateCase(
  options: Options,
  run: Run,
  servers: { api: Served; floor: Served | null; express: Served | null },
): Promise<NonNullable<Run["fixedRate"]>> {
  const floorCase = run.cases.find((c) => c.name === "floor");
  const rate = options.fixedRate ?? (floorCase ? Math.round(floorCase.reqPerSec / 2) : null);
  if (rate === null) throw new Error("fixed-rate: run the floor case too (its req/s sets the rate), or give --fixed-rate");
  const tasksRequests = (s: Served) =>
    s.users.map((user) => ({ path: `/api/${encodeURIComponent(user.id)}/tasks`, headers: { authorization: `Bearer ${user.token}` } }));
  const specs: FixedRateSpec[] = [
    { name: "tasks (api)", target: servers.api.target, requests: tasksRequests(servers.api) },
    ...(servers.express ? [{ name: "express", target: servers.express.target, requests: tasksRequests(servers.express) }] : []),
    ...(servers.floor ? [{ name: "floor", target: servers.floor.target, requests: tasksRequests(servers.floor) }] : []),
  ];
  log(`fixed rate: ${rate} req/s (${options.fixedRate ? "--fixed-rate" : "half the floor's closed-loop req/s"}), open loop`);
  const results = await runFixedRate(
    specs,
    {
      rate,
      seconds: options.fixedSeconds,
      rounds: Math.min(options.rounds, options.fixedSeconds),
      connections: options.connections,
      warmup: Math.min(2, options.warmup),
    },
    log,
  );
  return { rate, rateFrom: options.fixedRate ? "--fixed-rate" : "floor / 2", results };
}

async function verifyCase(options: Options, secret: string, run: Run): Promise<void> {
  log(`verify: ${options.verifySeconds} s per function, in-process`);
  const audience = "http://127.0.0.1:8000";
  const user = USER_IDS[0] ?? "";
  const key = contractKeyObject(secret);
  const minted = mintToken(key, { issuer: WEB_ORIGIN, audience }, { id: user, sessionId: sessionOf(user) }, TOKEN_TTL_SECONDS);
  run.verify = runVerify({ key, ...minted, issuer: WEB_ORIGIN, audience, seconds: options.verifySeconds });
  // EdDSA's rows beside HS256's, against the same HMAC floor.
  const hmacOpsPerSec = run.verify[0]?.opsPerSec ?? 1;
  run.verify.push(...(await runVerifyEdDSA({ issuer: WEB_ORIGIN, audience, seconds: options.verifySeconds, hmacOpsPerSec })));
}

async function main(): Promise<number> {
  const started = performance.now();
  const options = parseOptions(process.argv.slice(2), path.join(repoRoot, "bench", "results", "latest.json"));
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  const secret = throwAwaySecret();
  const run: Run = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    options: { ...options },
    cases: [],
    verify: [],
    coldStartMs: [],
    migratorMs: null,
    peakRssMb: null,
    revocation: null,
    dataPath: null,
    roundTrips: null,
    fixedRate: null,
    workersPeakRssMb: null,
    nodeOptions: imageNodeOptions(),
    wallSeconds: 0,
  };
  // The in-process case first, while nothing else of ours is running.
  if (options.cases.includes("verify")) await verifyCase(options, secret, run);
  if (options.cases.some((c) => c !== "verify")) {
    try {
      await httpCases(options, secret, run);
    } finally {
      await cleanUp();
    }
  }
  run.wallSeconds = (performance.now() - started) / 1000;
  run.machine = { ...run.machine, loadAverageAtEnd: machineInfo().loadAverage };

  console.log(textReport(run));
  mkdirSync(path.dirname(options.json), { recursive: true });
  writeFileSync(options.json, `${JSON.stringify(run, null, 2)}\n`);
  log(`results written to ${path.relative(process.cwd(), options.json)}`);
  if (options.writeDoc) {
    const doc = path.join(repoRoot, "docs", "BENCHMARKS.md");
    writeFileSync(doc, withResults(readFileSync(doc, "utf8"), run));
    log("docs/BENCHMARKS.md updated");
  }
  const failures = failuresOf(run);
  if (failures > 0) {
    log(`FAILED: ${failures} requests errored or answered non-2xx (see the table)`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    await cleanUp();
    log(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
