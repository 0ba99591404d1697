// Hostile input against the built api (property-based, fast-check), CORS and helmet headers, and
// Better Auth's rate limit on the built web in production mode. Users are signed up on the web.
import { mint } from "@authbridge/testing/tokens";
import { randomBytes, randomUUID } from "node:crypto";
import { TITLE_MAX } from "@authbridge/api-types";
import fc from "fast-check";
import { allTasks, call, rawRequest, type RawAnswer } from "./support/http";
import { runProperty } from "./support/fuzz";
import { record } from "./support/record";
import { type Stack, startStack } from "@authbridge/testing/stack";
import { audited } from "./support/audit";
import { acceptedSubject } from "./support/tokens";
import { type User, authPost, fetchToken, freshIp, newUser } from "@authbridge/testing/auth";
import { UNLIMITED_WRITES } from "./support/writeLimit";

const AUTH_RUNS = 400;
const PATH_RUNS = 250;
const BODY_RUNS = 300;
const ORIGIN_RUNS = 100;
const BODY_LIMIT_BYTES = 16 * 1024;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const JWS = /[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

let stack: Stack;
let alice: User & { token: string; webToken: string };
let bob: User & { token: string; marker: string };
/** Tokens with every defect we can think of, all bound for the api. */
let hostileTokens: string[];

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

beforeAll(async () => {
  stack = await startStack(audited({ env: UNLIMITED_WRITES }));
  const a = await newUser(stack.webUrl, "alice");
  alice = { ...a, token: mint(stack, a), webToken: await fetchToken(stack.webUrl, a.cookie) };
  const b = await newUser(stack.webUrl, "bob");
  bob = { ...b, token: await fetchToken(stack.webUrl, b.cookie), marker: `bob-only-${randomUUID()}` };
  for (let i = 0; i < 3; i++) {
    const created = await call(`${stack.apiUrl}/api/${bob.id}/tasks`, { token: bob.token, body: { title: `${bob.marker} ${i}` } });
    expect(created.status).toBe(201);
  }
  const now = Math.floor(Date.now() / 1000);
  const otherKey = new Uint8Array(randomBytes(32));
  const rawSecretKey = new Uint8Array(Buffer.from(stack.secret, "utf8"));
  const [header, payload, signature] = alice.token.split(".") as [string, string, string];
  hostileTokens = [
    alice.token,
    alice.webToken,
    bob.token,
    mint(stack, alice, { claims: { exp: now - 3600, iat: now - 4000 } }),
    mint(stack, alice, { claims: { aud: "http://127.0.0.1:1" } }),
    mint(stack, alice, { claims: { aud: [stack.audience, "http://127.0.0.1:1"] } }),
    mint(stack, alice, { claims: { iss: "http://evil.test" } }),
    mint(stack, alice, { claims: { nbf: now + 3600 } }),
    mint(stack, alice, { claims: { iat: now + 3600 } }),
    mint(stack, alice, { claims: { exp: undefined } }),
    mint(stack, alice, { claims: { sub: undefined } }),
    mint(stack, alice, { claims: { sub: "" } }),
    mint(stack, alice, { claims: { sub: "x".repeat(300) } }),
    mint(stack, alice, { claims: { sid: undefined } }),
    // Bob's session under alice's subject, and alice's under bob's.
    mint(stack, { id: alice.id, sessionId: bob.sessionId }),
    mint(stack, { id: bob.id, sessionId: alice.sessionId }),
    mint(stack, alice, { claims: { sub: 12345 as unknown as string } }),
    mint(stack, alice, { header: { alg: "HS512" } }),
    mint(stack, alice, { header: { alg: "HS384" } }),
    // Signed with the raw BETTER_AUTH_SECRET (what Better Auth's own tokens use), or another key.
    mint(stack, alice, { key: rawSecretKey }),
    mint(stack, alice, { key: otherKey }),
    mint(stack, bob, { key: otherKey }),
    // alg none, and alice's signature under bob's subject.
    `${b64({ alg: "none", typ: "JWT" })}.${payload}.`,
    `${b64({ alg: "none", typ: "JWT" })}.${payload}.${signature}`,
    `${header}.${b64({ sub: bob.id, iat: now, exp: now + 900, iss: stack.issuer, aud: stack.audience })}.${signature}`,
    `${header}.${payload}`,
    `${header}.${payload}.${signature}.${signature}`,
    `${alice.token}${"A".repeat(4200)}`,
  ];
});

afterAll(async () => {
  await stack?.stop();
});

/** No answer may ever carry bob's tasks to anyone but bob. */
function expectNoLeak(answer: RawAnswer): void {
  expect(answer.body).not.toContain(bob.marker);
}

/** Strings a fuzzer would send, with CR/LF turned into spaces so they stay inside their header. */
const headerText = fc.string({ unit: "binary", maxLength: 120 }).map((s) => s.replace(/[\r\n]/g, " "));

/** A token from the set above (the valid ones often), left alone or damaged in one way. */
const mutatedToken = (): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.oneof(
        { weight: 1, arbitrary: fc.constantFrom(alice.token, alice.webToken, bob.token) },
        { weight: 3, arbitrary: fc.constantFrom(...hostileTokens) },
      ),
      fc.nat(),
      fc.constantFrom("A", "_", "-", ".", "=", "é", " ", "0"),
    )
    .chain(([token, at, ch]) =>
      fc.oneof(
        { weight: 1, arbitrary: fc.constant(token) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            token.slice(0, at % (token.length + 1)),
            `${token.slice(0, at % token.length)}${ch}${token.slice((at % token.length) + 1)}`,
            token.toUpperCase(),
            `${token}${ch}`,
            token.split(".").reverse().join("."),
          ),
        },
      ),
    );

test(`Authorization header fuzzing (${AUTH_RUNS} runs): never 5xx, never 2xx without a valid token, never another user's data`, async () => {
  const statuses: Record<string, number> = {};
  let accepted = 0;
  // Weighted so that a fair share of requests carries a well-formed header with a good token:
  // the property must see accepted requests too, or it would prove nothing about them.
  const likely = <T>(usual: T[], rest: T[]) =>
    fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...usual) }, { weight: 1, arbitrary: fc.constantFrom(...rest) });
  const value = fc.oneof(
    { weight: 1, arbitrary: headerText },
    { weight: 1, arbitrary: headerText.map((s) => `Bearer ${s}`) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          likely(["Bearer", "bearer", "BEARER"], ["Bearer:", "Basic", "Token", "JWT", ""]),
          likely([" ", "  ", " \t "], ["\t", ""]),
          mutatedToken(),
          likely(["", " ", "\t"], [" x", ","]),
        )
        .map(([scheme, sep, token, suffix]) => `${scheme}${sep}${token}${suffix}`),
    },
  );
  const property = fc.asyncProperty(
    // Mostly one header; sometimes none or two (RFC 6750: a second one is refused outright).
    fc.oneof({ weight: 5, arbitrary: value.map((v) => [v]) }, { weight: 1, arbitrary: fc.array(value, { maxLength: 2 }) }),
    fc.constantFrom("/api/whoami", `/api/${alice.id}/tasks`, "/api/me"),
    async (values, path) => {
      const answer = await rawRequest(Number(new URL(stack.apiUrl).port), {
        method: "GET",
        path,
        headers: values.map((v) => ["Authorization", v] as [string, string]),
      });
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      expect(answer.status).toBeLessThan(500);
      expectNoLeak(answer);
      if (answer.status >= 200 && answer.status < 300) {
        accepted++;
        // Whoever the api served must be the subject of a token an independent verifier accepts.
        const subjects = await Promise.all(values.flatMap((v) => v.match(JWS) ?? []).map((t) => acceptedSubject(stack, t)));
        expect(values).toHaveLength(1);
        const served =
          path === "/api/whoami"
            ? (JSON.parse(answer.body) as { userId: string }).userId
            : path === "/api/me"
              ? (JSON.parse(answer.body) as { id: string }).id
              : alice.id;
        expect(subjects).toContain(served);
      } else if (answer.status === 401) {
        expect(answer.head).toMatch(/\r\nWWW-Authenticate: Bearer realm="api"/i);
        expect(JSON.parse(answer.body)).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
      }
    },
  );
  const { runs } = await runProperty("Authorization header", property, AUTH_RUNS);
  // The property is not vacuous: pristine tokens get through, and most fuzz does not.
  for (const token of [alice.token, alice.webToken]) {
    expect((await call(`${stack.apiUrl}/api/whoami`, { token })).json).toEqual({ userId: alice.id });
  }
  record({ requests: runs + 2 }, { statuses, accepted });
  expect(accepted).toBeGreaterThan(0);
  expect(accepted).toBeLessThan(runs);
});

test(`path user id fuzzing (${PATH_RUNS} runs, alice's token): never 5xx, 2xx only on alice's own path, never bob's data`, async () => {
  const statuses: Record<string, number> = {};
  const segment = fc.oneof(
    fc.string({ unit: "binary", maxLength: 60 }),
    fc.string({ maxLength: 60 }),
    fc.constantFrom(
      alice.id,
      bob.id,
      "",
      ".",
      "..",
      "%",
      "%00",
      "%2e%2e",
      `${alice.id}%00`,
      `${alice.id}/..`,
      `${bob.id}%2F..%2F${alice.id}`,
      alice.id.toUpperCase(),
      ` ${alice.id}`,
      `${alice.id} `,
    ),
    fc
      .tuple(fc.nat(), fc.constantFrom("a", "Z", "%", "-", ".", "é"))
      .map(([at, ch]) => `${alice.id.slice(0, at % alice.id.length)}${ch}${alice.id.slice((at % alice.id.length) + 1)}`),
  );
  const property = fc.asyncProperty(segment, fc.boolean(), fc.constantFrom("GET", "POST"), async (raw, encode, method) => {
    const sendRaw = !encode && /^[\x21-\x7e]*$/.test(raw) && !/[?#]/.test(raw);
    const wire = sendRaw ? raw : encodeURIComponent(raw);
    const body = method === "POST" ? Buffer.from(JSON.stringify({ title: `path fuzz ${randomUUID()}` })) : undefined;
    const answer = await rawRequest(Number(new URL(stack.apiUrl).port), {
      method,
      path: `/api/${wire}/tasks`,
      headers: [["Authorization", `Bearer ${alice.token}`], ...(body ? [["Content-Type", "application/json"] as [string, string]] : [])],
      ...(body ? { body } : {}),
    });
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    expect(answer.status).toBeLessThan(500);
    expectNoLeak(answer);
    let decoded: string | null = null;
    try {
      decoded = decodeURIComponent(wire);
    } catch {
      // not decodable: cannot name alice either
    }
    if (answer.status < 300) expect(decoded).toBe(alice.id);
    if (decoded === alice.id) expect(answer.status).toBe(method === "POST" ? 201 : 200);
  });
  const { runs } = await runProperty("path user id", property, PATH_RUNS);
  record({ requests: runs }, { statuses });
});

/** The api's rule for a new task, restated independently: what must answer 201. */
function expectedOutcome(contentType: string | null, body: Buffer): { status: number; title?: string } {
  if (contentType === null || !/^application\/json(;\s*charset=utf-8)?$/i.test(contentType)) return { status: 415 };
  if (body.length > BODY_LIMIT_BYTES) return { status: 413 };
  // body-parser decodes like iconv-lite, which drops a leading byte-order mark.
  const text = body.toString("utf8").replace(/^\ufeff/, "");
  if (!/^[ \t\n\r]*[[{]/.test(text)) return { status: 400 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { status: 400 };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { status: 400 };
  const title = (parsed as { title?: unknown }).title;
  if (typeof title !== "string") return { status: 400 };
  const trimmed = title.trim();
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- code points, as PostgreSQL counts a title, not graphemes
  const length = [...trimmed].length;
  // Blank, too long, control characters, or not valid Unicode (a lone surrogate cannot be stored).
  // eslint-disable-next-line no-control-regex -- matching control characters is this pattern's job
  if (length === 0 || length > TITLE_MAX || /[\u0000-\u001f\u007f]/.test(trimmed) || LONE_SURROGATE.test(trimmed)) return { status: 400 };
  return { status: 201, title: trimmed };
}

test(`JSON body fuzzing (${BODY_RUNS} runs, alice's token and path): never 5xx, 201 exactly for a valid task, stored as alice's`, async () => {
  const statuses: Record<string, number> = {};
  const created: string[] = [];
  const titles = fc.oneof(
    fc.string({ unit: "binary", maxLength: 220 }),
    fc.string({ unit: "grapheme", minLength: 195, maxLength: 205 }),
    fc.constantFrom(
      "",
      " ",
      "\u00a0x\u3000",
      "a\u0000b",
      "\ud800",
      "ok \udfff",
      "\u202e\u2066",
      "🙂".repeat(200),
      "🙂".repeat(201),
      "x".repeat(201),
      `${bob.marker} fake`,
    ),
  );
  const bodies = fc.oneof(
    { weight: 3, arbitrary: titles.map((title) => JSON.stringify({ title })) },
    fc.jsonValue({ stringUnit: "binary", maxDepth: 3 }).map((title) => JSON.stringify({ title })),
    fc.json({ maxDepth: 3 }),
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.constantFrom(
      '{"__proto__":{"title":"polluted"}}',
      '{"constructor":{"prototype":{"title":"x"}}}',
      '{"title":"dup","title":"  "}',
      '{"title":"a"',
      `${"[".repeat(5000)}${"]".repeat(5000)}`,
      JSON.stringify({ title: "big", pad: "x".repeat(BODY_LIMIT_BYTES) }),
      "null",
      '"title"',
      '\ufeff{"title":"bom"}',
    ),
  );
  const contentTypes = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom<string | null>("application/json", "application/json; charset=utf-8", "application/json; charset=UTF-8"),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<string | null>("application/json; charset=latin1", "text/plain", "application/x-www-form-urlencoded", null),
    },
  );
  const property = fc.asyncProperty(bodies, contentTypes, async (text, contentType) => {
    const body = Buffer.from(text, "utf8");
    const answer = await rawRequest(Number(new URL(stack.apiUrl).port), {
      method: "POST",
      path: `/api/${alice.id}/tasks`,
      headers: [["Authorization", `Bearer ${alice.token}`], ...(contentType === null ? [] : [["Content-Type", contentType] as [string, string]])],
      body,
    });
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    expect(answer.status).toBeLessThan(500);
    const expected = expectedOutcome(contentType, body);
    expect({ status: answer.status, text }).toEqual({ status: expected.status, text });
    if (answer.status === 201) {
      const { task } = JSON.parse(answer.body) as { task: { id: string; title: string } };
      expect(task.title).toBe(expected.title);
      created.push(task.id);
    } else {
      expect(JSON.parse(answer.body)).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
    }
  });
  const { runs } = await runProperty("JSON body", property, BODY_RUNS);
  // Everything created landed in alice's list, and bob's list is exactly his three tasks.
  const aliceList = await allTasks<{ id: string }>(stack.apiUrl, alice.id, alice.token);
  expect(aliceList.map((t) => t.id)).toEqual(expect.arrayContaining(created));
  const bobList = (await call(`${stack.apiUrl}/api/${bob.id}/tasks`, { token: bob.token })).json as { tasks: { title: string }[] };
  expect(bobList.tasks.map((t) => t.title).sort()).toEqual([0, 1, 2].map((i) => `${bob.marker} ${i}`));
  record({ requests: runs + 2 }, { statuses, created: created.length });
});

test(`CORS (${ORIGIN_RUNS} foreign origins + the web's): only the web's origin gets Access-Control-Allow-Origin; helmet's headers on every answer`, async () => {
  const web = new URL(stack.webUrl);
  const foreign = fc.oneof(
    fc.webUrl().map((u) => new URL(u).origin),
    fc.constantFrom(
      "null",
      "http://evil.example",
      `https://${web.host}`,
      `http://localhost:${web.port}`,
      `http://127.0.0.1:${Number(web.port) + 1}`,
      `${stack.issuer}.evil.example`,
      `${stack.issuer}/`,
      `http://evil.example/${stack.issuer}`,
      stack.apiUrl,
    ),
  );
  let requests = 0;
  const cors = async (origin: string, preflight: boolean) => {
    requests++;
    return rawRequest(Number(new URL(stack.apiUrl).port), {
      method: preflight ? "OPTIONS" : "GET",
      path: `/api/${alice.id}/tasks`,
      headers: [
        ["Origin", origin],
        ...(preflight
          ? ([
              ["Access-Control-Request-Method", "POST"],
              ["Access-Control-Request-Headers", "authorization,content-type"],
            ] as [string, string][])
          : ([["Authorization", `Bearer ${alice.token}`]] as [string, string][])),
      ],
    });
  };
  const property = fc.asyncProperty(foreign, fc.boolean(), async (origin, preflight) => {
    fc.pre(origin !== stack.issuer);
    const answer = await cors(origin, preflight);
    expect(answer.status).toBeLessThan(500);
    expect(answer.head).not.toMatch(/\r\nAccess-Control-Allow-Origin:/i);
    expect(answer.head).not.toMatch(/\r\nAccess-Control-Allow-Credentials:/i);
  });
  await runProperty("foreign Origin", property, ORIGIN_RUNS);

  // The web's own origin does get it: the check above can fail.
  for (const preflight of [true, false]) {
    const answer = await cors(stack.issuer, preflight);
    expect(answer.head).toMatch(new RegExp(`\\r\\nAccess-Control-Allow-Origin: ${stack.issuer}\\r\\n`, "i"));
  }
  // helmet on success, refusal, not-found and preflight answers alike; Express's banner is off.
  const answers = await Promise.all([
    call(`${stack.apiUrl}/livez`),
    call(`${stack.apiUrl}/api/whoami`),
    call(`${stack.apiUrl}/api/whoami`, { token: alice.token }),
    call(`${stack.apiUrl}/nope`),
  ]);
  requests += answers.length;
  for (const answer of answers) {
    expect(answer.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    expect(answer.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
    expect(answer.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(answer.headers.get("referrer-policy")).toBe("no-referrer");
    expect(answer.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(answer.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect(answer.headers.get("x-powered-by")).toBeNull();
  }
  record({ requests });
});

test("Better Auth in production mode: repeated wrong-password sign-ins get 429 per client IP; another IP is not limited", async () => {
  const victim = await newUser(stack.webUrl, "carol");
  const attacker = freshIp();
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const wrong = `wrong-${randomBytes(9).toString("base64url")}`;
    const answer = await authPost(stack.webUrl, "/sign-in/email", { email: victim.email, password: wrong }, { clientIp: attacker });
    statuses.push(answer.status);
    expect(answer.cookie).toBeNull();
  }
  // Better Auth's sign-in rule: 3 per 10 s per address, then 429 until the window passes.
  expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
  // Limited even with the right password from that address...
  const fromAttacker = await authPost(stack.webUrl, "/sign-in/email", { email: victim.email, password: victim.password }, { clientIp: attacker });
  expect(fromAttacker.status).toBe(429);
  // ...while the real user, from elsewhere, signs in at once.
  const fromVictim = await authPost(stack.webUrl, "/sign-in/email", { email: victim.email, password: victim.password });
  expect(fromVictim.status).toBe(200);
  expect(fromVictim.cookie).not.toBeNull();
  record(
    { requests: statuses.length + 3, failures: 0 },
    { wrongPasswordStatuses: statuses, sameIpRightPassword: fromAttacker.status, otherIp: fromVictim.status },
  );
});
