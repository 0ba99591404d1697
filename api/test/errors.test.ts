// The error model over real HTTP: what a handler throws decides the answer in one place (the
// error handler). A database outage is a 503 to retry, a domain error its own status, and
// anything else a 500 that says nothing, with its stack in the log.
import { type AddressInfo } from "node:net";
import http from "node:http";
import express from "express";
import { UnencryptedConnectionError } from "@authbridge/postgres";
import { errorHandler } from "../src/http/errorHandler";
import { requestContext } from "../src/http/requestContext";
import { TaskNotFoundError, UserGoneError } from "../src/services/errors";
import { captureLogger } from "./helpers";

const coded = (message: string, code: string, extra: object = {}) => Object.assign(new Error(message), { code, ...extra });

const OUTAGES: [string, unknown][] = [
  ["connection refused", coded("connect ECONNREFUSED 127.0.0.1:9", "ECONNREFUSED")],
  ["connection reset", coded("read ECONNRESET", "ECONNRESET")],
  ["SQLSTATE 08006 (connection failure)", coded("connection failure", "08006", { severity: "FATAL" })],
  ["SQLSTATE 57P01 (terminated by the administrator)", coded("terminating connection due to administrator command", "57P01")],
  ["SQLSTATE 53300 (too many connections)", coded("sorry, too many clients already", "53300")],
  ["a query timeout", new Error("Query read timeout")],
  ["a connect timeout", new Error("timeout exceeded when trying to connect")],
  ["a connection ended mid-query", new Error("Connection terminated unexpectedly")],
  ["an unverifiable certificate", coded("self-signed certificate", "DEPTH_ZERO_SELF_SIGNED_CERT")],
  ["an unencrypted connection", new UnencryptedConnectionError()],
  ["a wrapped outage", new Error("lookup failed", { cause: coded("read ECONNRESET", "ECONNRESET") })],
];
const BUGS: [string, unknown][] = [
  ["a plain Error", new Error("secret detail 1234")],
  ["a TypeError", new TypeError("cannot read properties of undefined (secret detail 1234)")],
  ["SQLSTATE 23505 (unique violation)", coded("duplicate key value violates unique constraint (secret detail 1234)", "23505")],
  ["SQLSTATE 22021 (bad encoding)", coded("invalid byte sequence (secret detail 1234)", "22021")],
  ["SQLSTATE 42P01 (a table missing)", coded('relation "task" does not exist (secret detail 1234)', "42P01")],
  ["a thrown string", "secret detail 1234"],
];

let server: http.Server;
let port = 0;
let thrown: unknown;
const logs = captureLogger();

beforeAll(async () => {
  const app = express();
  app.use(requestContext(logs.logger));
  app.get("/throw", () => {
    throw thrown;
  });
  app.get("/reject", async () => {
    await Promise.resolve();
    throw thrown;
  });
  app.use(errorHandler);
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** Real HTTP, not supertest: these routes are not the api's and not in its document. */
function call(route: string, err: unknown): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: unknown }> {
  thrown = err;
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: route }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) as unknown }));
      })
      .on("error", reject);
  });
}

describe.each(["/throw", "/reject"])("thrown from %s", (route) => {
  test.each(OUTAGES)("database unavailable (%s): 503 with Retry-After", async (_case, err) => {
    const res = await call(route, err);
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("1");
    expect(res.body).toEqual({ error: { code: "database_unavailable", message: "the database is unavailable, try again shortly" } });
  });

  test.each(BUGS)("anything else (%s): 500 with no detail, the stack logged", async (_case, err) => {
    const before = logs.lines.length;
    const res = await call(route, err);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: "internal_error", message: "internal error" } });
    const logged = logs.lines.slice(before).map((line) => JSON.parse(line) as { level: number; msg: string; err?: { stack?: string } });
    const line = logged.find((entry) => entry.msg === "unhandled error");
    expect(line?.level).toBe(50);
    if (err instanceof Error) expect(line?.err?.stack).toContain(err.message);
  });

  test("domain errors answer with their own status: no task 404, no user row 401", async () => {
    const missing = await call(route, new TaskNotFoundError());
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: "not_found", message: "no such task" } });
    const gone = await call(route, new UserGoneError());
    expect(gone.status).toBe(401);
    expect(gone.headers["www-authenticate"]).toContain("user no longer exists");
  });
});
