// Readiness for Compose's healthcheck, in the api's /healthz shape (application/health+json):
// 200 with status pass when this process can run a query on its database within the deadline,
// else 503 with status fail. The pool refuses any connection without TLS (lib/db.ts).
// While the web is idle (no user request for IDLE_AFTER_SECONDS) it answers 200 without a query,
// saying so: a probe every 30 s would otherwise keep Neon's compute from ever suspending.
import { getPrisma } from "../../../lib/db";
import { getIdleness } from "../../../lib/idleness";
import { getLogger } from "../../../lib/logger";

export const dynamic = "force-dynamic";

const DEADLINE_MS = 2000;

type Status = "pass" | "fail";

class Timeout extends Error {}

function healthBody(status: Status, latencyMs: number | null, output?: string) {
  const detail = output ? { output } : {};
  return {
    status,
    ...detail,
    checks: {
      "database:responseTime": [
        { componentType: "datastore", status, time: new Date().toISOString(), ...detail, observedValue: latencyMs, observedUnit: "ms" },
      ],
    },
  };
}

function answer(status: Status, latencyMs: number | null, output?: string): Response {
  return new Response(JSON.stringify(healthBody(status, latencyMs, output)), {
    status: status === "pass" ? 200 : 503,
    headers: { "content-type": "application/health+json", "cache-control": "no-store" },
  });
}

export async function GET(): Promise<Response> {
  const idleness = getIdleness();
  if (idleness.isIdle()) return answer("pass", null, `idle since ${idleness.state().since}: the database is not queried until a user request`);
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), DEADLINE_MS);
  });
  try {
    await Promise.race([getPrisma().$queryRaw`SELECT 1`, deadline]);
    return answer("pass", Date.now() - started);
  } catch (error) {
    // A fixed vocabulary in the body: a driver's message could carry a host name or user.
    const output = error instanceof Timeout ? "database timeout" : "database unavailable";
    getLogger().warn(
      { error: error instanceof Error ? error.message : String(error), latencyMs: Date.now() - started },
      "health: database unreachable",
    );
    return answer("fail", Date.now() - started, output);
  } finally {
    clearTimeout(timer);
  }
}
