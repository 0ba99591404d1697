// Turns a run into the stdout table, the JSON file and the results block of docs/BENCHMARKS.md.
import type { CaseResult } from "./load";
import type { RevocationResult } from "./revocation";
import type { OpsResult } from "./verify";

export interface Run {
  date: string;
  machine: Record<string, unknown>;
  options: Record<string, unknown>;
  cases: CaseResult[];
  verify: OpsResult[];
  coldStartMs: number[];
  migratorMs: number | null;
  /** VmHWM of the api that took the load, after all cases. */
  peakRssMb: number | null;
  /** Revocation latency of the session listener (the revocation case). */
  revocation: RevocationResult | null;
  /** Time of the whole run, seconds. */
  wallSeconds: number;
}

export interface Target {
  name: string;
  goal: string;
  actual: string;
  status: "met" | "missed" | "not measured";
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

export const medianColdStartMs = (run: Run) => (run.coldStartMs.length ? median(run.coldStartMs) : null);

const byName = (run: Run, name: string) => run.cases.find((c) => c.name === name);

/**
 * Throughput as a fraction of baseline: the median of the round-by-round ratios (each round's
 * cases ran back to back, under about the same background load), or of the totals otherwise.
 */
export function ratioToBaseline(run: Run, result: CaseResult): number | null {
  const baseline = byName(run, "baseline");
  if (!baseline) return null;
  if (baseline.rounds.length !== result.rounds.length || result.rounds.length === 0) return result.reqPerSec / baseline.reqPerSec;
  return median(result.rounds.map((rate, i) => rate / (baseline.rounds[i] ?? NaN)));
}

export function failuresOf(run: Run): number {
  return run.cases.reduce(
    (sum, c) => sum + c.errors + c.timeouts + c.non2xx + c.warmup.errors + c.warmup.timeouts + c.warmup.non2xx,
    0,
  );
}

function target(name: string, goal: string, value: number | null | undefined, met: (v: number) => boolean, show: (v: number) => string): Target {
  if (value === null || value === undefined) return { name, goal, actual: "-", status: "not measured" };
  return { name, goal, actual: show(value), status: met(value) ? "met" : "missed" };
}

export function targets(run: Run): Target[] {
  const authOnly = byName(run, "auth-only");
  const tasks = byName(run, "tasks");
  const at50 = run.options.connections === 50;
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  return [
    target("auth-only / baseline", ">= 0.90", authOnly ? ratioToBaseline(run, authOnly) : null, (v) => v >= 0.9, (v) => v.toFixed(2)),
    target("tasks p99 at 50 connections", "<= 20 ms", at50 ? tasks?.latencyMs.p99 : null, (v) => v <= 20, ms),
    target("healthz p99", "<= 10 ms", byName(run, "healthz")?.latencyMs.p99, (v) => v <= 10, ms),
    target("api cold start (median)", "<= 1500 ms", medianColdStartMs(run), (v) => v <= 1500, (v) => `${Math.round(v)} ms`),
    target("api peak RSS under load", "<= 150 MB", run.peakRssMb, (v) => v <= 150, (v) => `${v.toFixed(0)} MB`),
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
        ["case", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "non-2xx", "x baseline", "api CPU µs/req", "token cache hits", "cpu % api/db/harness/others/idle"],
        run.cases.map((c) => {
          const ratio = ratioToBaseline(run, c);
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
            String(c.apiCpuUsPerRequest),
            cache ? `${(cache.hitRate * 100).toFixed(2)}% of ${int(cache.hits + cache.misses)}` : "-",
            `${c.cpu.api}/${c.cpu.db}/${c.cpu.harness}/${c.cpu.others}/${c.cpu.idle}`,
          ];
        }),
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
  const cold = medianColdStartMs(run);
  const facts: Row[] = [];
  if (cold !== null) facts.push(["api cold start, spawn to first 200 on /healthz", `${Math.round(cold)} ms (median of ${run.coldStartMs.map((ms) => Math.round(ms)).join(", ")})`]);
  if (run.migratorMs !== null) facts.push(["migrator on an empty database (process start to exit)", `${Math.round(run.migratorMs)} ms`]);
  if (run.peakRssMb !== null) facts.push(["api peak RSS (VmHWM) after all cases", `${run.peakRssMb.toFixed(1)} MB`]);
  const revocation = run.revocation;
  if (revocation) {
    facts.push([
      `revocation latency over ${revocation.count} revocations (${revocation.method})`,
      `p50 ${revocation.p50Ms} ms, p99 ${revocation.p99Ms} ms, max ${revocation.maxMs} ms`,
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
