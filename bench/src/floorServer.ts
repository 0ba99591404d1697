// The floor: GET /api/{user}/tasks, and GET and PATCH /api/{user}/tasks/{id}, with no framework
// and no ORM. node:http and the api's pg pool, the api's own token check (verified-token cache and
// session check included), request schemas, statements and page shaping from api/dist, and
// nothing else: no request id, no log line, no security headers.
// Whatever the api costs above this is what Express, the middleware and the protections cost.
// Run as its own process by floor.ts; configured by FLOOR_* variables.
import { type IncomingMessage, createServer } from "node:http";
import { parse as parseQuery } from "node:querystring";
import pino from "pino";
import type { SessionVerdict } from "../../api/src/sessions/registry";
import { fromApiDist } from "./apiProcess";
import { KID, TOKEN_TTL_SECONDS } from "./tokens";

const { deriveTokenKey } = fromApiDist("auth/tokenKey") as typeof import("../../api/src/auth/tokenKey");
const { createTokenVerifier } = fromApiDist("auth/tokenVerifier") as typeof import("../../api/src/auth/tokenVerifier");
const { TOKEN_CACHE_SIZE, SESSION_CACHE_SIZE } = fromApiDist("runtime") as typeof import("../../api/src/runtime");
const { createPool } = fromApiDist("db/pool") as typeof import("../../api/src/db/pool");
const { userQueryable } = fromApiDist("db/asUser") as typeof import("../../api/src/db/asUser");
const { parseTaskPageQuery } = fromApiDist("routes/tasks/pageQuery") as typeof import("../../api/src/routes/tasks/pageQuery");
const { changeTask, readTask, readTaskPage } = fromApiDist("services/tasks") as typeof import("../../api/src/services/tasks");
const { TaskChanges } = fromApiDist("openapi/schemas") as typeof import("../../api/src/openapi/schemas");
const { HttpError } = fromApiDist("http/errors") as typeof import("../../api/src/http/errors");
const { createSessionRegistry } = fromApiDist("sessions/registry") as typeof import("../../api/src/sessions/registry");

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`floor server: ${name} is missing`);
  return value;
}

const verifier = createTokenVerifier({
  // One BETTER_AUTH_SECRET, version 1, as the bench's api gets it.
  keys: new Map([[KID, deriveTokenKey(required("FLOOR_SECRET"))]]),
  issuer: required("FLOOR_ISSUER"),
  audience: required("FLOOR_AUDIENCE"),
  clockToleranceSeconds: 5,
  ttlSeconds: TOKEN_TTL_SECONDS,
  cacheSize: TOKEN_CACHE_SIZE,
});
// The api's own pool (TLS guard, timeouts, and whatever it does about lost connections), so both
// servers read through the same code.
const pool = createPool({
  url: required("FLOOR_DATABASE_URL"),
  connectTimeoutMs: 10_000,
  queryTimeoutMs: 5000,
  max: Number(required("FLOOR_POOL_MAX")),
  logger: pino({ level: "silent" }),
});

// The api's session check: a session is read once (here with plain SQL), then answered from
// memory. Memory is trusted as the api trusts it while its listener listens; no session of the
// floor's users ends during a run, so the floor needs no listener.
const sessions = createSessionRegistry({
  maxEntries: SESSION_CACHE_SIZE,
  lookup: async (sessionId) => {
    const { rows } = await pool.query<{ userId: string; expiresAtMs: number }>({
      name: "floor_session",
      // expiresAt holds UTC (Prisma's convention); epoch of a timestamp without time zone reads it so.
      text: `SELECT "userId", (extract(epoch FROM "expiresAt") * 1000)::float8 AS "expiresAtMs" FROM "session" WHERE id = $1`,
      values: [sessionId],
    });
    return rows[0] ?? null;
  },
});
sessions.trust();

const TASKS_PATH = /^\/api\/([^/]+)\/tasks(?:\/([^/]+))?$/;

/** The request's body, read whole (the bench's bodies are a few bytes). */
function bodyOf(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (text += chunk));
    req.on("end", () => resolve(text));
    req.on("error", reject);
  });
}

const server = createServer((req, res) => {
  const send = (status: number, body: unknown) => {
    const json = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(json) });
    res.end(json);
  };
  const url = req.url ?? "/";
  const question = url.indexOf("?");
  const pathname = question === -1 ? url : url.slice(0, question);
  if (pathname === "/healthz") return send(200, { status: "pass" });
  const match = TASKS_PATH.exec(pathname);
  const taskId = match?.[2];
  if (!match || !(req.method === "GET" || (req.method === "PATCH" && taskId))) return send(404, { error: "not found" });
  const header = req.headers.authorization ?? "";
  const verified = header.startsWith("Bearer ") ? verifier.verify(header.slice(7)) : null;
  if (!verified?.ok) return send(401, { error: "unauthorized" });
  const { claims } = verified;
  const serve = (verdict: SessionVerdict) => {
    if (!verdict.ok) return send(401, { error: "unauthorized" });
    if (decodeURIComponent(match[1] ?? "") !== claims.sub) return send(403, { error: "forbidden" });
    const answer = (work: Promise<unknown>) =>
      work.then(
        (task) => send(200, { task }),
        (err: unknown) => send(err instanceof Error && err.name === "TaskNotFoundError" ? 404 : 503, { error: "failed" }),
      );
    if (taskId && req.method === "GET") return void answer(readTask(userQueryable(pool, claims.sub), claims.sub, taskId));
    if (taskId) {
      return void bodyOf(req).then(
        (text) => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            return send(400, { error: "malformed json" });
          }
          const changes = TaskChanges.safeParse(json);
          if (!changes.success) return send(400, { error: "invalid" });
          return answer(changeTask(userQueryable(pool, claims.sub), claims.sub, taskId, changes.data));
        },
        () => send(400, { error: "aborted" }),
      );
    }
    let page;
    try {
      page = parseTaskPageQuery(question === -1 ? {} : parseQuery(url.slice(question + 1)));
    } catch (err) {
      return send(400, err instanceof HttpError ? err.body() : { error: "bad request" });
    }
    readTaskPage(userQueryable(pool, claims.sub), claims.sub, page.limit, page.after).then(
      (body) => send(200, body),
      () => send(503, { error: "database unavailable" }),
    );
  };
  const verdict = sessions.check(claims.sid, claims.sub);
  if (verdict instanceof Promise) verdict.then(serve, () => send(503, { error: "database unavailable" }));
  else serve(verdict);
});

server.listen(Number(required("FLOOR_PORT")), "127.0.0.1");
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
});
