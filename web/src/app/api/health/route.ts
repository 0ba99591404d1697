// Compose's healthcheck: 200 when this process can run a query on its database, else 503.
import { getPrisma } from "../../../lib/db";
import { log } from "../../../lib/log";

export const dynamic = "force-dynamic";

const DEADLINE_MS = 2000;

export async function GET(): Promise<Response> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  try {
    await Promise.race([getPrisma().$queryRaw`SELECT 1`, deadline]);
    return Response.json({ status: "pass" }, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    log.warn("health: database unreachable", { error: error instanceof Error ? error.message : String(error) });
    return Response.json({ status: "fail" }, { status: 503, headers: { "cache-control": "no-store" } });
  } finally {
    clearTimeout(timer);
  }
}
