// Readiness and liveness. Anyone may read /healthz on the public port, so it says only the overall
// status and each check's name and status; the detail (latency, TLS, the listener and session
// counts, the verified-token cache) is for operators: the same route on the loopback-only operator
// port (app.ts createOperatorApp, API_OPERATOR_PORT), and the log lines of db/health.ts and sessions/listener.ts.
import { json } from "../openapi/responses";
import { Health, Liveness } from "../openapi/schemas";
import { routeOf } from "../http/route";
import type { CacheStats } from "../auth/tokenCache";
import type { HealthReport } from "../db/health";
import type { ListenerState } from "../sessions/listener";
import type { SessionStats } from "../sessions/registry";

export type SessionsHealth = ListenerState & SessionStats;

function healthBody(report: HealthReport, sessions: SessionsHealth, tokens: CacheStats) {
  const time = new Date().toISOString();
  const base = { componentType: "datastore", status: report.status, time, ...(report.reason ? { output: report.reason } : {}) };
  return {
    status: report.status,
    ...(report.reason ? { output: report.reason } : {}),
    checks: {
      "database:responseTime": [{ ...base, observedValue: report.latencyMs, observedUnit: "ms" }],
      "database:tls": [
        {
          ...base,
          observedValue: report.tlsProtocol ?? null,
          verified: report.tlsVerified ?? false,
          serverSsl: report.serverSsl ?? null,
        },
      ],
      // Informative, never a readiness failure: without the listener every request checks its
      // session in the database, which is slower but just as correct.
      "sessions:listener": [
        {
          componentType: "component",
          status: sessions.listening ? "pass" : "warn",
          time,
          observedValue: sessions.listening ? "listening" : "not listening",
          since: sessions.since,
          reconnects: sessions.reconnects,
          revocationsApplied: sessions.revocationsApplied,
          sessionLookups: sessions.lookups,
          cachedSessions: sessions.cached,
        },
      ],
      // Operator's view only (publicBody leaves it out), never a readiness failure: how often a
      // request's token was answered from memory, without the HMAC and the claim checks.
      "tokens:cache": [
        {
          componentType: "component",
          status: "pass",
          time,
          observedValue: tokens.hits + tokens.misses > 0 ? tokens.hits / (tokens.hits + tokens.misses) : null,
          observedUnit: "hit ratio",
          hits: tokens.hits,
          misses: tokens.misses,
          cachedTokens: tokens.size,
          maxTokens: tokens.max,
        },
      ],
    },
  };
}

/** Checks that only the operator's port shows, even by name. */
const OPERATOR_ONLY = new Set(["tokens:cache"]);

type HealthBody = ReturnType<typeof healthBody>;

/** What the public port says: the status, and each check by name with its status alone. */
function publicBody({ status, checks }: HealthBody) {
  const names = Object.entries(checks)
    .filter(([name]) => !OPERATOR_ONLY.has(name))
    .map(([name, entries]) => [name, entries.map((entry) => ({ status: entry.status }))]);
  return { status, checks: Object.fromEntries(names) as Record<string, { status: string }[]> };
}

export interface HealthDeps {
  check: () => Promise<HealthReport>;
  sessions: () => SessionsHealth;
  /** The verified-token cache's counters (operator's port only). */
  tokens: () => CacheStats;
  /** The operator's port: every check's detail; the public one: names and statuses only. */
  detail: boolean;
}

const healthRoute = routeOf<HealthDeps>();

// Readiness: the database answers over an encrypted connection (RFC draft health+json).
export const readiness = healthRoute({
  method: "get",
  path: "/healthz",
  summary: "Readiness: the database answers over an encrypted connection",
  bearer: false,
  request: {},
  responses: {
    200: { description: "Ready", content: { "application/health+json": { schema: Health } } },
    503: {
      description: "Not ready: the database is unreachable, slow, or not encrypted",
      content: { "application/health+json": { schema: Health } },
    },
  },
  handler: async ({ check, sessions, tokens, detail }, _input, _req, res) => {
    const report = await check();
    const body = healthBody(report, sessions(), tokens());
    res
      .status(report.status === "pass" ? 200 : 503)
      .set("Cache-Control", "no-store")
      .type("application/health+json")
      .send(JSON.stringify(detail ? body : publicBody(body)));
  },
});

// Liveness: the process and its event loop answer; no database.
export const liveness = healthRoute({
  method: "get",
  path: "/livez",
  summary: "Liveness: the process answers (no database)",
  bearer: false,
  request: {},
  responses: { 200: json(Liveness, "Alive", { status: "pass" }) },
  handler: (_deps, _input, _req, res) => {
    res.set("Cache-Control", "no-store").json({ status: "pass" });
  },
});

export const healthRoutes = [readiness, liveness];
