// Turns a run into the stdout table, the JSON file and the results block of docs/BENCHMARKS.md.
import type { DataPathCost } from "./dataPath";
import type { CaseResult, FixedRateResult } from "./load";
import type { RevocationResult } from "./revocation";
import type { RoundTrips } from "./roundTrips";
import type { OpsResult } from "./verify";

export interface Run {
  date: string;
  machine: Record<string, unknown>;
  options: Record<string, unknown>;
  cases: CaseResult[];
  verify: OpsResult[];
  coldStartMs: number[];
  migratorMs: number | null;
  /** VmHWM of the api that took the load (one worker, one process), after all cases. */
  peakRssMb: number | null;
  /** VmHWM of the 2-worker api's primary and of each worker, after all cases. */
  workersPeakRssMb: { primary: number; workers: number[] } | null;
  /** NODE_OPTIONS every server ran with: the api image's (Dockerfile). */
  nodeOptions: string;
  /** The fixed-rate case: api, Express reference and floor at one rate, open loop. */
  fixedRate: { rate: number; rateFrom: string; results: FixedRateResult[] } | null;
  /** Revocation latency of the session listener (the revocation case). */
  revocation: RevocationResult | null;
  /** The tasks query and serialisation measured in-process (the layers table). */
  dataPath: DataPathCost | null;
  /** Database round trips per tasks request (the round-trips case). */
  roundTrips: RoundTrips | null;
  /** Time of the whole run, seconds. */
  wallSeconds: number;
}

export interface Target {
  name: string;
  goal: string;
  actual: string;
  status: "met" | "missed" | "reported" | "not measured";
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

export const medianColdStartMs = (run: Run) => (run.coldStartMs.length ? median(run.coldStartMs) : null);

const byName = (run: Run, name: string) => run.cases.find((c) => c.name === name);

/**
 * Throughput as a fraction of a reference case: the median of the round-by-round ratios (each
 * round's cases ran back to back, under about the same background load), or of the totals otherwise.
 */
export function ratioTo(run: Run, result: CaseResult, reference: string): number | null {
  const ref = byName(run, reference);
  if (!ref) return null;
  if (ref.rounds.length !== result.rounds.length || result.rounds.length === 0) return result.reqPerSec / ref.reqPerSec;
  return median(result.rounds.map((rate, i) => rate / (ref.rounds[i] ?? NaN)));
}

export const ratioToBaseline = (run: Run, result: CaseResult) => ratioTo(run, result, "baseline");

/** CPU per request of the reference case over this one's: 1 costs as little as the reference. */
function cpuRatio(run: Run, result: CaseResult | undefined, reference: string): number | null {
  const ref = byName(run, reference);
  return ref && result ? ref.apiCpuUsPerRequest / result.apiCpuUsPerRequest : null;
}

/** How many times a case's page costs the 50-task page (from the paired req/s ratios). */
function pageCost(run: Run, name: string): number | null {
  const result = byName(run, name);
  const ratio = result ? ratioTo(run, result, "tasks") : null;
  return ratio ? 1 / ratio : null;
}

/** The floor case a case is compared with: the same statements without Express and the middleware. */
export function floorOf(name: string): string | null {
  if (name === "task-by-id") return "floor-by-id";
  if (name === "task-patch") return "floor-patch";
  return name.startsWith("tasks") || name === "express" ? "floor" : null;
}

/** The Express reference (the one route, no middleware) a case is compared with: the list's cases. */
export function expressOf(name: string): string | null {
  return name.startsWith("tasks") ? "express" : null;
}

/** Peak RSS of each process that serves (the one-worker api; each worker of the 2-worker api). */
export function workerPeaks(run: Run): number[] {
  return [...(run.peakRssMb === null ? [] : [run.peakRssMb]), ...(run.workersPeakRssMb?.workers ?? [])];
}

const fixed = (run: Run, name: string) => run.fixedRate?.results.find((r) => r.name === name);

export function failuresOf(run: Run): number {
  const closed = run.cases.reduce((sum, c) => sum + c.errors + c.timeouts + c.non2xx + c.warmup.errors + c.warmup.timeouts + c.warmup.non2xx, 0);
  return closed + (run.fixedRate?.results.reduce((sum, r) => sum + r.errors + r.non2xx, 0) ?? 0);
}

function target(name: string, goal: string, value: number | null | undefined, met: (v: number) => boolean, show: (v: number) => string): Target {
  if (value === null || value === undefined) return { name, goal, actual: "-", status: "not measured" };
  return { name, goal, actual: show(value), status: met(value) ? "met" : "missed" };
}

export function targets(run: Run): Target[] {
  const authOnly = byName(run, "auth-only");
  const authOnlyEdDSA = byName(run, "auth-only-eddsa");
  const tasks = byName(run, "tasks");
  const twoWorkers = byName(run, "tasks-2-workers");
  const byId = byName(run, "task-by-id");
  const patch = byName(run, "task-patch");
  const at50 = run.options.connections === 50;
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const x = (v: number) => v.toFixed(2);
  const report = (name: string, value: number | null | undefined, show: (v: number) => string): Target =>
    value === null || value === undefined
      ? { name, goal: "report", actual: "-", status: "not measured" }
      : { name, goal: "report", actual: show(value), status: "reported" };
  return [
    target("auth-only / baseline", ">= 0.90", authOnly ? ratioToBaseline(run, authOnly) : null, (v) => v >= 0.9, x),
    target("auth-only EdDSA / baseline", ">= 0.90", authOnlyEdDSA ? ratioToBaseline(run, authOnlyEdDSA) : null, (v) => v >= 0.9, x),
    target(
      "tasks req/s, row-level security on / off (same build)",
      ">= 0.90",
      tasks ? ratioTo(run, tasks, "tasks-rls-off") : null,
      (v) => v >= 0.9,
      x,
    ),
    {
      ...target(
        "database round trips per tasks request (list, create)",
        "1 each",
        run.roundTrips ? Math.max(run.roundTrips.list, run.roundTrips.create) : null,
        (v) => v <= 1.3,
        String,
      ),
      ...(run.roundTrips ? { actual: `${run.roundTrips.list}, ${run.roundTrips.create}` } : {}),
    },
    target("tasks / Express reference, CPU per request (express µs / api µs)", ">= 0.90", cpuRatio(run, tasks, "express"), (v) => v >= 0.9, x),
    report("tasks / Express reference, req/s", tasks ? ratioTo(run, tasks, "express") : null, x),
    report("Express reference / floor, CPU per request (floor µs / express µs)", cpuRatio(run, byName(run, "express"), "floor"), x),
    target("tasks / floor, req/s (1 worker each)", ">= 0.80", tasks ? ratioTo(run, tasks, "floor") : null, (v) => v >= 0.8, x),
    target("tasks / floor, CPU per request (floor µs / api µs)", ">= 0.80", cpuRatio(run, tasks, "floor"), (v) => v >= 0.8, x),
    {
      ...target(
        `tasks p99 at a fixed rate, api / floor${run.fixedRate ? ` (${run.fixedRate.rate} req/s)` : ""}`,
        "<= 2.00",
        fixed(run, "tasks (api)") && fixed(run, "floor")
          ? (fixed(run, "tasks (api)")?.latencyMs.p99 ?? NaN) / (fixed(run, "floor")?.latencyMs.p99 ?? NaN)
          : null,
        (v) => v <= 2,
        x,
      ),
    },
    target("task by id cost / 50-task page", "<= 1.00", pageCost(run, "task-by-id"), (v) => v <= 1, x),
    report("task by id / floor, req/s", byId ? ratioTo(run, byId, "floor-by-id") : null, x),
    report("task PATCH / floor, req/s", patch ? ratioTo(run, patch, "floor-patch") : null, x),
    target("10,000-task user, first page cost / 50-task page", "<= 1.20", pageCost(run, "tasks-large-first"), (v) => v <= 1.2, x),
    target("10,000-task user, deep page cost / 50-task page", "<= 1.20", pageCost(run, "tasks-large-deep"), (v) => v <= 1.2, x),
    target("tasks p99 at 50 connections (1 worker)", "<= 20 ms", at50 ? tasks?.latencyMs.p99 : null, (v) => v <= 20, ms),
    report("tasks req/s, 2 workers / 1 worker", twoWorkers ? ratioTo(run, twoWorkers, "tasks") : null, x),
    target("tasks p99 at 50 connections (2 workers)", "<= 20 ms", at50 ? twoWorkers?.latencyMs.p99 : null, (v) => v <= 20, ms),
    target("healthz p99", "<= 10 ms", byName(run, "healthz")?.latencyMs.p99, (v) => v <= 10, ms),
    target(
      "api cold start (median)",
      "<= 1500 ms",
      medianColdStartMs(run),
      (v) => v <= 1500,
      (v) => `${Math.round(v)} ms`,
    ),
    target(
      "api peak RSS under load (1 worker)",
      "<= 140 MB",
      run.peakRssMb,
      (v) => v <= 140,
      (v) => `${v.toFixed(0)} MB`,
    ),
    target(
      "api peak RSS per worker (2 workers, the larger)",
      "<= 140 MB",
      run.workersPeakRssMb?.workers.length ? Math.max(...run.workersPeakRssMb.workers) : null,
      (v) => v <= 140,
      (v) => `${v.toFixed(0)} MB`,
    ),
    target("revocation p99 (session delete to first 401)", "<= 1000 ms", run.revocation?.p99Ms, (v) => v <= 1000, ms),
    target("session rows read during the HTTP cases", "0 (no query per request)", run.revocation?.sessionLookupsDuringLoad, (v) => v === 0, String),
    target("errors + non-2xx, all cases", "0", run.cases.length ? failuresOf(run) : null, (v) => v === 0, String),
  ];
}

type Row = string[];

function table(header: Row, rows: Row[], markdown: boolean): string {
  if (markdown) {
    const line = (cells: Row) => `| ${cells.join(" | ")} |`;
    return [line(header), line(header.map((h, i) => (i === 0 ? "---" : "---:"))), ...rows.map(line)].join("\n");
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: Row) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");

function sections(run: Run, markdown: boolean): string[] {
  const out: string[] = [];
  if (run.cases.length) {
    out.push(
      table(
        [
          "case",
          "req/s",
          "p50 ms",
          "p90 ms",
          "p99 ms",
          "max ms",
          "errors",
          "non-2xx",
          "x baseline",
          "x express",
          "x floor",
          "server CPU µs/req",
          "token cache hits",
          "cpu % api/db/harness/others/idle",
        ],
        run.cases.map((c) => {
          const ratio = ratioToBaseline(run, c);
          const floor = floorOf(c.name);
          const floorRatio = floor ? ratioTo(run, c, floor) : null;
          const expressRef = expressOf(c.name);
          const expressRatio = expressRef ? ratioTo(run, c, expressRef) : null;
          const cache = c.tokenCache;
          return [
            c.name,
            int(c.reqPerSec),
            c.latencyMs.p50.toFixed(1),
            c.latencyMs.p90.toFixed(1),
            c.latencyMs.p99.toFixed(1),
            c.latencyMs.max.toFixed(1),
            String(c.errors + c.timeouts + c.warmup.errors + c.warmup.timeouts),
            String(c.non2xx + c.warmup.non2xx),
            ratio === null ? "-" : ratio.toFixed(2),
            expressRatio === null ? "-" : expressRatio.toFixed(2),
            floorRatio === null ? "-" : floorRatio.toFixed(2),
            String(c.apiCpuUsPerRequest),
            cache ? `${(cache.hitRate * 100).toFixed(2)}% of ${int(cache.hits + cache.misses)}` : "-",
            `${c.cpu.api}/${c.cpu.db}/${c.cpu.harness}/${c.cpu.others}/${c.cpu.idle}`,
          ];
        }),
        markdown,
      ),
    );
  }
  if (run.fixedRate) {
    const { rate, rateFrom, results } = run.fixedRate;
    out.push(
      table(
        [
          `fixed rate, open loop: ${rate} req/s (${rateFrom})`,
          "requests",
          "p50 ms",
          "p90 ms",
          "p99 ms",
          "max ms",
          "errors + non-2xx",
          "server CPU µs/req",
          "cpu % server/db/harness/others/idle",
        ],
        results.map((r) => [
          r.name,
          int(r.requests),
          r.latencyMs.p50.toFixed(1),
          r.latencyMs.p90.toFixed(1),
          r.latencyMs.p99.toFixed(1),
          r.latencyMs.max.toFixed(1),
          String(r.errors + r.non2xx),
          String(r.apiCpuUsPerRequest),
          `${r.cpu.api}/${r.cpu.db}/${r.cpu.harness}/${r.cpu.others}/${r.cpu.idle}`,
        ]),
        markdown,
      ),
    );
  }
  if (run.verify.length) {
    out.push(
      table(
        ["verify (in-process, one core)", "ops/s", "µs/op", "x HMAC cost"],
        run.verify.map((v) => [v.name, int(v.opsPerSec), v.usPerOp.toFixed(2), v.vsHmac.toFixed(2)]),
        markdown,
      ),
    );
  }
  const layers = layerRows(run);
  if (layers.length) out.push(table(["tasks request, by layer", "api µs/req", "express µs/req", "floor µs/req"], layers, markdown));
  const cold = medianColdStartMs(run);
  const facts: Row[] = [];
  if (cold !== null)
    facts.push([
      "api cold start, spawn to first 200 on /healthz",
      `${Math.round(cold)} ms (median of ${run.coldStartMs.map((ms) => Math.round(ms)).join(", ")})`,
    ]);
  if (run.migratorMs !== null) facts.push(["migrator on an empty database (process start to exit)", `${Math.round(run.migratorMs)} ms`]);
  if (run.peakRssMb !== null) facts.push(["api peak RSS (VmHWM) after all cases, 1 worker", `${run.peakRssMb.toFixed(1)} MB`]);
  if (run.workersPeakRssMb) {
    const { primary, workers } = run.workersPeakRssMb;
    facts.push([
      "api peak RSS (VmHWM), 2 workers: each worker; the primary",
      `${workers.map((w) => `${w.toFixed(1)} MB`).join(", ")}; ${primary.toFixed(1)} MB`,
    ]);
  }
  facts.push(["NODE_OPTIONS of every server (the api image's)", run.nodeOptions || "(none)"]);
  const revocation = run.revocation;
  if (revocation) {
    facts.push([
      `revocation latency over ${revocation.count} revocations (${revocation.method})`,
      `p50 ${revocation.p50Ms} ms, p99 ${revocation.p99Ms} ms, max ${revocation.maxMs} ms`,
    ]);
  }
  if (run.roundTrips) {
    facts.push([
      `database round trips per request (answers held ${run.roundTrips.delayMs} ms by a relay)`,
      `list ${run.roundTrips.list}, create ${run.roundTrips.create}`,
    ]);
  }
  if (facts.length) out.push(table(["measure", "value"], facts, markdown));
  out.push(
    table(
      ["target", "goal", "this run", "status"],
      targets(run).map((t) => [t.name, t.goal, t.actual, t.status]),
      markdown,
    ),
  );
  return out;
}

const us = (v: number) => v.toFixed(1);

/**
 * What one tasks request costs, layer by layer: the middleware self times (timed in the layered
 * api, tasks-layers), the query and serialisation (timed in-process), and the rest (Node's HTTP
 * parser and writer, Express's router and request objects, garbage collection) as the remainder
 * of the api's measured CPU per request. The Express reference and the floor run the same query
 * and serialisation, the first with Express and no middleware, the second with neither.
 */
function layerRows(run: Run): Row[] {
  const tasks = byName(run, "tasks");
  const layered = byName(run, "tasks-layers");
  const express = byName(run, "express");
  const floor = byName(run, "floor");
  if (!tasks || !run.dataPath) return [];
  const { queryUs, serialiseUs } = run.dataPath;
  const middleware = Object.entries(layered?.layersUsPerRequest ?? {});
  const apiRest = tasks.apiCpuUsPerRequest - queryUs - serialiseUs - middleware.reduce((sum, [, v]) => sum + v, 0);
  const rest = (c: CaseResult | undefined) => (c ? us(c.apiCpuUsPerRequest - queryUs - serialiseUs) : "-");
  return [
    ...middleware.map(([name, v]) => [`middleware: ${name} (timed in the layered api)`, us(v), "-", "-"]),
    ["query: pg over TLS, rows, page (in-process)", us(queryUs), us(queryUs), us(queryUs)],
    ["serialisation: JSON.stringify of the page (in-process)", us(serialiseUs), us(serialiseUs), us(serialiseUs)],
    ["the rest: HTTP parse and write, routing, GC (remainder)", us(apiRest), rest(express), rest(floor)],
    [
      "total: server CPU per request (measured)",
      String(tasks.apiCpuUsPerRequest),
      express ? String(express.apiCpuUsPerRequest) : "-",
      floor ? String(floor.apiCpuUsPerRequest) : "-",
    ],
  ];
}

export function textReport(run: Run): string {
  return sections(run, false).join("\n\n");
}

export function markdownReport(run: Run): string {
  const m = run.machine as { cpus?: number; cpuModel?: string; memoryGb?: number; node?: string; kernel?: string; loadAverage?: number[] };
  const o = run.options as { connections?: number; duration?: number; warmup?: number; rounds?: number };
  return [
    `Run of ${run.date} (${Math.round(run.wallSeconds)} s in all): ${m.cpus} cores (${m.cpuModel}), ${m.memoryGb} GB, ` +
      `${m.kernel}, Node ${m.node}; load average ${m.loadAverage?.join(" / ")} at the start. ` +
      `${o.connections} connections; per case ${o.warmup} s warm-up, then ${o.duration} s measured in ${o.rounds} interleaved rounds.`,
    ...sections(run, true),
  ].join("\n\n");
}

const START = "<!-- bench:results:start -->";
const END = "<!-- bench:results:end -->";

/** The document with its results block replaced (the block markers must exist). */
export function withResults(doc: string, run: Run): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start === -1 || end < start) throw new Error(`docs/BENCHMARKS.md has no ${START} ... ${END} block`);
  return `${doc.slice(0, start + START.length)}\n${markdownReport(run)}\n${doc.slice(end)}`;
}
