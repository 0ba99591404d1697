// The web's sign-in rate limit (production: 3 per 10 s per client and path) counts against an
// address no client can choose: the socket peer when the web is reached directly, the rightmost
// X-Forwarded-For entry not added by a trusted proxy (TRUSTED_PROXIES) behind one.
import { randomBytes } from "node:crypto";
import { sql } from "@authbridge/testing/sql";
import { PASSWORD } from "@authbridge/testing/auth";
import { type Stack, startStack } from "@authbridge/testing/stack";
import { appendingProxy, authPost } from "./support";

// Loopback addresses of their own: 127.0.0.0/8 all reaches this machine.
const PROXY = "127.0.0.30";
const DIRECT_CLIENT = "127.0.0.21";
const CLIENT_X = "127.0.0.31";
const CLIENT_Y = "127.0.0.32";
const WINDOW_MS = 10_000;

let stack: Stack;
let proxy: Awaited<ReturnType<typeof appendingProxy>>;
let email: string;

const freshForwardedFor = () => `198.51.100.${1 + Math.floor(Math.random() * 250)}, 203.0.113.${1 + Math.floor(Math.random() * 250)}`;

beforeAll(async () => {
  stack = await startStack({ webs: 1, apis: 0, env: { LOG_LEVEL: "warn", TRUSTED_PROXIES: PROXY } });
  proxy = await appendingProxy(stack.webs[0]?.url ?? "", "127.0.0.1", PROXY);
  email = `target-${randomBytes(6).toString("hex")}@example.test`;
  const signUp = await authPost(stack.webUrl, stack.webUrl, "/sign-up/email", { name: "Target", email, password: PASSWORD }, { from: "127.0.0.20" });
  expect(signUp.status).toBe(200);
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await stack?.stop();
});

/**
 * 12 wrong-password sign-ins, each with a fresh X-Forwarded-For, for an address of their own: the
 * web's per-account backoff (after 5 failures) must not join in, and the real user stays free.
 */
async function twelveWrongSignIns(webUrl: string, from: string): Promise<{ statuses: number[]; firstFourMs: number }> {
  const guessed = `guessed-${randomBytes(6).toString("hex")}@example.test`;
  const statuses: number[] = [];
  const started = Date.now();
  let firstFourMs = 0;
  for (let i = 0; i < 12; i++) {
    const answer = await authPost(
      webUrl,
      stack.webUrl,
      "/sign-in/email",
      { email: guessed, password: `wrong-${i}` },
      { from, forwardedFor: freshForwardedFor() },
    );
    statuses.push(answer.status);
    if (i === 3) firstFourMs = Date.now() - started;
  }
  console.log(`${webUrl} from ${from}: ${statuses.join(" ")} (first four in ${firstFourMs} ms)`);
  return { statuses, firstFourMs };
}

function expectLimited({ statuses, firstFourMs }: { statuses: number[]; firstFourMs: number }): void {
  expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
  expect(statuses).toContain(429);
  // Within one window the 4th is the first refused; a machine too slow for that still refuses some.
  if (firstFourMs < WINDOW_MS) expect(statuses[3]).toBe(429);
  expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
}

/** Better Auth's rate-limit rows: "<address>|<path>". */
async function rateLimitKeys(): Promise<string[]> {
  return (await sql<{ key: string }>(stack.databaseUrl, "SELECT key FROM rate_limit ORDER BY key")).map((row) => row.key);
}

test("directly: a fresh X-Forwarded-For on every attempt changes nothing, the socket peer is limited", async () => {
  expectLimited(await twelveWrongSignIns(stack.webUrl, DIRECT_CLIENT));
  expect(await rateLimitKeys()).toContain(`${DIRECT_CLIENT}|/sign-in/email`);
});

test("behind the trusted appending proxy: the client the proxy saw is limited, whatever it wrote itself", async () => {
  expectLimited(await twelveWrongSignIns(proxy.url, CLIENT_X));
  expect(await rateLimitKeys()).toContain(`${CLIENT_X}|/sign-in/email`);
});

test("two clients behind the trusted proxy keep separate buckets", async () => {
  const other = await authPost(
    proxy.url,
    stack.webUrl,
    "/sign-in/email",
    { email, password: PASSWORD },
    { from: CLIENT_Y, forwardedFor: freshForwardedFor() },
  );
  expect(other.status).toBe(200);
  const limited = await authPost(proxy.url, stack.webUrl, "/sign-in/email", { email, password: PASSWORD }, { from: CLIENT_X });
  expect(limited.status).toBe(429);
});

test("bypassing the proxy with a forged proxy hop does not escape the limit", async () => {
  const answer = await authPost(
    stack.webUrl,
    stack.webUrl,
    "/sign-in/email",
    { email, password: PASSWORD },
    { from: CLIENT_X, forwardedFor: `198.51.100.77, ${PROXY}` },
  );
  expect(answer.status).toBe(429);
  // Nothing any client wrote became a key: only the loopback addresses the connections came from.
  for (const key of await rateLimitKeys()) expect(key).toMatch(/^127\.0\.0\.\d+\|/);
});
