import { Router } from "express";
import type { HealthReport } from "../db/health";

function healthBody(report: HealthReport) {
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
    },
  };
}

export function healthRouter(check: () => Promise<HealthReport>): Router {
  const router = Router();
  // Readiness: the database answers over an encrypted connection (RFC draft health+json).
  router.get("/healthz", async (_req, res) => {
    const report = await check();
    res
      .status(report.status === "pass" ? 200 : 503)
      .set("Cache-Control", "no-store")
      .type("application/health+json")
      .send(JSON.stringify(healthBody(report)));
  });
  // Liveness: the process and its event loop answer; no database.
  router.get("/livez", (_req, res) => {
    res.set("Cache-Control", "no-store").json({ status: "pass" });
  });
  return router;
}
