// make bench: what authentication costs, against a baseline of the same app in the same run.
// See docs/BENCHMARKS.md for the method; `scripts/bench.sh --help` for the flags.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { type Cluster, freePort, migrate, repoRoot, startCluster } from "../../testing/pg";
import { type ApiProcess, startApi } from "./apiProcess";
import { type BenchUser, caseSpecs } from "./cases";
import { runCases } from "./load";
import { machineInfo, peakRssMb, postmasterPid } from "./machine";
import { HTTP_CASES, type Options, USAGE, parseOptions } from "./options";
import { type Run, failuresOf, textReport, withResults } from "./report";
import { listenerHealth, measureRevocation, waitForListener } from "./revocation";
import { seed, sessionOf } from "./seed";
import { contractKey, mintToken, throwAwaySecret } from "./tokens";
import { runVerify } from "./verify";

const WEB_ORIGIN = "http://localhost:3000"; // only the token issuer: no web app runs
const USER_IDS = ["bench-user-a", "bench-user-b"];
// Longer than any run, so no token expires mid-case and turns into 401s.
const TOKEN_TTL_SECONDS = 6 * 3600;

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

async function httpCases(options: Options, secret: string, run: Run): Promise<void> {
  const key = contractKey(secret);
  const cluster: Cluster = await startCluster();
  cleanups.push(() => cluster.destroy());
  log(`TLS PostgreSQL on port ${cluster.port}; migrating`);
  const migrateStart = performance.now();
  await migrate(cluster.url);
  run.migratorMs = performance.now() - migrateStart;
  await seed(cluster.url, USER_IDS);

  let api: ApiProcess | undefined;
  for (let i = 0; i < options.coldStarts; i++) {
    const port = await freePort();
    api = await startApi({ secret, webOrigin: WEB_ORIGIN, port, databaseUrl: cluster.url });
    const started = api;
    cleanups.push(() => started.stop());
    run.coldStartMs.push(api.coldStartMs);
    log(`api cold start ${i + 1}/${options.coldStarts}: ${Math.round(api.coldStartMs)} ms`);
    if (i < options.coldStarts - 1) await api.stop();
  }
  if (!api) throw new Error("no api started");

  const users: BenchUser[] = USER_IDS.map((id) => ({
    id,
    token: mintToken(key, { sub: id, sid: sessionOf(id), iss: WEB_ORIGIN, aud: api.origin, ttlSeconds: TOKEN_TTL_SECONDS }).token,
  }));
  const specs = caseSpecs(users);
  const postmaster = postmasterPid(cluster.dir);
  const selected = HTTP_CASES.filter((c) => options.cases.includes(c)).map((name) => specs[name]);
  // Measured with revocation on: every request checks its session (in memory once seen).
  await waitForListener(api.origin);
  // Each session's first sight is its one read; from here on every check must come from memory.
  for (const user of users) await fetch(`${api.origin}/api/whoami`, { headers: { authorization: `Bearer ${user.token}` } }).then((r) => r.arrayBuffer());
  const lookupsBefore = (await listenerHealth(api.origin)).sessionLookups;
  log(`${selected.length} cases: check + ${options.warmup} s warm-up each, then ${options.duration} s each at ${options.connections} connections`);
  try {
    run.cases = await runCases({ origin: api.origin, pid: api.pid, postmaster }, selected, options, log);
    const sessionLookupsDuringLoad = (await listenerHealth(api.origin)).sessionLookups - lookupsBefore;
    if (options.cases.includes("revocation")) {
      const target = { origin: api.origin, databaseUrl: cluster.url, key, issuer: WEB_ORIGIN, userId: USER_IDS[0] ?? "", count: options.revocations };
      run.revocation = { ...(await measureRevocation(target, log)), sessionLookupsDuringLoad };
    }
  } catch (err) {
    throw new Error(`${(err as Error).message}\napi output:\n${api.output()}`);
  }
  run.peakRssMb = peakRssMb(api.pid);
}

function verifyCase(options: Options, secret: string, run: Run): void {
  log(`verify: ${options.verifySeconds} s per function, in-process`);
  const audience = "http://127.0.0.1:8000";
  const user = USER_IDS[0] ?? "";
  const minted = mintToken(contractKey(secret), { sub: user, sid: sessionOf(user), iss: WEB_ORIGIN, aud: audience, ttlSeconds: TOKEN_TTL_SECONDS });
  run.verify = runVerify({ key: contractKey(secret), ...minted, issuer: WEB_ORIGIN, audience, seconds: options.verifySeconds });
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
    wallSeconds: 0,
  };
  // The in-process case first, while nothing else of ours is running.
  if (options.cases.includes("verify")) verifyCase(options, secret, run);
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
