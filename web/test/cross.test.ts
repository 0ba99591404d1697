// Web and api, really started from one .env against a real TLS PostgreSQL: the token Better Auth
// hands out is the token the API accepts, and nothing else is.
import { contractKey, fingerprintOf, signToken, signatureValid } from "@authbridge/testing/tokens";
import { PASSWORD, decodePart, fetchToken, newEmail, authPost, signIn, signUp } from "@authbridge/testing/auth";
import { type Stack, startStack } from "@authbridge/testing/stack";

describe("web signs, api verifies (one .env, real services)", () => {
  let stack: Stack;
  let user: { id: string; email: string; cookie: string; sessionId: string };

  beforeAll(async () => {
    stack = await startStack();
    const email = newEmail("cross");
    const result = await signUp(stack.web.url, { name: "Cross Check", email, password: PASSWORD }, { clientIp: "10.0.0.1" });
    expect(result.status).toBe(200);
    expect(result.cookie).toBeTruthy();
    const cookie = result.cookie ?? "";
    const session = await fetch(`${stack.web.url}/api/auth/get-session`, { headers: { cookie } });
    const { session: current } = (await session.json()) as { session: { id: string } };
    user = { id: result.body?.user?.id ?? "", email, cookie, sessionId: current.id };
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const me = (token: string) => fetch(`${stack.api.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });

  test("both processes log the same key fingerprint, equal to an independent derivation", () => {
    const fingerprints = [stack.web, stack.api].map((service) => {
      const lines = service.lines.filter((line) => line.includes('"keyFingerprint"'));
      expect(lines).toHaveLength(1);
      return (JSON.parse(lines[0] ?? "{}") as { keyFingerprint?: string }).keyFingerprint;
    });
    expect(fingerprints[0]).toMatch(/^[0-9a-f]{8}$/);
    expect(fingerprints[0]).toBe(fingerprints[1]);
    expect(fingerprints[0]).toBe(fingerprintOf(contractKey(stack.secret)));
  });

  test("neither process writes the secret or the derived key to its output", () => {
    const output = [...stack.web.lines, ...stack.api.lines].join("\n");
    expect(output).not.toContain(stack.secret);
    expect(output).not.toContain(contractKey(stack.secret).toString("hex"));
  });

  test("the token from /api/auth/token is HS256, names its key (kid 1 for a lone secret), has the contract's claims, and the API accepts it", async () => {
    const token = await fetchToken(stack.web.url, user.cookie);
    expect(decodePart(token, 0)).toEqual({ alg: "HS256", typ: "JWT", kid: "1" });
    const claims = decodePart(token, 1);
    expect(Object.keys(claims).sort()).toEqual(["aud", "exp", "iat", "iss", "sid", "sub"]);
    expect(claims.sub).toBe(user.id);
    // The session's row id, never its bearer token (which is what the session cookie carries).
    expect(claims.sid).toBe(user.sessionId);
    expect(decodeURIComponent(user.cookie)).not.toContain(user.sessionId);
    expect(claims.iss).toBe(stack.web.url);
    expect(claims.aud).toBe(stack.api.url);
    expect(claims.exp).toBe((claims.iat as number) + stack.ttlSeconds);
    expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(30);
    expect(JSON.stringify(claims)).not.toContain(user.email);
    expect(signatureValid(token, contractKey(stack.secret))).toBe(true);

    const response = await me(token);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: user.id, email: user.email, name: "Cross Check" });
  });

  test("Better Auth's verify-email refuses the API token and the email stays unverified", async () => {
    const token = await fetchToken(stack.web.url, user.cookie);
    const response = await fetch(`${stack.web.url}/api/auth/verify-email?token=${token}`, { redirect: "manual" });
    expect(response.status).not.toBe(200);
    const session = await fetch(`${stack.web.url}/api/auth/get-session`, { headers: { cookie: user.cookie } });
    const body = (await session.json()) as { user: { emailVerified: boolean } };
    expect(body.user.emailVerified).toBe(false);
  });

  test("the API refuses the same claims signed with the raw secret, or with a flipped signature", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: user.id, sid: user.sessionId, iat: now, exp: now + 600, iss: stack.web.url, aud: stack.api.url };
    expect((await me(signToken(claims, contractKey(stack.secret)).token)).status).toBe(200);
    expect((await me(signToken(claims, stack.secret).token)).status).toBe(401);
    const good = await fetchToken(stack.web.url, user.cookie);
    const flipped = good.slice(0, -2) + (good.endsWith("AA") ? "BB" : "AA");
    expect((await me(flipped)).status).toBe(401);
  });

  test("100 of 100 tokens from 100 sign-ins verify", async () => {
    const verified: boolean[] = [];
    const signInOnce = async (i: number) => {
      // A different client address each time: the production rate limit allows 3 sign-ins per 10 s per client.
      const clientIp = `10.1.${i >> 8}.${i & 255}`;
      const result = await signIn(stack.web.url, { email: user.email, password: PASSWORD }, { clientIp });
      if (!result.cookie) throw new Error(`sign-in ${i} answered ${result.status}`);
      const token = await fetchToken(stack.web.url, result.cookie, { clientIp });
      const response = await fetch(`${stack.api.url}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
      verified.push(response.status === 200 && ((await response.json()) as { userId: string }).userId === user.id);
    };
    const queue = Array.from({ length: 100 }, (_, i) => i);
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) await signInOnce(i);
      }),
    );
    expect(verified.filter(Boolean)).toHaveLength(100);
  });

  test("production rate limit: the 4th sign-in from one client within 10 s is refused", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await signIn(stack.web.url, { email: user.email, password: PASSWORD }, { clientIp: "10.2.0.1" })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // Another client is not affected.
    expect((await signIn(stack.web.url, { email: user.email, password: PASSWORD }, { clientIp: "10.2.0.2" })).status).toBe(200);
  });

  test("a signed-out cookie gets no token", async () => {
    const result = await signIn(stack.web.url, { email: user.email, password: PASSWORD }, { clientIp: "10.3.0.1" });
    const cookie = result.cookie ?? "";
    expect((await authPost(stack.web.url, "/sign-out", {}, { clientIp: "10.3.0.1", cookie })).status).toBe(200);
    expect((await fetch(`${stack.web.url}/api/auth/token`, { headers: { cookie } })).status).toBe(401);
  });

  // Last: it stops the database.
  test("GET /api/health answers the api's health+json shape: 200 pass while the database is reachable, 503 fail when it is not", async () => {
    const response = await fetch(`${stack.web.url}/api/health`);
    expect([response.status, response.headers.get("content-type"), response.headers.get("cache-control")]).toEqual([
      200,
      "application/health+json",
      "no-store",
    ]);
    const up = (await response.json()) as Record<string, unknown>;
    expect(up).toEqual({
      status: "pass",
      checks: {
        "database:responseTime": [
          { componentType: "datastore", status: "pass", time: expect.any(String), observedValue: expect.any(Number), observedUnit: "ms" },
        ],
      },
    });
    await stack.cluster.pause();
    const down = await fetch(`${stack.web.url}/api/health`);
    expect([down.status, down.headers.get("content-type")]).toEqual([503, "application/health+json"]);
    const body = (await down.json()) as { status: string; output: string; checks: Record<string, { status: string; output: string }[]> };
    expect(body.status).toBe("fail");
    expect(["database unavailable", "database timeout"]).toContain(body.output);
    expect(body.checks["database:responseTime"]?.[0]).toMatchObject({ status: "fail", output: body.output });
  });
});
