// The web logs what the api logs: the same pino fields (level number, time, service, msg, then the
// call's own fields), the same redaction of credentials, and the same level names for LOG_LEVEL.
import { Writable } from "node:stream";
import { createLogger as createApiLogger } from "../../api/src/http/logger";
import { createLogger } from "../src/lib/logger";

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

test("one JSON line per call, with the api's fields and (fields, msg) argument order", () => {
  const web = capture();
  const api = capture();
  createLogger("info", web.stream).info({ userCount: 2 }, "hello");
  createApiLogger("info", api.stream).info({ userCount: 2 }, "hello");
  const [webLine, apiLine] = [web.lines()[0], api.lines()[0]];
  expect(webLine).toEqual({ level: 30, time: expect.any(Number), service: "web", pid: process.pid, userCount: 2, msg: "hello" });
  expect(Object.keys(webLine ?? {})).toEqual(Object.keys(apiLine ?? {}));
  expect(apiLine?.service).toBe("api");
});

test("credentials are redacted as the api redacts them", () => {
  const web = capture();
  const api = capture();
  const fields = { token: "eyJ.secret.sig", headers: { cookie: "better-auth.session_token=abc", authorization: "Bearer x" }, req: { token: "t" } };
  createLogger("info", web.stream).warn({ ...fields, headers: { ...fields.headers } }, "careless");
  createApiLogger("info", api.stream).warn({ ...fields, headers: { ...fields.headers } }, "careless");
  const [webLine, apiLine] = [web.lines()[0] ?? {}, api.lines()[0] ?? {}];
  expect(JSON.stringify(webLine)).not.toMatch(/secret|abc|Bearer x|"t"/);
  expect({ ...webLine, service: "", time: 0 }).toEqual({ ...apiLine, service: "", time: 0 });
});

test("the level filters: below it nothing is written, silent writes nothing", () => {
  const warn = capture();
  const logger = createLogger("warn", warn.stream);
  logger.info("dropped");
  logger.error("kept");
  expect(warn.lines().map((l) => [l.level, l.msg])).toEqual([[50, "kept"]]);
  const silent = capture();
  createLogger("silent", silent.stream).fatal("never");
  expect(silent.lines()).toEqual([]);
});
