// Every service logs through createLogger: the same pino fields (level number, time, service, pid,
// msg, then the call's own fields), the same redaction of credentials, LOG_LEVEL's names.
import { Writable } from "node:stream";
import { levels } from "pino";
import { LOG_LEVELS, createLogger } from "../src";

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  const lines = () =>
    chunks
      .join("")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines };
}

test("one JSON line per call: level, time, service, pid, the call's fields, msg, in that order", () => {
  const out = capture();
  createLogger("web", "info", out.stream).info({ userCount: 2 }, "hello");
  const [line] = out.lines();
  expect(line).toEqual({ level: 30, time: expect.any(Number), service: "web", pid: process.pid, userCount: 2, msg: "hello" });
  expect(Object.keys(line ?? {})).toEqual(["level", "time", "service", "pid", "userCount", "msg"]);
});

test("the service name is the caller's: two services' lines differ only there (and in time)", () => {
  const [api, migrator] = [capture(), capture()];
  createLogger("api", "info", api.stream).warn({ n: 1 }, "same");
  createLogger("migrator", "info", migrator.stream).warn({ n: 1 }, "same");
  const [a, m] = [api.lines()[0] ?? {}, migrator.lines()[0] ?? {}];
  expect([a.service, m.service]).toEqual(["api", "migrator"]);
  expect({ ...a, service: "", time: 0 }).toEqual({ ...m, service: "", time: 0 });
});

test("credentials in fields are redacted: tokens, cookies, authorization, at the top and one level down", () => {
  const out = capture();
  const fields = {
    token: "eyJ.secret.sig",
    authorization: "Bearer top",
    headers: { cookie: "better-auth.session_token=abc", authorization: "Bearer x" },
    req: { token: "t", cookie: "c=1" },
  };
  createLogger("api", "info", out.stream).warn(fields, "careless");
  const line = out.lines()[0] ?? {};
  expect(JSON.stringify(line)).not.toMatch(/secret|abc|Bearer|"t"|c=1/);
  expect(line).toMatchObject({
    token: "[redacted]",
    authorization: "[redacted]",
    headers: { cookie: "[redacted]", authorization: "[redacted]" },
    req: { token: "[redacted]", cookie: "[redacted]" },
  });
  // The caller's object is left as it was.
  expect(fields.headers.cookie).toBe("better-auth.session_token=abc");
});

test("passwords, secrets and connection strings are redacted by key, at the top and one level down", () => {
  const out = capture();
  const url = "postgresql://authbridge:db-pw-value@db:5432/authbridge?sslmode=require";
  const fields = {
    password: "user-pw-value",
    secret: "auth-secret-value",
    connectionString: url,
    DATABASE_URL: url,
    config: { databaseUrl: url, listenUrl: url, secrets: [{ version: 1, value: "auth-secret-value" }] },
    body: { email: "a@example.test", password: "user-pw-value", newPassword: "new-pw-value", currentPassword: "user-pw-value" },
    env: { BETTER_AUTH_SECRET: "auth-secret-value", BETTER_AUTH_SECRETS: "1:auth-secret-value", POSTGRES_PASSWORD: "db-pw-value", DIRECT_URL: url },
  };
  createLogger("web", "info", out.stream).warn(fields, "careless");
  const line = out.lines()[0] ?? {};
  expect(JSON.stringify(line)).not.toMatch(/pw-value|secret-value|postgresql:/);
  expect(line).toMatchObject({
    password: "[redacted]",
    secret: "[redacted]",
    connectionString: "[redacted]",
    DATABASE_URL: "[redacted]",
    config: { databaseUrl: "[redacted]", listenUrl: "[redacted]", secrets: "[redacted]" },
    body: { email: "a@example.test", password: "[redacted]", newPassword: "[redacted]", currentPassword: "[redacted]" },
    env: { BETTER_AUTH_SECRET: "[redacted]", BETTER_AUTH_SECRETS: "[redacted]", POSTGRES_PASSWORD: "[redacted]", DIRECT_URL: "[redacted]" },
  });
});

test("the level filters: below it nothing is written, silent writes nothing", () => {
  const warn = capture();
  const logger = createLogger("api", "warn", warn.stream);
  logger.info("dropped");
  logger.error("kept");
  expect(warn.lines().map((l) => [l.level, l.msg])).toEqual([[50, "kept"]]);
  const silent = capture();
  createLogger("api", "silent", silent.stream).fatal("never");
  expect(silent.lines()).toEqual([]);
});

test("LOG_LEVELS: pino's own levels, then silent", () => {
  expect(LOG_LEVELS).toEqual([...Object.keys(levels.values), "silent"]);
  expect(LOG_LEVELS).toEqual(["trace", "debug", "info", "warn", "error", "fatal", "silent"]);
});
