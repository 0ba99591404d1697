// How long a revoked session's token keeps working: the revocation latency of the api's session
// listener. Each revocation is a delete of a session row, the statement Better Auth's sign-out,
// revoke-sessions and revoke-other-sessions run (the bench starts no web), so the migration's
// trigger fires exactly as it does for them. Timed from the delete's commit (the moment a sign-out
// could answer) to the api's first 401 for a token of that session, seen once before (cached).
import { randomUUID } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Client } from "pg";
import { percentile } from "./load";
import { verifiedUrl } from "@authbridge/testing/sql";
import { mintToken } from "./tokens";

export interface RevocationResult {
  method: string;
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The api's session-row reads during the HTTP cases: 0 means no query per request. */
  sessionLookupsDuringLoad: number | null;
}

export interface ListenerHealth {
  observedValue: string;
  sessionLookups: number;
  revocationsApplied: number;
}

/** What the api's /healthz on its operator port (API_OPERATOR_PORT) says about its session listener. */
export async function listenerHealth(origin: string): Promise<ListenerHealth> {
  const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { checks?: Record<string, ListenerHealth[]> };
  const state = body.checks?.["sessions:listener"]?.[0];
  if (!state) throw new Error("/healthz has no sessions:listener check");
  return state;
}

/** Load is measured with revocation on: the listener must be listening before the cases start. */
export async function waitForListener(origin: string, limitMs = 20_000): Promise<void> {
  const started = performance.now();
  while ((await listenerHealth(origin)).observedValue !== "listening") {
    if (performance.now() - started > limitMs) throw new Error(`the api's session listener was not listening within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function whoamiStatus(origin: string, token: string): Promise<number> {
  const res = await fetch(`${origin}/api/whoami`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) });
  await res.arrayBuffer();
  return res.status;
}

export interface RevocationTarget {
  origin: string;
  databaseUrl: string;
  key: KeyObject;
  issuer: string;
  userId: string;
  count: number;
}

const GIVE_UP_MS = 10_000;

export async function measureRevocation(
  target: RevocationTarget,
  log: (line: string) => void,
): Promise<Omit<RevocationResult, "sessionLookupsDuringLoad">> {
  const db = new Client({ connectionString: verifiedUrl(target.databaseUrl) });
  await db.connect();
  const samples = new Float64Array(target.count);
  try {
    for (let i = 0; i < target.count; i++) {
      const sid = `bench-revocation-${randomUUID()}`;
      await db.query(
        `INSERT INTO "session" (id, "expiresAt", token, "updatedAt", "userId") VALUES ($1, (now() AT TIME ZONE 'UTC') + interval '1 day', $2, now(), $3)`,
        [sid, randomUUID(), target.userId],
      );
      const { token } = mintToken(target.key, { issuer: target.issuer, audience: target.origin }, { id: target.userId, sessionId: sid }, 900);
      const first = await whoamiStatus(target.origin, token);
      if (first !== 200) throw new Error(`a fresh session's token answered ${first}, expected 200`);
      await db.query(`DELETE FROM "session" WHERE id = $1`, [sid]);
      const committed = performance.now();
      for (;;) {
        const status = await whoamiStatus(target.origin, token);
        const elapsed = performance.now() - committed;
        if (status === 401) {
          samples[i] = elapsed;
          break;
        }
        if (status !== 200) throw new Error(`a revoked session's token answered ${status}`);
        if (elapsed > GIVE_UP_MS) throw new Error(`a revoked session's token still answered 200 after ${GIVE_UP_MS} ms`);
      }
    }
  } finally {
    await db.end();
  }
  const sorted = samples.slice().sort();
  const round = (ms: number) => Math.round(ms * 100) / 100;
  const result = {
    method: "session-row deletes (the statement sign-out runs), commit to first 401",
    count: target.count,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
  };
  log(`revocation: ${result.count} revocations, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms`);
  return result;
}
