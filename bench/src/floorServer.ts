// The floor: GET /api/{user}/tasks, and GET and PATCH /api/{user}/tasks/{id}, with no framework.
// node:http and the api's own runtime (host.ts: the same pool, token check with its cache, session
// check with its listener, statements and page shape, through @authbridge/api/lib), and nothing
// else: no request id, no log line, no security headers, no router.
// Whatever the api costs above this is what Express, the middleware and the protections cost.
// Run as its own process (servers.ts), with the api's variables.
import { type IncomingMessage, createServer } from "node:http";
import { parse as parseQuery } from "node:querystring";
import { TaskChanges, TaskNotFoundError } from "@authbridge/api/lib";
import { type Send, UNAVAILABLE, hostRuntime, ready, servePage, stopOnSigterm, withCaller } from "./host";

const host = hostRuntime();
const { deps } = host;

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
  const send: Send = (status, body) => {
    const json = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(json) });
    res.end(json);
  };
  const url = req.url ?? "/";
  const question = url.indexOf("?");
  const pathname = question === -1 ? url : url.slice(0, question);
  if (pathname === "/healthz") return ready(deps) ? send(200, { status: "pass" }) : send(503, { status: "fail" });
  const match = TASKS_PATH.exec(pathname);
  const taskId = match?.[2];
  if (!match || !(req.method === "GET" || (req.method === "PATCH" && taskId))) return send(404, { error: "not found" });
  withCaller(deps, req.headers.authorization, decodeURIComponent(match[1] ?? ""), send, (userId) => {
    const answer = (work: Promise<unknown>) =>
      work.then(
        (task) => send(200, { task }),
        (err: unknown) => (err instanceof TaskNotFoundError ? send(404, { error: "no such task" }) : send(503, UNAVAILABLE)),
      );
    if (taskId && req.method === "GET") return void answer(deps.tasks.get(userId, taskId));
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
          return answer(deps.tasks.update(userId, taskId, changes.data));
        },
        () => send(400, { error: "aborted" }),
      );
    }
    servePage(deps, userId, question === -1 ? {} : parseQuery(url.slice(question + 1)), send);
  });
});

server.listen(host.port, "127.0.0.1");
stopOnSigterm(server, host);
