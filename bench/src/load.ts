// The HTTP cases: each one checked for correctness, warmed up (numbers thrown away, failures
// not), then measured in interleaved rounds on loopback with autocannon. Other engineers share
// this machine: slicing each case's time into rounds that alternate with the other cases exposes
// every case to the same background load, and ratios are taken round by round.
import autocannon from "autocannon";
import { type CpuSeconds, type CpuShare, NO_CPU, addCpu, cpuShare, cpuWindow, rssSampler } from "./machine";
import { type OpenLoopRequest, openLoop } from "./openLoop";
import type { HttpCase } from "./options";

export interface CaseSpec {
  name: HttpCase;
  requests: { method?: "GET" | "PATCH"; path: string; headers?: Record<string, string>; body?: string }[];
  /** Goes through requireAuth (so the token cache's counters belong to it). */
  authenticated: boolean;
  /** Another server than the run's api (the floor, the api with 2 workers). */
  target?: Target;
  /** Throws when one response does not look like a working api's. */
  check(status: number, body: unknown): void;
}

export interface Target {
  origin: string;
  pid: number;
  postmaster: number;
  /** The server's counters (token cache, layer times), read before and after each slice; none when absent. */
  counters?: () => Promise<Counters>;
}

export interface Failures {
  errors: number;
  timeouts: number;
  non2xx: number;
}

export interface CaseResult extends Failures {
  name: HttpCase;
  requests: number;
  seconds: number;
  reqPerSec: number;
  /** req/s of each round, in order. */
  rounds: number[];
  /** Of 2xx responses, exact (every response time kept), in ms. */
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  statusCodes: Record<string, number>;
  /** Failures during the warm-up (they fail the run too). */
  warmup: Failures;
  rssMaxMb: number;
  cpu: CpuShare;
  /**
   * The server's own CPU time (user + system, its worker processes included) per completed request, in µs: what a request costs the
   * api, far less sensitive to the machine's other load than req/s is.
   */
  apiCpuUsPerRequest: number;
  /** Verified-token cache lookups while measured (authenticated cases only). */
  tokenCache: { hits: number; misses: number; hitRate: number } | null;
  /** µs per request of each timed middleware (self time), for the layered api's case. */
  layersUsPerRequest: Record<string, number>;
}

export interface Counters {
  hits: number;
  misses: number;
  /** The layered api's timed middleware: calls and summed self time in ns, since start. */
  layers: Record<string, { calls: number; ns: number }>;
}

const NO_COUNTERS: Counters = { hits: 0, misses: 0, layers: {} };

/** The api's verified-token cache counters, from the detail of /healthz on its operator port. */
export async function operatorCounters(operatorOrigin: string): Promise<Counters> {
  const res = await fetch(`${operatorOrigin}/healthz`, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { checks?: Record<string, { hits?: number; misses?: number }[]> };
  const cache = body.checks?.["tokens:cache"]?.[0];
  if (typeof cache?.hits !== "number" || typeof cache.misses !== "number")
    throw new Error(`the api's operator /healthz has no tokens:cache (${res.status})`);
  return { hits: cache.hits, misses: cache.misses, layers: {} };
}

/** The layered api's totals (layeredApi.ts, on its own port). */
export async function layeredCounters(statsOrigin: string): Promise<Counters> {
  const res = await fetch(statsOrigin, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { tokenCache?: { hits: number; misses: number }; layers?: Counters["layers"] };
  if (!body.tokenCache || !body.layers) throw new Error(`the layered api's totals answered ${res.status}`);
  return { hits: body.tokenCache.hits, misses: body.tokenCache.misses, layers: body.layers };
}

function counterDelta(before: Counters, after: Counters): Counters {
  const layers: Counters["layers"] = {};
  for (const [name, total] of Object.entries(after.layers)) {
    const was = before.layers[name] ?? { calls: 0, ns: 0 };
    layers[name] = { calls: total.calls - was.calls, ns: total.ns - was.ns };
  }
  return { hits: after.hits - before.hits, misses: after.misses - before.misses, layers };
}

export async function checkCase(origin: string, spec: CaseSpec): Promise<void> {
  for (const request of spec.requests) {
    const method = request.method ?? "GET";
    const res = await fetch(`${origin}${request.path}`, { method, headers: request.headers ?? {}, body: request.body ?? null });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`${spec.name}: ${method} ${request.path} answered ${res.status} with a body that is not JSON`);
    }
    try {
      spec.check(res.status, body);
    } catch (err) {
      throw new Error(`${spec.name}: ${method} ${request.path} answered ${res.status} ${text.slice(0, 300)}: ${(err as Error).message}`);
    }
  }
}

interface Slice extends Failures {
  requests: number;
  seconds: number;
  statusCodes: Record<string, number>;
}

/** One autocannon run; 2xx response times go to `latencies` when given. */
async function fire(origin: string, spec: CaseSpec, connections: number, seconds: number, latencies?: number[]): Promise<Slice> {
  const instance = autocannon({
    url: origin,
    connections,
    duration: seconds,
    timeout: 10,
    requests: spec.requests.map((r) => ({ method: "GET", ...r })),
  });
  if (latencies) {
    instance.on("response", (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  }
  const result = await instance;
  return {
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total,
    seconds: result.duration,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
  };
}

const NO_FAILURES: Failures = { errors: 0, timeouts: 0, non2xx: 0 };
const addFailures = (a: Failures, b: Failures): Failures => ({
  errors: a.errors + b.errors,
  timeouts: a.timeouts + b.timeouts,
  non2xx: a.non2xx + b.non2xx,
});

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const round2 = (ms: number) => Math.round(ms * 100) / 100;

class Accumulator {
  failures: Failures = NO_FAILURES;
  warmup: Failures = NO_FAILURES;
  requests = 0;
  seconds = 0;
  rounds: number[] = [];
  statusCodes: Record<string, number> = {};
  latencies: number[] = [];
  cpu: CpuSeconds = NO_CPU;
  rssMaxMb = 0;
  cache: Counters = NO_COUNTERS;

  constructor(readonly spec: CaseSpec) {}

  add(slice: Slice, cpu: CpuSeconds, rssMb: number, cache: Counters): void {
    this.failures = addFailures(this.failures, slice);
    this.requests += slice.requests;
    this.seconds += slice.seconds;
    this.rounds.push(slice.requests / slice.seconds);
    for (const [code, count] of Object.entries(slice.statusCodes)) this.statusCodes[code] = (this.statusCodes[code] ?? 0) + count;
    this.cpu = addCpu(this.cpu, cpu);
    this.rssMaxMb = Math.max(this.rssMaxMb, rssMb);
    const layers = { ...this.cache.layers };
    for (const [name, total] of Object.entries(cache.layers)) {
      const had = layers[name] ?? { calls: 0, ns: 0 };
      layers[name] = { calls: had.calls + total.calls, ns: had.ns + total.ns };
    }
    this.cache = { hits: this.cache.hits + cache.hits, misses: this.cache.misses + cache.misses, layers };
  }

  result(): CaseResult {
    const sorted = Float64Array.from(this.latencies).sort();
    const { hits, misses } = this.cache;
    return {
      name: this.spec.name,
      ...this.failures,
      requests: this.requests,
      seconds: this.seconds,
      reqPerSec: this.requests / this.seconds,
      rounds: this.rounds.map(Math.round),
      latencyMs: {
        p50: round2(percentile(sorted, 50)),
        p90: round2(percentile(sorted, 90)),
        p99: round2(percentile(sorted, 99)),
        max: round2(sorted[sorted.length - 1] ?? NaN),
        mean: round2(sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length),
      },
      statusCodes: this.statusCodes,
      warmup: this.warmup,
      rssMaxMb: this.rssMaxMb,
      cpu: cpuShare(this.cpu),
      apiCpuUsPerRequest: Math.round((this.cpu.api / this.requests) * 1e6),
      tokenCache: this.spec.authenticated && hits + misses > 0 ? { hits, misses, hitRate: hits / (hits + misses) } : null,
      // Per request of this case (a layer the case skips shows 0; a layer may run on /bench/stats too).
      layersUsPerRequest: Object.fromEntries(
        Object.entries(this.cache.layers).map(([name, total]) => [name, Math.round((total.ns / 1000 / this.requests) * 10) / 10]),
      ),
    };
  }
}

export interface LoadSettings {
  connections: number;
  duration: number;
  warmup: number;
  rounds: number;
}

export async function runCases(target: Target, specs: CaseSpec[], settings: LoadSettings, log: (line: string) => void): Promise<CaseResult[]> {
  const cases = specs.map((spec) => new Accumulator(spec));
  const targetOf = (spec: CaseSpec) => spec.target ?? target;
  const counters = (spec: CaseSpec) => targetOf(spec).counters?.() ?? Promise.resolve(NO_COUNTERS);
  for (const c of cases) {
    await checkCase(targetOf(c.spec).origin, c.spec);
    if (settings.warmup > 0) c.warmup = await fire(targetOf(c.spec).origin, c.spec, settings.connections, settings.warmup);
  }
  const slice = settings.duration / settings.rounds;
  for (let round = 1; round <= settings.rounds; round++) {
    log(`round ${round}/${settings.rounds}: ${specs.map((s) => s.name).join(", ")}, ${slice.toFixed(1)} s each`);
    for (const c of cases) {
      const on = targetOf(c.spec);
      const cache0 = await counters(c.spec);
      const rss = rssSampler(on.pid);
      const cpu = cpuWindow(on.pid, on.postmaster);
      const result = await fire(on.origin, c.spec, settings.connections, slice, c.latencies);
      const cpuSeconds = cpu();
      const rssMb = rss();
      const cache1 = await counters(c.spec);
      c.add(result, cpuSeconds, rssMb, counterDelta(cache0, cache1));
    }
  }
  return cases.map((c) => c.result());
}

export interface FixedRateSpec {
  name: string;
  target: Target;
  requests: OpenLoopRequest[];
}

export interface FixedRateResult {
  name: string;
  /** Requests scheduled per second. */
  rate: number;
  requests: number;
  seconds: number;
  /** From each request's scheduled time to the end of its response, 2xx only, exact, ms. */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  errors: number;
  non2xx: number;
  /** The server's CPU time over the requests answered, µs; and its busy share of one core. */
  apiCpuUsPerRequest: number;
  cpu: CpuShare;
}

/**
 * Each server at the same fixed rate, open loop (openLoop.ts), in `rounds` slices that alternate
 * between the servers like the closed-loop cases, after one warm-up slice each.
 */
export async function runFixedRate(
  specs: FixedRateSpec[],
  settings: { rate: number; seconds: number; rounds: number; connections: number; warmup: number },
  log: (line: string) => void,
): Promise<FixedRateResult[]> {
  const all = specs.map(() => ({ latencies: [] as number[], errors: 0, non2xx: 0, requests: 0, seconds: 0, cpu: NO_CPU }));
  const load = { rate: settings.rate, connections: settings.connections };
  for (const spec of specs) {
    if (settings.warmup > 0) {
      const warm = await openLoop(spec.target.origin, spec.requests, { ...load, seconds: settings.warmup });
      const acc = all[specs.indexOf(spec)];
      if (acc) acc.errors += warm.errors + warm.non2xx;
    }
  }
  const slice = settings.seconds / settings.rounds;
  for (let round = 1; round <= settings.rounds; round++) {
    log(
      `fixed rate ${Math.round(settings.rate)}/s, round ${round}/${settings.rounds}: ${specs.map((s) => s.name).join(", ")}, ${slice.toFixed(1)} s each`,
    );
    for (const [i, spec] of specs.entries()) {
      const acc = all[i];
      if (!acc) continue;
      const cpu = cpuWindow(spec.target.pid, spec.target.postmaster);
      const result = await openLoop(spec.target.origin, spec.requests, { ...load, seconds: slice });
      acc.cpu = addCpu(acc.cpu, cpu());
      for (const ms of result.latencies) acc.latencies.push(ms);
      acc.errors += result.errors;
      acc.non2xx += result.non2xx;
      acc.requests += result.sent;
      acc.seconds += result.seconds;
    }
  }
  return specs.map((spec, i) => {
    const acc = all[i] ?? { latencies: [], errors: 0, non2xx: 0, requests: 0, seconds: 0, cpu: NO_CPU };
    const sorted = Float64Array.from(acc.latencies).sort();
    return {
      name: spec.name,
      rate: settings.rate,
      requests: acc.requests,
      seconds: acc.seconds,
      latencyMs: {
        p50: round2(percentile(sorted, 50)),
        p90: round2(percentile(sorted, 90)),
        p99: round2(percentile(sorted, 99)),
        max: round2(sorted[sorted.length - 1] ?? NaN),
      },
      errors: acc.errors,
      non2xx: acc.non2xx,
      apiCpuUsPerRequest: Math.round((acc.cpu.api / Math.max(1, acc.latencies.length)) * 1e6),
      cpu: cpuShare(acc.cpu),
    };
  });
}
