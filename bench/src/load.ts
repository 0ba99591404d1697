// One HTTP case: a correctness check, a warm-up whose numbers are thrown away (but whose failures
// are not), then a fixed-duration autocannon run on loopback.
import autocannon from "autocannon";
import { type CpuShare, cpuWindow, rssSampler } from "./machine";
import type { HttpCase } from "./options";

export interface CaseSpec {
  name: HttpCase;
  requests: { path: string; headers?: Record<string, string> }[];
  /** Throws when one response does not look like a working api's. */
  check(status: number, body: unknown): void;
}

export interface Failures {
  errors: number;
  timeouts: number;
  non2xx: number;
}

export interface CaseResult extends Failures {
  name: HttpCase;
  requests: number;
  reqPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  statusCodes: Record<string, number>;
  /** Failures during the warm-up (counted against the run too). */
  warmup: Failures;
  rssMaxMb: number;
  cpu: CpuShare;
  /** Verified-token cache lookups during the measured part. */
  tokenCache: { hits: number; misses: number; hitRate: number | null };
}

export interface LoadSettings {
  connections: number;
  duration: number;
  warmup: number;
}

interface CacheCounters {
  hits: number;
  misses: number;
}

async function cacheCounters(origin: string): Promise<CacheCounters> {
  const res = await fetch(`${origin}/bench/stats`);
  const body = (await res.json()) as { tokenCache?: CacheCounters };
  if (res.status !== 200 || !body.tokenCache) throw new Error(`GET /bench/stats answered ${res.status}`);
  return body.tokenCache;
}

async function check(origin: string, spec: CaseSpec): Promise<void> {
  for (const request of spec.requests) {
    const res = await fetch(`${origin}${request.path}`, request.headers ? { headers: request.headers } : {});
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`${spec.name}: GET ${request.path} answered ${res.status} with a body that is not JSON`);
    }
    try {
      spec.check(res.status, body);
    } catch (err) {
      throw new Error(`${spec.name}: GET ${request.path} answered ${res.status} ${text.slice(0, 300)}: ${(err as Error).message}`);
    }
  }
}

const fire = (origin: string, spec: CaseSpec, connections: number, duration: number) =>
  autocannon({
    url: origin,
    connections,
    duration,
    timeout: 10,
    requests: spec.requests.map((r) => ({ method: "GET", ...r })),
  });

const failuresOf = (r: Failures): Failures => ({ errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx });

export async function runCase(target: { origin: string; pid: number; postmaster: number }, spec: CaseSpec, settings: LoadSettings): Promise<CaseResult> {
  const { origin, pid } = target;
  await check(origin, spec);
  const warm = settings.warmup > 0 ? failuresOf(await fire(origin, spec, settings.connections, settings.warmup)) : { errors: 0, timeouts: 0, non2xx: 0 };

  const cache0 = await cacheCounters(origin);
  const rss = rssSampler(pid);
  const cpu = cpuWindow(pid, target.postmaster);
  const result = await fire(origin, spec, settings.connections, settings.duration);
  const cpuShare = cpu();
  const rssMaxMb = rss();
  const cache1 = await cacheCounters(origin);

  const hits = cache1.hits - cache0.hits;
  const misses = cache1.misses - cache0.misses;
  return {
    name: spec.name,
    ...failuresOf(result),
    requests: result.requests.total,
    reqPerSec: result.requests.total / result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.mean,
    },
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
    warmup: warm,
    rssMaxMb,
    cpu: cpuShare,
    tokenCache: { hits, misses, hitRate: hits + misses > 0 ? hits / (hits + misses) : null },
  };
}
