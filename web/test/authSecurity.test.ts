// The built web's account defences over real HTTP, against a real TLS PostgreSQL: no auth answer
// may be cached; session cookies carry the __Secure- prefix over https; name and image are bounded;
// common passwords are refused; failed sign-ins back off per account, across replicas, and the
// backoff ends. The backoff's clock is the database's: the tests move a row's time back instead of
// waiting.
import { randomBytes } from "node:crypto";
import { type AuthAnswer, authHeaders, authPost, freshIp, newEmail, newUser, sessionCookieOf, signIn, signUp } from "@authbridge/testing/auth";
import { sql } from "@authbridge/testing/sql";
import { type Service, type Stack, startStack } from "@authbridge/testing/stack";

const HTTPS_URL = "https://app.example.test";
const strongPassword = () => `pw ${randomBytes(12).toString("base64url")}`;

let stack: Stack;
beforeAll(async () => {
  // Two webs on one database: the per-account count must be theirs together.
  stack = await startStack({ webs: 2, apis: 0 });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

/** A Better Auth call that keeps the whole response (headers included). */
async function call(webUrl: string, method: "GET" | "POST", route: string, options: { body?: object; cookie?: string } = {}): Promise<Response> {
  return fetch(`${webUrl}/api/auth${route}`, {
    method,
    // Every web of the stack serves the one BETTER_AUTH_URL: the origin a browser sends.
    headers: authHeaders(webUrl, { clientIp: freshIp(), origin: stack.webUrl, ...(options.cookie ? { cookie: options.cookie } : {}) }),
    ...(options.body ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
}

describe("Cache-Control: no-store on every auth answer", () => {
  test("sign-up, sign-in, get-session, token, list-sessions, update-user, change-password, sign-out, and the errors", async () => {
    const web = stack.web.url;
    const email = newEmail("nostore");
    const password = strongPassword();
    const seen: Record<string, [number, string | null]> = {};
    const probe = (label: string, response: Response) => {
      seen[label] = [response.status, response.headers.get("cache-control")];
      return response;
    };
    const signedUp = probe("sign-up", await call(web, "POST", "/sign-up/email", { body: { name: "No Store", email, password } }));
    const cookie = sessionCookieOf(signedUp.headers.getSetCookie()) ?? "";
    expect(cookie).not.toBe("");
    const signedIn = probe("sign-in", await call(web, "POST", "/sign-in/email", { body: { email, password } }));
    const session = sessionCookieOf(signedIn.headers.getSetCookie()) ?? "";
    probe("get-session", await call(web, "GET", "/get-session", { cookie: session }));
    const token = probe("token", await call(web, "GET", "/token", { cookie: session }));
    expect(((await token.json()) as { token?: string }).token).toMatch(/^ey/);
    probe("list-sessions", await call(web, "GET", "/list-sessions", { cookie: session }));
    probe("update-user", await call(web, "POST", "/update-user", { cookie: session, body: { name: "Renamed" } }));
    probe(
      "change-password",
      await call(web, "POST", "/change-password", { cookie: session, body: { currentPassword: password, newPassword: strongPassword() } }),
    );
    probe("sign-out", await call(web, "POST", "/sign-out", { cookie: session, body: {} }));
    probe("sign-in refused", await call(web, "POST", "/sign-in/email", { body: { email, password: "not the password" } }));
    probe("token without a session", await call(web, "GET", "/token"));
    expect(seen).toEqual({
      "sign-up": [200, "no-store"],
      "sign-in": [200, "no-store"],
      "get-session": [200, "no-store"],
      token: [200, "no-store"],
      "list-sessions": [200, "no-store"],
      "update-user": [200, "no-store"],
      "change-password": [200, "no-store"],
      "sign-out": [200, "no-store"],
      "sign-in refused": [401, "no-store"],
      "token without a session": [401, "no-store"],
    });
  });

  test("the probe tells them apart: a static asset of the same server is cacheable", async () => {
    const html = await (await fetch(`${stack.web.url}/sign-in`)).text();
    const asset = /src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1] ?? "no asset";
    const response = await fetch(`${stack.web.url}${asset}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toMatch(/max-age=\d+/);
  });
});

describe("cross-site requests (CSRF)", () => {
  test("a foreign Origin carrying the session cookie is refused (403) and changes nothing; the web's own origin is served", async () => {
    const user = await newUser(stack.webUrl, "csrf");
    const update = (origin: string) =>
      fetch(`${stack.webUrl}/api/auth/update-user`, {
        method: "POST",
        headers: authHeaders(stack.webUrl, { clientIp: freshIp(), cookie: user.cookie, origin }),
        body: JSON.stringify({ name: `renamed from ${origin}` }),
      });
    const foreign = await update("https://evil.example.test");
    expect([foreign.status, foreign.headers.get("cache-control")]).toEqual([403, "no-store"]);
    const nameOf = async () => (await sql<{ name: string }>(stack.databaseUrl, 'SELECT name FROM "user" WHERE id = $1', [user.id]))[0]?.name;
    expect(await nameOf()).toBe("csrf");
    expect((await update(stack.webUrl)).status).toBe(200);
    expect(await nameOf()).toBe(`renamed from ${stack.webUrl}`);
  });
});

describe("session cookies", () => {
  let https: Service;
  beforeAll(async () => {
    https = await stack.startWeb({ BETTER_AUTH_URL: HTTPS_URL });
  }, 90_000);

  const signUpAt = (webUrl: string, origin: string) =>
    fetch(`${webUrl}/api/auth/sign-up/email`, {
      method: "POST",
      headers: authHeaders(webUrl, { clientIp: freshIp(), origin }),
      body: JSON.stringify({ name: "Cookie", email: newEmail("cookie"), password: strongPassword() }),
    });

  test("over https (BETTER_AUTH_URL): __Secure-better-auth.session_token, Secure, HttpOnly, SameSite=Lax, Path=/", async () => {
    const response = await signUpAt(https.url, HTTPS_URL);
    expect(response.status).toBe(200);
    const line = response.headers.getSetCookie().find((l) => l.includes("session_token=")) ?? "";
    expect(line).toMatch(/^__Secure-better-auth\.session_token=/);
    const attributes = line.split(";").map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(["secure", "httponly", "samesite=lax", "path=/"]));
    expect(attributes.some((a) => a.startsWith("domain="))).toBe(false);
    // The prefixed cookie is the one the web reads back: a session, and the dashboard renders.
    const cookie = sessionCookieOf(response.headers.getSetCookie()) ?? "";
    const session = await fetch(`${https.url}/api/auth/get-session`, { headers: { cookie, "x-forwarded-for": freshIp() } });
    expect(((await session.json()) as { session?: { id?: string } } | null)?.session?.id).toEqual(expect.any(String));
    const dashboard = await fetch(`${https.url}/dashboard`, { headers: { cookie }, redirect: "manual" });
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain("Hello, <!-- -->Cookie");
  });

  test("the probe tells them apart: over loopback http the cookie has neither the prefix nor Secure", async () => {
    const response = await signUpAt(stack.web.url, new URL(stack.web.url).origin);
    expect(response.status).toBe(200);
    const line = response.headers.getSetCookie().find((l) => l.includes("session_token=")) ?? "";
    expect(line).toMatch(/^better-auth\.session_token=/);
    expect(line.toLowerCase()).not.toMatch(/;\s*secure/);
  });
});

describe("name and image are bounded (sign-up and update-user)", () => {
  const userCount = async (email: string) =>
    (await sql<{ n: number }>(stack.databaseUrl, 'SELECT count(*)::int AS n FROM "user" WHERE email = $1', [email]))[0]?.n;

  test.each([
    ["name", "NAME_TOO_LONG", { name: "n".repeat(101) }],
    ["image", "IMAGE_TOO_LONG", { image: `https://img.example.test/${"i".repeat(2049 - 25)}` }],
  ])("sign-up with a %s one character too long: 400 %s, nothing stored", async (_field, code, fields) => {
    const email = newEmail("long");
    const answer = await authPost(stack.webUrl, "/sign-up/email", { name: "x", ...fields, email, password: strongPassword() });
    expect([answer.status, answer.body?.code, answer.cookie]).toEqual([400, code, null]);
    expect(await userCount(email)).toBe(0);
  });

  test("at the bounds (100-character name, 2048-character image) sign-up succeeds; update-user past them is refused and changes nothing", async () => {
    const email = newEmail("bounds");
    const image = `https://img.example.test/${"i".repeat(2048 - 25)}`;
    expect(image).toHaveLength(2048);
    const answer = await authPost(stack.webUrl, "/sign-up/email", { name: "n".repeat(100), image, email, password: strongPassword() });
    expect(answer.status).toBe(200);
    const cookie = answer.cookie ?? "";
    for (const [body, code] of [
      [{ name: "m".repeat(101) }, "NAME_TOO_LONG"],
      [{ image: `${image}x` }, "IMAGE_TOO_LONG"],
    ] as const) {
      const response = await call(stack.webUrl, "POST", "/update-user", { cookie, body });
      expect([response.status, ((await response.json()) as { code?: string }).code]).toEqual([400, code]);
    }
    const [row] = await sql<{ name: string; image: string }>(stack.databaseUrl, 'SELECT name, image FROM "user" WHERE email = $1', [email]);
    expect(row).toEqual({ name: "n".repeat(100), image });
  });
});

describe("common passwords are refused", () => {
  test.each(["baseball", "Sunshine", "qwertyuiop", "1qaz2wsx"])("sign-up with %s: 400 PASSWORD_TOO_COMMON, nothing stored", async (password) => {
    const email = newEmail("common");
    const answer = await signUp(stack.webUrl, { name: "Common", email, password });
    expect([answer.status, answer.body?.code, answer.cookie]).toEqual([400, "PASSWORD_TOO_COMMON", null]);
    expect(await sql(stack.databaseUrl, 'SELECT 1 FROM "user" WHERE email = $1', [email])).toEqual([]);
  });

  test("a common password that is also too short gets Better Auth's own PASSWORD_TOO_SHORT", async () => {
    const answer = await signUp(stack.webUrl, { name: "Short", email: newEmail("short"), password: "abc123" });
    expect([answer.status, answer.body?.code]).toEqual([400, "PASSWORD_TOO_SHORT"]);
  });

  test("the probe tells them apart: a password of the same length off the list signs up", async () => {
    expect((await signUp(stack.webUrl, { name: "Rare", email: newEmail("rare"), password: "bxsqbwll" })).status).toBe(200);
  });

  test("change-password to a common one: 400 PASSWORD_TOO_COMMON, and the old password still signs in", async () => {
    const user = await newUser(stack.webUrl, "changer");
    const response = await call(stack.webUrl, "POST", "/change-password", {
      cookie: user.cookie,
      body: { currentPassword: user.password, newPassword: "football" },
    });
    expect([response.status, ((await response.json()) as { code?: string }).code]).toEqual([400, "PASSWORD_TOO_COMMON"]);
    expect((await signIn(stack.webUrl, { email: user.email, password: user.password })).status).toBe(200);
  });
});

describe("failed sign-ins back off per account", () => {
  const failures = async (email: string) =>
    (await sql<{ failures: number }>(stack.databaseUrl, "SELECT failures FROM sign_in_failure WHERE email = $1", [email.toLowerCase()]))[0]
      ?.failures ?? 0;
  /** As if the account's last failure had been `seconds` ago (the database's clock, as the web's check reads it). */
  const failedAgo = (email: string, seconds: number) =>
    sql(stack.databaseUrl, `UPDATE sign_in_failure SET "lastFailureAt" = now() AT TIME ZONE 'UTC' - $2::int * interval '1 second' WHERE email = $1`, [
      email.toLowerCase(),
      seconds,
    ]);
  /** A wrong sign-in from a fresh client address each time, alternating between the two webs. */
  const wrong = async (email: string, times: number): Promise<number[]> => {
    const statuses: number[] = [];
    for (let i = 0; i < times; i++)
      statuses.push((await signIn(stack.webs[i % 2]?.url ?? "", { email, password: strongPassword() }, { origin: stack.webUrl })).status);
    return statuses;
  };
  const refused = (answer: AuthAnswer) => [answer.status, answer.body?.code, answer.cookie];

  test("5 failures from 5 addresses over both webs, then even the right password waits (429 + Retry-After); another account is not held", async () => {
    const victim = await newUser(stack.webUrl, "victim");
    expect(await wrong(victim.email, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(await failures(victim.email)).toBe(5);
    for (const web of stack.webs) {
      const response = await call(web.url, "POST", "/sign-in/email", { body: { email: victim.email, password: victim.password } });
      expect([response.status, response.headers.get("cache-control")]).toEqual([429, "no-store"]);
      const retryAfter = Number(response.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(15);
      expect(((await response.json()) as { code?: string }).code).toBe("TOO_MANY_FAILED_SIGN_INS");
      expect(sessionCookieOf(response.headers.getSetCookie())).toBeNull();
    }
    // The same address in other letters is the same account.
    expect(refused(await signIn(stack.webUrl, { email: victim.email.toUpperCase(), password: victim.password }))).toEqual([
      429,
      "TOO_MANY_FAILED_SIGN_INS",
      null,
    ]);
    // Attempts during the wait are not counted: the wait does not grow by trying.
    expect(await wrong(victim.email, 3)).toEqual([429, 429, 429]);
    expect(await failures(victim.email)).toBe(5);
    const other = await newUser(stack.webUrl, "bystander");
    expect((await signIn(stack.webUrl, { email: other.email, password: other.password })).status).toBe(200);
  });

  test("the wait ends: 15 s after the 5th failure the right password signs in, and the count is cleared", async () => {
    const user = await newUser(stack.webUrl, "patient");
    await wrong(user.email, 5);
    expect((await signIn(stack.webUrl, { email: user.email, password: user.password })).status).toBe(429);
    await failedAgo(user.email, 10);
    expect((await signIn(stack.webUrl, { email: user.email, password: user.password })).status).toBe(429);
    await failedAgo(user.email, 15);
    const answer = await signIn(stack.webUrl, { email: user.email, password: user.password });
    expect(answer.status).toBe(200);
    expect(answer.cookie).not.toBeNull();
    expect(await failures(user.email)).toBe(0);
  });

  test("each failure after the 5th doubles the wait (15, 30, 60 s ...), never past 15 minutes", async () => {
    const user = await newUser(stack.webUrl, "doubling");
    await wrong(user.email, 5);
    const waits: number[] = [];
    for (const seconds of [15, 30, 60]) {
      await failedAgo(user.email, seconds);
      expect(await wrong(user.email, 1)).toEqual([401]);
      const response = await call(stack.webUrl, "POST", "/sign-in/email", { body: { email: user.email, password: user.password } });
      waits.push(Number(response.headers.get("retry-after")));
    }
    [30, 60, 120].forEach((full, i) => {
      expect(waits[i]).toBeLessThanOrEqual(full);
      expect(waits[i]).toBeGreaterThan(full - 5);
    });
    // However many failures, the wait is at most 15 minutes.
    await sql(stack.databaseUrl, `UPDATE sign_in_failure SET failures = 500, "lastFailureAt" = now() AT TIME ZONE 'UTC' WHERE email = $1`, [
      user.email,
    ]);
    const capped = await call(stack.webUrl, "POST", "/sign-in/email", { body: { email: user.email, password: user.password } });
    expect(Number(capped.headers.get("retry-after"))).toBeGreaterThan(890);
    expect(Number(capped.headers.get("retry-after"))).toBeLessThanOrEqual(900);
    await failedAgo(user.email, 900);
    expect((await signIn(stack.webUrl, { email: user.email, password: user.password })).status).toBe(200);
  });

  test("a day without a failure forgets the count: the next wrong password is failure 1", async () => {
    const user = await newUser(stack.webUrl, "forgotten");
    await wrong(user.email, 6);
    await failedAgo(user.email, 86_400);
    expect(await wrong(user.email, 1)).toEqual([401]);
    expect(await failures(user.email)).toBe(1);
  });

  test("an address with no account backs off the same way (the throttle tells no one which emails exist)", async () => {
    const nobody = newEmail("nobody");
    expect(await wrong(nobody, 6)).toEqual([401, 401, 401, 401, 401, 429]);
  });

  test("a request that guesses nothing (no password) is not counted", async () => {
    const user = await newUser(stack.webUrl, "malformed");
    for (let i = 0; i < 6; i++) {
      const answer = await authPost(stack.webUrl, "/sign-in/email", { email: user.email });
      expect(answer.status).toBe(400);
    }
    expect(await failures(user.email)).toBe(0);
  });
});
