// What the bench's own servers share (the floor, the Express reference, the layered api): the
// api's real runtime, built from the same environment the api gets, through the api's public
// library (@authbridge/api/lib, docs/API-SERVICE.md "Hosting the app"), never its private modules.
// So every server reads through the same pool (same size), verifier (same cache) and session
// registry (same listener), and runs the same statements.
import { type Server } from "node:http";
import { type AppDeps, type Runtime, HttpError, createRuntime, loadConfig, parsePageRequest } from "@authbridge/api/lib";
import pino from "pino";

export interface Host {
  runtime: Runtime;
  deps: AppDeps;
  port: number;
}

/** The runtime from the api's variables (API_PORT included): the api's own validation applies. */
export function hostRuntime(): Host {
  const config = loadConfig();
  const runtime = createRuntime(config, pino({ level: "warn" }));
  return { runtime, deps: runtime.deps, port: config.port };
}

/** Ready as the api is for the bench: the session listener listens, so sessions are answered from memory. */
export const ready = (deps: AppDeps) => deps.listener().listening;

export function stopOnSigterm(server: Server, host: Host): void {
  process.on("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    void host.runtime.close().finally(() => process.exit(0));
  });
}

export type Send = (status: number, body: unknown) => void;

const UNAUTHORIZED = { error: { code: "unauthorized", message: "invalid token" } };
const FORBIDDEN = { error: { code: "forbidden", message: "this resource belongs to another user" } };
export const UNAVAILABLE = { error: { code: "database_unavailable", message: "database unavailable" } };

type Verdict = ReturnType<AppDeps["sessions"]["check"]>;

/**
 * What the api's /api router, requireAuth and the user scope do before a task route runs, in their order: the
 * bearer token (verified-token cache first), its session (from memory once seen), the path's
 * user against the token's. `serve` runs with the caller's id; anything else is answered.
 */
export function withCaller(deps: AppDeps, authorization: string | undefined, pathUserId: string, send: Send, serve: (userId: string) => void): void {
  // As the api's /api router: a request keeps the listener from going idle (IDLE_AFTER_SECONDS).
  deps.idleness.touch();
  const verified = authorization?.startsWith("Bearer ") ? deps.verifier.verify(authorization.slice(7)) : null;
  if (!verified?.ok) return send(401, UNAUTHORIZED);
  const { claims } = verified;
  const decide = (verdict: Awaited<Verdict>) => {
    if (!verdict.ok) return send(401, UNAUTHORIZED);
    if (pathUserId !== claims.sub) return send(403, FORBIDDEN);
    serve(claims.sub);
  };
  const verdict = deps.sessions.check(claims.sid, claims.sub);
  if (verdict instanceof Promise) verdict.then(decide, () => send(503, UNAVAILABLE));
  else decide(verdict);
}

/** One page of the caller's tasks: the api's query rules, statement and page shape. */
export function servePage(deps: AppDeps, userId: string, query: unknown, send: Send): void {
  let page;
  try {
    page = parsePageRequest(query);
  } catch (err) {
    return send(400, err instanceof HttpError ? err.body() : { error: { code: "invalid_request", message: "bad request" } });
  }
  deps.tasks.list(userId, page).then(
    (body) => send(200, body),
    () => send(503, UNAVAILABLE),
  );
}
