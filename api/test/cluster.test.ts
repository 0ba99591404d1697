// API_WORKERS: the built api as a cluster of 2 workers behind one port: both answer, a killed
// worker is replaced, SIGTERM stops every worker after its in-flight request. Also the pool share
// and the CPU count the default comes from. Needs `npm run build` first (make test builds).
import { assertBuilt, programs, startProgram, waitFor } from "@authbridge/testing/processes";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@authbridge/testing/pg";
import { availableCpus, cgroupCpuLimit } from "../src/cpus";
import { createRuntime } from "../src/runtime";
import { hangingListener } from "@authbridge/testing/faults";
import { VECTOR_SECRET, captureLogger, testConfig } from "./helpers";

interface Line {
  msg?: string;
  pid?: number;
  path?: string;
  workerPid?: number;
}

/** The built api with API_WORKERS > 1: a primary and its workers, their JSON lines parsed. */
function startApiCluster(env: Record<string, string>) {
  const program = startProgram("api", programs.api, { env });
  const lines = (): Line[] =>
    program
      .stdout()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Line);
  return { program, lines };
}

/** One GET on a fresh connection (so node:cluster hands it to the next worker). */
function getFresh(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: urlPath, agent: false, headers: { connection: "close" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(() => {
  assertBuilt(programs.api);
});

test("API_WORKERS=2: both workers answer on one port, a killed worker is replaced, SIGTERM drains and stops all", async () => {
  // /livez needs no database; /healthz against a database that never answers is a slow request.
  const hang = await hangingListener();
  const port = await freePort();
  const api = startApiCluster({
    BETTER_AUTH_SECRET: VECTOR_SECRET,
    BETTER_AUTH_URL: "http://localhost:3000",
    API_URL: "http://localhost:8000",
    API_DATABASE_URL: `postgresql://authbridge:x@127.0.0.1:${hang.port}/authbridge?sslmode=require`,
    // The session listeners go elsewhere (refused at once), so only health probes reach the silent database.
    API_DIRECT_URL: "postgresql://authbridge:x@127.0.0.1:9/authbridge?sslmode=require",
    API_PORT: String(port),
    API_WORKERS: "2",
    HEALTHZ_TIMEOUT_MS: "1500",
    LOG_LEVEL: "info",
  });
  const listening = () => api.lines().filter((l) => l.msg === "api listening");
  try {
    await waitFor(() => listening().length === 2, { what: "two workers listening", intervalMs: 25 });
    const primary = api.lines().find((l) => l.msg === "api primary starting workers")?.pid;
    expect(primary).toBe(api.program.process.pid);
    const workers = listening().map((l) => l.pid ?? 0);
    expect(new Set(workers).size).toBe(2);
    expect(workers).not.toContain(primary);

    // Round-robin over fresh connections: both workers serve.
    for (let i = 0; i < 10; i++) expect(await getFresh(port, "/livez")).toBe(200);
    await waitFor(() => api.lines().filter((l) => l.path === "/livez").length === 10, { what: "request log lines", intervalMs: 25 });
    const served = new Set(
      api
        .lines()
        .filter((l) => l.path === "/livez")
        .map((l) => l.pid),
    );
    expect([...served].sort()).toEqual([...workers].sort());

    // A crashed worker is replaced, and the port never stops answering.
    const [victim, survivor] = workers as [number, number];
    process.kill(victim, "SIGKILL");
    await waitFor(() => listening().length === 3, { what: "a replacement worker", intervalMs: 25 });
    const exited = api.lines().find((l) => l.msg === "api worker exited; starting a replacement");
    expect(exited).toMatchObject({ pid: primary, workerPid: victim });
    const replacement = listening()[2]?.pid ?? 0;
    expect([victim, survivor]).not.toContain(replacement);
    for (let i = 0; i < 4; i++) expect(await getFresh(port, "/livez")).toBe(200);

    // SIGTERM to the primary: requests in flight on both workers finish, then everything exits 0.
    const started = Date.now();
    const probes = hang.connections();
    const inFlight = [getFresh(port, "/healthz"), getFresh(port, "/healthz")];
    // Each worker's health probe is waiting on the silent database: both requests are in flight.
    await waitFor(() => hang.connections() >= probes + 2, { what: "both workers to wait on the database", intervalMs: 25, timeoutMs: 5000 });
    api.program.process.kill("SIGTERM");
    expect(await Promise.all(inFlight)).toEqual([503, 503]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect((await api.program.exited).code).toBe(0);
    for (const pid of [survivor, replacement]) expect(alive(pid)).toBe(false);
    expect(api.lines().filter((l) => l.msg === "stopped").length).toBe(3);
    await expect(getFresh(port, "/livez")).rejects.toThrow();
  } catch (err) {
    throw new Error(`${(err as Error).message}\napi output:\n${api.program.output().slice(-4000)}`);
  } finally {
    api.program.process.kill("SIGKILL");
    await hang.close();
  }
}, 60_000);

test("workers that cannot serve (port taken) are not restarted forever: the primary gives up with exit 1", async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "0.0.0.0", resolve));
  const address = taken.address();
  if (typeof address !== "object" || !address) throw new Error("no port");
  const api = startApiCluster({
    BETTER_AUTH_SECRET: VECTOR_SECRET,
    BETTER_AUTH_URL: "http://localhost:3000",
    API_URL: "http://localhost:8000",
    API_DATABASE_URL: "postgresql://authbridge:x@127.0.0.1:9/authbridge?sslmode=require",
    API_PORT: String(address.port),
    API_WORKERS: "2",
  });
  try {
    expect((await api.program.exited).code).toBe(1);
    expect(api.lines().some((l) => l.msg === "api workers keep exiting; giving up")).toBe(true);
  } finally {
    api.program.process.kill("SIGKILL");
    taken.close();
  }
}, 60_000);

test("each worker's pool is its share of DB_POOL_MAX", async () => {
  const runtime = createRuntime(testConfig({ API_WORKERS: "3", DB_POOL_MAX: "10" }), captureLogger().logger);
  try {
    expect(runtime.pool.options.max).toBe(3);
  } finally {
    await runtime.close();
  }
});

test("unset API_WORKERS: the CPUs this process may use, at most DB_POOL_MAX", () => {
  const unset = { API_WORKERS: "" };
  expect(testConfig(unset).workers).toBe(Math.min(availableCpus(), 10));
  expect(testConfig({ ...unset, DB_POOL_MAX: "1" }).workers).toBe(1);
});

describe("CPUs available: the affinity mask capped by the cgroup v2 quota", () => {
  test.each([
    ["max 100000", null],
    ["200000 100000", 2],
    ["150000 100000", 2],
    ["50000 100000", 1],
    ["garbage", null],
  ])("cpu.max %j", (cpuMax, cpus) => {
    expect(cgroupCpuLimit(cpuMax)).toBe(cpus);
  });

  test("a quota below the affinity mask wins; a missing file leaves the mask", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cpus-"));
    try {
      const file = path.join(dir, "cpu.max");
      writeFileSync(file, "100000 100000\n");
      expect(availableCpus(file)).toBe(1);
      expect(availableCpus(path.join(dir, "missing"))).toBeGreaterThanOrEqual(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
