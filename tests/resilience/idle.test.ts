// Neon, idle: after IDLE_AFTER_SECONDS without a user request, no statement from the stack reaches
// PostgreSQL, although the orchestrator keeps polling both health checks; the first request after
// the quiet is served correctly (a sign-out during the quiet is still honoured), and health probes
// the database again. Statements are counted by the server itself: log_statement = all, each line
// tagged with the client's application_name (every service connection is `authbridge-*`).
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { type User, authPost, fetchToken, newUser } from "@authbridge/testing/auth";
import { freePort } from "@authbridge/testing/pg";
import { waitFor } from "@authbridge/testing/processes";
import { type Stack, startStack } from "@authbridge/testing/stack";
import { audited } from "./support/audit";
import { call } from "./support/http";
import { record } from "./support/record";

const IDLE_AFTER_SECONDS = 2;
/** Longer than every periodic thing a service does while awake (the listener's checks run every 10 s). */
const QUIET_WINDOW_MS = 12_000;
const HEALTH_POLL_MS = 250;

let stack: Stack;
let user: User;
let logFile: string;
/** The api's operator port (loopback only): its /healthz says whether it is idle; the public one says only the status. */
let operatorUrl: string;

/** Statements the stack's connections sent after byte `from` of the server log. */
function statementsSince(from: number): string[] {
  const text = readFileSync(logFile, "utf8").slice(from);
  return text.split("\n").filter((line) => /\[authbridge-[^\]]*\] LOG:\s+(statement|execute [^:]*):/.test(line));
}

const logSize = () => statSync(logFile).size;

/** Polls both health checks as an orchestrator would, for `ms`; every answer must be a 200. */
async function pollHealth(ms: number): Promise<{ api: unknown[]; web: unknown[] }> {
  const seen = { api: [] as unknown[], web: [] as unknown[] };
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const [api, operator, web] = await Promise.all([
      call(`${stack.apiUrl}/healthz`),
      call(`${operatorUrl}/healthz`),
      call(`${stack.webUrl}/api/health`),
    ]);
    expect([api.status, operator.status, web.status]).toEqual([200, 200, 200]);
    seen.api.push(operator.json);
    seen.web.push(web.json);
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
  }
  return seen;
}

const isIdle = (body: unknown) => JSON.stringify(body).includes("idle since");

/** Both services say they are idle (the api on its operator port). */
async function bothIdle(): Promise<true | null> {
  const [api, web] = await Promise.all([call(`${operatorUrl}/healthz`), call(`${stack.webUrl}/api/health`)]);
  return (isIdle(api.json) && isIdle(web.json)) || null;
}

beforeAll(async () => {
  const operatorPort = await freePort();
  operatorUrl = `http://127.0.0.1:${operatorPort}`;
  stack = await startStack(audited({ env: { IDLE_AFTER_SECONDS: String(IDLE_AFTER_SECONDS), API_OPERATOR_PORT: String(operatorPort) } }));
  logFile = path.join(stack.cluster.dir, "postgres.log");
  await stack.cluster.superuser("ALTER SYSTEM SET log_statement = 'all'");
  await stack.cluster.superuser("ALTER SYSTEM SET log_line_prefix = '%m [%a] '");
  await stack.cluster.superuser("SELECT pg_reload_conf()");
  user = await newUser(stack.webUrl, "idle");
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

test("while awake the counter sees the stack's statements (so a zero below means something)", async () => {
  const from = logSize();
  const token = await fetchToken(stack.webUrl, user.cookie);
  expect((await call(`${stack.apiUrl}/api/me`, { token })).status).toBe(200);
  await waitFor(() => statementsSince(from).length > 0 || null, { timeoutMs: 10_000, what: "the stack's statements in the server log" });
});

test("quiet: both services go idle, and polling their health sends PostgreSQL nothing", async () => {
  await waitFor(bothIdle, { timeoutMs: 30_000, intervalMs: HEALTH_POLL_MS, what: "both health checks to say idle" });
  const from = logSize();
  const seen = await pollHealth(QUIET_WINDOW_MS);
  const statements = statementsSince(from);
  record(
    { requests: seen.api.length + seen.web.length, failures: statements.length },
    { quietWindowMs: QUIET_WINDOW_MS, statements: statements.length },
  );
  expect(seen.api.every(isIdle) && seen.web.every(isIdle)).toBe(true);
  expect(statements).toEqual([]);
}, 60_000);

test("the first request after the quiet is served correctly, a sign-out in the quiet is honoured, and health probes again", async () => {
  // A token minted before the sign-out: the api must refuse it although its listener was away.
  const token = await fetchToken(stack.webUrl, user.cookie);
  await waitFor(bothIdle, { timeoutMs: 30_000, intervalMs: HEALTH_POLL_MS, what: "idle again" });
  const other = await newUser(stack.webUrl, "idle-other");
  const otherToken = await fetchToken(stack.webUrl, other.cookie);
  const signedOut = await authPost(stack.webUrl, "/sign-out", {}, { cookie: user.cookie });
  expect(signedOut.status).toBe(200);

  const me = await call(`${stack.apiUrl}/api/me`, { token: otherToken });
  expect(me.status).toBe(200);
  expect((me.json as { email?: string }).email).toBe(other.email);
  const refused = await call(`${stack.apiUrl}/api/me`, { token });
  expect(refused.status).toBe(401);
  expect(refused.headers.get("www-authenticate")).toContain("session ended");

  const api = await call(`${operatorUrl}/healthz`);
  expect(api.status).toBe(200);
  expect(isIdle(api.json)).toBe(false);
}, 90_000);
