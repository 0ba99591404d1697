// The /healthz probe: one pooled connection (run again on a fresh one if it had died), `SHOW ssl`,
// and the client's own view of that connection's TLS. The server's ssl setting is reported, never trusted alone: on Neon TLS ends at
// a proxy and the server may say off for a connection that is encrypted end to end.
import { UnencryptedConnectionError, codeOf, tlsOf } from "@authbridge/postgres";
import type { ResilientPool } from "@authbridge/postgres";
import type { Logger } from "pino";

export interface HealthReport {
  status: "pass" | "fail";
  latencyMs: number;
  serverSsl?: string;
  tlsProtocol?: string;
  tlsVerified?: boolean;
  /** Short, fixed vocabulary: never a host name, user or driver message that could carry one. */
  reason?: string;
}

/**
 * What /healthz says while the api is idle, without a query: a probe every 30 s would keep Neon's
 * compute from ever suspending. Ready, since the first request wakes the database and the
 * listener; the state is said, not hidden.
 */
export function idleReport(since: string): HealthReport {
  return { status: "pass", latencyMs: 0, reason: `idle since ${since}: the database is not queried until a request` };
}

function reasonOf(err: unknown): string {
  if (err instanceof UnencryptedConnectionError) return "connection not encrypted";
  const message = err instanceof Error ? err.message : "";
  if (/timeout/i.test(message)) return "database timeout";
  const code = codeOf(err) ?? "";
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "28P01" || code === "28000") return "authentication failed";
  if (/^(57P0[1-3]|08)/.test(code)) return "database unavailable";
  return "database error";
}

function probe(pool: ResilientPool, started: number): Promise<HealthReport> {
  return pool.withReplayableConnection(async (client) => {
    const result = await client.query<{ ssl: string }>("SHOW ssl");
    const tls = tlsOf(client);
    const serverSsl = result.rows[0]?.ssl;
    const latencyMs = Date.now() - started;
    if (!tls) return { status: "fail", latencyMs, serverSsl, reason: "connection not encrypted" };
    return { status: "pass", latencyMs, serverSsl, tlsProtocol: tls.protocol, tlsVerified: tls.verified };
  });
}

/**
 * A health check with a hard deadline whose concurrent callers share one probe, so a burst of
 * checks (or a load balancer per replica) costs one connection and one query. Each change of
 * status is logged with its detail, which the public /healthz does not show.
 */
export function createHealthCheck(pool: ResilientPool, deadlineMs: number, logger: Logger): () => Promise<HealthReport> {
  let inFlight: Promise<HealthReport> | undefined;
  let lastStatus: HealthReport["status"] | undefined;
  const logChange = (report: HealthReport) => {
    if (report.status === lastStatus) return;
    lastStatus = report.status;
    const { status: _status, ...detail } = report;
    if (report.status === "fail") logger.warn(detail, "database health check failing");
    else logger.info(detail, "database health check passing");
  };
  const run = async (): Promise<HealthReport> => {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<HealthReport>((resolve) => {
      timer = setTimeout(() => resolve({ status: "fail", latencyMs: Date.now() - started, reason: "database timeout" }), deadlineMs);
    });
    const attempt = probe(pool, started).catch((err: unknown): HealthReport => ({
      status: "fail",
      latencyMs: Date.now() - started,
      reason: reasonOf(err),
    }));
    try {
      const report = await Promise.race([attempt, deadline]);
      logChange(report);
      return report;
    } finally {
      clearTimeout(timer);
    }
  };
  return () => {
    inFlight ??= run().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
