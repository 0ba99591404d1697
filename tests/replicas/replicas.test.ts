// Two web and two api processes on one database, as behind a load balancer: a session made on one
// web is good on the other, a token from either web is good on both apis, and the sign-in rate
// limit is one quota across the webs (Better Auth counts in the database, not in each process), and
// a sign-out on one web ends the session everywhere: both webs and both apis refuse it.
import { randomBytes } from "node:crypto";
import { PASSWORD } from "@authbridge/testing/auth";
import { type Stack, startStack } from "@authbridge/testing/stack";
import { authPost, callFrom, sessionCookie } from "./support";

const WINDOW_MS = 10_000;

let stack: Stack;
let email: string;

const web = (i: 0 | 1) => stack.webs[i]?.url ?? "";
const api = (i: 0 | 1) => stack.apis[i]?.url ?? "";

beforeAll(async () => {
  stack = await startStack({ webs: 2, apis: 2, env: { LOG_LEVEL: "warn", TRUSTED_PROXIES: "" } });
  email = `replica-${randomBytes(6).toString("hex")}@example.test`;
  const signUp = await authPost(web(1), stack.webUrl, "/sign-up/email", { name: "Replica", email, password: PASSWORD }, { from: "127.0.0.40" });
  expect(signUp.status).toBe(200);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

async function tokenFrom(webUrl: string, cookie: string): Promise<string> {
  const answer = await callFrom(`${webUrl}/api/auth/token`, { headers: { cookie } });
  expect(answer.status).toBe(200);
  return (JSON.parse(answer.body) as { token: string }).token;
}

const me = (apiUrl: string, token: string) => callFrom(`${apiUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } });

test("sign in on one web; the session works on the other; its tokens work on both apis", async () => {
  const signIn = await authPost(web(0), stack.webUrl, "/sign-in/email", { email, password: PASSWORD }, { from: "127.0.0.41" });
  expect(signIn.status).toBe(200);
  const cookie = sessionCookie(signIn) ?? "";
  expect(cookie).not.toBe("");
  const session = await callFrom(`${web(1)}/api/auth/get-session`, { headers: { cookie } });
  expect((JSON.parse(session.body) as { user: { email: string } }).user.email).toBe(email);
  for (const token of [await tokenFrom(web(0), cookie), await tokenFrom(web(1), cookie)]) {
    for (const apiUrl of [api(0), api(1)]) {
      const answer = await me(apiUrl, token);
      expect(`${apiUrl}: ${answer.status}`).toBe(`${apiUrl}: 200`);
      expect((JSON.parse(answer.body) as { email: string }).email).toBe(email);
    }
  }
});

// Wrong-password sign-ins from one client, alternating between the webs in the given order, for an
// address of their own: the per-account backoff (after 5 failures) must not join in.
async function alternating(order: (0 | 1)[], from: string): Promise<{ statuses: number[]; elapsedMs: number }> {
  const guessed = `guessed-${randomBytes(6).toString("hex")}@example.test`;
  const started = Date.now();
  const statuses: number[] = [];
  for (const [i, replica] of order.entries()) {
    statuses.push((await authPost(web(replica), stack.webUrl, "/sign-in/email", { email: guessed, password: `wrong-${i}` }, { from })).status);
  }
  const elapsedMs = Date.now() - started;
  console.log(`webs ${order.join(",")} from ${from}: ${statuses.join(" ")} in ${elapsedMs} ms`);
  return { statuses, elapsedMs };
}

test.each([
  { order: [0, 1, 0, 1] as (0 | 1)[], from: "127.0.0.42", fourth: "the second web" },
  { order: [1, 0, 1, 0] as (0 | 1)[], from: "127.0.0.43", fourth: "the first web" },
])("one quota across the webs: the 4th attempt within the window is refused by $fourth", async ({ order, from }) => {
  const { statuses, elapsedMs } = await alternating(order, from);
  // Each web alone has seen only two attempts: a limit per process would let all four through.
  if (elapsedMs >= WINDOW_MS) throw new Error(`4 sign-ins took ${elapsedMs} ms, longer than the ${WINDOW_MS} ms window: nothing to conclude`);
  expect(statuses).toEqual([401, 401, 401, 429]);
});

/** Polls until the api answers `status` for the token; the elapsed milliseconds, or fails at the deadline. */
async function untilStatus(apiUrl: string, token: string, status: number, deadlineMs = 10_000): Promise<number> {
  const started = Date.now();
  let last = 0;
  while (Date.now() - started < deadlineMs) {
    last = (await me(apiUrl, token)).status;
    if (last === status) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${apiUrl} still answered ${last} after ${deadlineMs} ms, not ${status}`);
}

test("sign out on the other web: the session is gone on both webs, and both apis refuse its token", async () => {
  const signIn = await authPost(web(0), stack.webUrl, "/sign-in/email", { email, password: PASSWORD }, { from: "127.0.0.44" });
  expect(signIn.status).toBe(200);
  const cookie = sessionCookie(signIn) ?? "";
  const token = await tokenFrom(web(0), cookie);
  // Both apis have seen the session alive (and remember it), so only the sign-out can change their answer.
  for (const apiUrl of [api(0), api(1)]) expect((await me(apiUrl, token)).status).toBe(200);
  const signOut = await authPost(web(1), stack.webUrl, "/sign-out", {}, { from: "127.0.0.44", cookie });
  expect(signOut.status).toBe(200);
  for (const replica of [0, 1] as const) {
    expect((await callFrom(`${web(replica)}/api/auth/token`, { headers: { cookie } })).status).toBe(401);
  }
  const refusedAfterMs = await Promise.all([untilStatus(api(0), token, 401), untilStatus(api(1), token, 401)]);
  console.log(`after the sign-out on web 1, api 0 refused the token within ${refusedAfterMs[0]} ms, api 1 within ${refusedAfterMs[1]} ms`);
  for (const apiUrl of [api(0), api(1)]) {
    const refusal = await me(apiUrl, token);
    expect(refusal.status).toBe(401);
    expect(refusal.headers["www-authenticate"]).toContain("session ended");
  }
});
