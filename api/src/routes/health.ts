// Readiness and liveness. Anyone may read /healthz on the public port, so it says only the overall
// status and each check's name and status; the detail (latency, TLS, the listener and session
// counts) is for operators: the same route on the loopback-only operator port (app.ts
// createOperatorApp), and the log lines of db/health.ts and sessions/listener.ts.
import { Router } from "express";
import type { HealthReport } from "../db/health";
import type { ListenerState } from "../sessions/listener";
import type { SessionStats } from "../sessions/registry";

export type SessionsHealth = ListenerState & SessionStats;

function healthBody(report: HealthReport, sessions: SessionsHealth) {
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
    },
  };
}

type HealthBody = ReturnType<typeof healthBody>;

/** What the public port says: the status, and each check by name with its status alone. */
function publicBody({ status, checks }: HealthBody) {
  const names = Object.entries(checks).map(([name, entries]) => [name, entries.map((entry) => ({ status: entry.status }))]);
  return { status, checks: Object.fromEntries(names) as Record<string, { status: string }[]> };
}

export function healthRouter(check: () => Promise<HealthReport>, sessions: () => SessionsHealth, options: { detail: boolean }): Router {
  const router = Router();
  // Readiness: the database answers over an encrypted connection (RFC draft health+json).
  router.get("/healthz", async (_req, res) => {
    const report = await check();
    const body = healthBody(report, sessions());
    res
      .status(report.status === "pass" ? 200 : 503)
      .set("Cache-Control", "no-store")
      .type("application/health+json")
      .send(JSON.stringify(options.detail ? body : publicBody(body)));
  });
  // Liveness: the process and its event loop answer; no database.
  router.get("/livez", (_req, res) => {
    res.set("Cache-Control", "no-store").json({ status: "pass" });
  });
  return router;
}
