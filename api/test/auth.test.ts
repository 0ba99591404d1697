// requireAuth and everything decided before the resource runs: each rejection the contract lists,
// the 401 -> 403 -> 400 order, and the HTTP plumbing. Tokens carry a `sid`, so the api reads each
// new session's row once: the runtime has a real migrated database whose users have sessions.
import { generateKeyPairSync } from "node:crypto";
import type { Express } from "express";
import jwt from "jsonwebtoken";
import request from "supertest";
import { MIDDLEWARE, createApp } from "../src/app";
import { ROUTES } from "../src/routes";
import { deriveTokenKeyBytes } from "../src/auth/tokenKey";
import { type Runtime, createRuntime } from "../src/runtime";
import type { Cluster } from "@authbridge/testing/pg";
import { migratedCluster } from "@authbridge/testing/migrator";
import { signToken } from "@authbridge/testing/tokens";
import {
  type ErrorBody,
  VECTOR_SECRET,
  WEB_ORIGIN,
  captureLogger,
  claimsFor,
  insertUsers,
  tokenFor,
  tokenWithVectorKey,
  testConfig,
} from "./helpers";

const key = deriveTokenKeyBytes(VECTOR_SECRET);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const signHs256 = (claims: Record<string, unknown>) => jwt.sign(claims, key, { algorithm: "HS256" });
const without = (name: string) => {
  const { [name]: _left, ...claims } = claimsFor("user-a");
  return signHs256(claims);
};
const now = () => Math.floor(Date.now() / 1000);

let cluster: Cluster;
let runtime: Runtime;
let app: Express;
const logs = captureLogger();
const sentTokens: string[] = [];

beforeAll(async () => {
  cluster = await migratedCluster();
  await insertUsers(cluster.url, ["user-a", "user-contract"]);
  runtime = createRuntime(testConfig({ API_DATABASE_URL: cluster.url }), logs.logger);
  app = createApp(runtime.deps);
});
afterAll(async () => {
  await runtime.close();
  await cluster.destroy();
});

function whoami(authorization?: string | string[]) {
  const req = request(app).get("/api/whoami");
  if (authorization === undefined) return req;
  for (const value of [authorization].flat()) sentTokens.push(value);
  // Node sends an array as repeated header lines; superagent's types only allow that for Cookie.
  return req.set("Authorization", authorization as string);
}

async function expectInvalidToken(authorization: string | string[], description = "invalid token") {
  const res = await whoami(authorization);
  expect(res.status).toBe(401);
  expect(res.headers["www-authenticate"]).toBe(`Bearer realm="api", error="invalid_token", error_description="${description}"`);
  expect(res.body).toEqual({ error: { code: "unauthorized", message: description } });
}

describe("requireAuth accepts", () => {
  test("a token signed as the web signs it", async () => {
    const res = await whoami(`Bearer ${tokenFor("user-a")}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: "user-a" });
  });

  test("a token minted independently from the contract (its known-answer key)", async () => {
    const token = tokenWithVectorKey("user-contract");
    const res = await whoami(`Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: "user-contract" });
  });

  test("the scheme in any case", async () => {
    expect((await whoami(`bearer ${tokenFor("user-a")}`)).status).toBe(200);
    expect((await whoami(`BEARER ${tokenFor("user-a")}`)).status).toBe(200);
  });

  test("a token that expired within the clock tolerance", async () => {
    expect((await whoami(`Bearer ${signHs256(claimsFor("user-a", { exp: now() - 2 }))}`)).status).toBe(200);
  });
});

describe("requireAuth rejects", () => {
  test("no Authorization header (no error code, RFC 6750)", async () => {
    const res = await whoami();
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
    expect(res.body).toEqual({ error: { code: "unauthorized", message: "a bearer token is required" } });
  });

  test.each([
    ["Basic", "Basic dXNlcjpwYXNz"],
    ["Token", `Token ${tokenFor("user-a")}`],
    ["Bearer_", `Bearer_${tokenFor("user-a")}`],
    ["JWT", `JWT ${tokenFor("user-a")}`],
  ])("another scheme: %s", async (_label, header) => {
    const res = await whoami(header);
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
  });

  test("an empty token", async () => {
    await expectInvalidToken("Bearer", "malformed token");
    await expectInvalidToken("Bearer    ", "malformed token");
  });

  test.each([
    ["one word", "garbage"],
    ["two parts", "a.b"],
    ["three parts, not JSON", "a.b.c"],
    ["dots only", "...."],
    ["characters outside base64url", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.%%%"],
    ["four parts", `${tokenFor("user-a")}.x`],
  ])("a garbled token: %s", async (_label, token) => {
    const res = await whoami(`Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer realm="api", error="invalid_token"/);
  });

  test("a token signed with another secret's key", async () => {
    await expectInvalidToken(`Bearer ${tokenFor("user-a", {}, "some-other-secret-of-at-least-32-characters!")}`);
  });

  test("a token signed with the raw BETTER_AUTH_SECRET", async () => {
    await expectInvalidToken(`Bearer ${jwt.sign(claimsFor("user-a"), VECTOR_SECRET, { algorithm: "HS256" })}`);
  });

  test('alg "none"', async () => {
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${b64(claimsFor("user-a"))}.`;
    await expectInvalidToken(`Bearer ${unsigned}`, "malformed token");
    // The same with a signature part borrowed from a valid token.
    const borrowed = tokenFor("user-a").split(".")[2];
    await expectInvalidToken(`Bearer ${b64({ alg: "none", typ: "JWT" })}.${b64(claimsFor("user-a"))}.${borrowed}`);
  });

  test("HS512 with the right key", async () => {
    await expectInvalidToken(`Bearer ${jwt.sign(claimsFor("user-a"), key, { algorithm: "HS512" })}`);
  });

  test("RS256", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    await expectInvalidToken(`Bearer ${jwt.sign(claimsFor("user-a"), privateKey, { algorithm: "RS256" })}`);
  });

  test("a tampered payload", async () => {
    const [header, , signature] = tokenFor("user-a").split(".");
    await expectInvalidToken(`Bearer ${header}.${b64(claimsFor("user-b"))}.${signature}`);
  });

  test("a tampered header", async () => {
    const [, payload, signature] = tokenFor("user-a").split(".");
    await expectInvalidToken(`Bearer ${b64({ alg: "HS256", typ: "JWT", kid: "x" })}.${payload}.${signature}`);
  });

  test("an expired token", async () => {
    await expectInvalidToken(`Bearer ${signHs256(claimsFor("user-a", { iat: now() - 1000, exp: now() - 60 }))}`, "token expired");
  });

  test("nbf in the future", async () => {
    await expectInvalidToken(`Bearer ${signHs256(claimsFor("user-a", { nbf: now() + 60 }))}`, "token not yet valid");
  });

  test("iat in the future", async () => {
    await expectInvalidToken(`Bearer ${signHs256(claimsFor("user-a", { iat: now() + 60 }))}`);
  });

  test.each([
    ["a string", String(now())],
    ["a boolean", true],
    ["null", null],
    ["an object", { at: 1 }],
  ])("iat that is not a NumericDate: %s", async (_label, iat) => {
    await expectInvalidToken(`Bearer ${tokenFor("user-a", { iat })}`);
  });

  test("a lifetime (exp - iat) longer than JWT_TTL_SECONDS plus the tolerance; one at that limit passes", async () => {
    const limit = 900 + 5;
    await whoami(`Bearer ${tokenFor("user-a", { iat: now(), exp: now() + limit })}`).expect(200);
    await expectInvalidToken(`Bearer ${tokenFor("user-a", { iat: now() - 10, exp: now() - 10 + limit + 1 })}`);
    // Without iat the lifetime counts from now.
    await expectInvalidToken(`Bearer ${tokenFor("user-a", { iat: undefined, exp: now() + limit + 60 })}`);
    await whoami(`Bearer ${tokenFor("user-a", { iat: undefined, exp: now() + 600 })}`).expect(200);
  });

  test.each([
    ["naming a claim", ["exp"]],
    ["empty", []],
    ["not a list", "exp"],
  ])("a crit header (%s)", async (_label, crit) => {
    await expectInvalidToken(`Bearer ${signToken(claimsFor("user-a"), key, { crit }).token}`);
  });

  test.each(["sub", "sid", "exp", "iss", "aud"])("a token without %s", async (claim) => {
    await expectInvalidToken(`Bearer ${without(claim)}`);
  });

  test("the wrong iss", async () => {
    await expectInvalidToken(`Bearer ${signHs256(claimsFor("user-a", { iss: "http://evil.example" }))}`);
  });

  test("the wrong aud", async () => {
    await expectInvalidToken(`Bearer ${signHs256(claimsFor("user-a", { aud: "http://localhost:3000" }))}`);
  });

  test.each([
    ["a number", 42],
    ["an object", { id: "user-a" }],
    ["an array", ["user-a"]],
    ["empty", ""],
    ["null", null],
    ["a boolean", true],
    ["256 characters", "x".repeat(256)],
    ["with NUL", "user\u0000a"],
    ["with a newline", "user\na"],
  ])("sub that is not a sane non-empty string: %s", async (_label, sub) => {
    await expectInvalidToken(`Bearer ${signHs256(claimsFor("user-a", { sub }))}`);
  });

  test("a Better Auth email-verification-shaped token (raw secret, or even our key)", async () => {
    const shape = { email: "a@example.test", userId: "user-a", iat: now(), exp: now() + 3600 };
    await expectInvalidToken(`Bearer ${jwt.sign(shape, VECTOR_SECRET, { algorithm: "HS256" })}`);
    await expectInvalidToken(`Bearer ${signHs256(shape)}`);
  });

  test("two Authorization headers, even both valid", async () => {
    const token = `Bearer ${tokenFor("user-a")}`;
    await expectInvalidToken([token, token], "multiple authorization headers");
  });

  test("an oversized token, even with a valid signature", async () => {
    const token = signHs256(claimsFor("user-a", { pad: "x".repeat(4000) }));
    expect(token.length).toBeGreaterThan(4096);
    await expectInvalidToken(`Bearer ${token}`, "token too large");
  });
});

describe("the order 401, 403, 400, all before the resource runs", () => {
  const tokenA = () => `Bearer ${tokenFor("user-a")}`;

  test("no token on a malformed body: 401", async () => {
    const res = await request(app).post("/api/user-b/tasks").set("Content-Type", "application/json").send("{bad");
    expect(res.status).toBe(401);
  });

  test("user A's valid token on user B's path: 403, for reads and writes", async () => {
    const read = await request(app).get("/api/user-b/tasks").set("Authorization", tokenA());
    expect(read.status).toBe(403);
    expect(read.body).toEqual({ error: { code: "forbidden", message: "this resource belongs to another user" } });
    const write = await request(app).post("/api/user-b/tasks").set("Authorization", tokenA()).send({ title: "mine now" });
    expect(write.status).toBe(403);
  });

  test("A's token on B's path with an invalid body: 403", async () => {
    const res = await request(app).post("/api/user-b/tasks").set("Authorization", tokenA()).set("Content-Type", "application/json").send("{bad");
    expect(res.status).toBe(403);
  });

  test("A's own path, invalid bodies: 400 with field messages", async () => {
    const post = (body: unknown) =>
      request(app)
        .post("/api/user-a/tasks")
        .set("Authorization", tokenA())
        .send(body as object);
    expect((await post({})).body).toEqual({
      error: { code: "invalid_request", message: "the request is invalid", fields: { title: "is required and must be a string" } },
    });
    const fieldsOf = async (body: unknown) => ((await post(body)).body as ErrorBody).error.fields;
    expect(await fieldsOf({ title: "   " })).toEqual({ title: "must not be empty" });
    expect(await fieldsOf({ title: "x".repeat(201) })).toEqual({ title: "must be at most 200 characters" });
    expect((await post({ title: 7 })).status).toBe(400);
    expect(await fieldsOf({ title: "a\u0000b" })).toEqual({ title: "must not contain control characters" });
    for (const title of ["ok \udfff", "\ud800", "a\ud83d b"]) {
      expect(await fieldsOf({ title })).toEqual({ title: "must be valid Unicode text" });
    }
    expect(await fieldsOf([{ title: "x" }])).toEqual({ body: "must be a JSON object" });
  });

  test("malformed JSON: 400", async () => {
    const res = await request(app).post("/api/user-a/tasks").set("Authorization", tokenA()).set("Content-Type", "application/json").send('{"title":');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "malformed_json", message: "the body is not valid JSON" } });
  });

  test("a body over 16 KB: 413", async () => {
    const res = await request(app)
      .post("/api/user-a/tasks")
      .set("Authorization", tokenA())
      .send({ title: "x".repeat(17 * 1024) });
    expect(res.status).toBe(413);
    expect((res.body as ErrorBody).error.code).toBe("payload_too_large");
  });

  test("a body that is not JSON: 415", async () => {
    const res = await request(app).post("/api/user-a/tasks").set("Authorization", tokenA()).set("Content-Type", "text/plain").send("title=x");
    expect(res.status).toBe(415);
  });
});

describe("HTTP plumbing", () => {
  test("unknown routes: 404 JSON (behind auth under /api)", async () => {
    const res = await request(app).get("/nope");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "not_found", message: "no such route" } });
    expect((await request(app).get("/api/nope")).status).toBe(401);
    expect(
      (
        await request(app)
          .get("/api/nope")
          .set("Authorization", `Bearer ${tokenFor("user-a")}`)
      ).status,
    ).toBe(404);
  });

  test("a malformed path: 4xx JSON, no stack", async () => {
    const res = await request(app)
      .get("/api/%E0%A4%A/tasks")
      .set("Authorization", `Bearer ${tokenFor("user-a")}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js/);
  });

  test("x-request-id: a sane one is echoed, anything else replaced by a fresh one", async () => {
    expect((await request(app).get("/livez").set("X-Request-Id", "abc-123.4_5:6")).headers["x-request-id"]).toBe("abc-123.4_5:6");
    const generated = (await request(app).get("/livez")).headers["x-request-id"];
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    for (const bad of ["has space", "x".repeat(129), "new\u0085line", "<script>"]) {
      const echoed = (await request(app).get("/livez").set("X-Request-Id", bad)).headers["x-request-id"];
      expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  test("helmet's headers are present", async () => {
    const res = await request(app).get("/livez");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["content-security-policy"]).toBeDefined();
    expect(res.headers["x-powered-by"]).toBeUndefined();
  });

  test("CORS methods are the ones the routes declare: a browser's PATCH and DELETE pass the preflight", async () => {
    const preflight = await request(app)
      .options("/api/user-a/tasks/some-id")
      .set("Origin", WEB_ORIGIN)
      .set("Access-Control-Request-Method", "PATCH")
      .set("Access-Control-Request-Headers", "authorization,content-type");
    expect(preflight.status).toBe(204);
    const allowed = (preflight.headers["access-control-allow-methods"] ?? "").split(",");
    expect(allowed.sort()).toEqual([...new Set(ROUTES.map((route) => route.method.toUpperCase()))].sort());
    expect(allowed).toEqual(expect.arrayContaining(["GET", "POST", "PATCH", "DELETE"]));
  });

  test("CORS: the web origin only, with Authorization and Content-Type", async () => {
    const preflight = await request(app)
      .options("/api/whoami")
      .set("Origin", WEB_ORIGIN)
      .set("Access-Control-Request-Method", "GET")
      .set("Access-Control-Request-Headers", "authorization,content-type");
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe(WEB_ORIGIN);
    expect(preflight.headers["access-control-allow-headers"]).toBe("Authorization,Content-Type");
    const foreign = await request(app).options("/api/whoami").set("Origin", "http://evil.example").set("Access-Control-Request-Method", "GET");
    expect(foreign.headers["access-control-allow-origin"]).toBeUndefined();
    const simple = await request(app).get("/livez").set("Origin", "http://evil.example");
    expect(simple.headers["access-control-allow-origin"]).toBeUndefined();
  });

  test("/livez answers without a database", async () => {
    const res = await request(app).get("/livez");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "pass" });
  });

  test("no benchmark routes; wrapMiddleware is given each of the app's middleware once, in order, and sees every request that reaches it", async () => {
    expect((await request(app).get("/bench/baseline")).status).toBe(404);
    expect((await request(app).get("/bench/stats")).status).toBe(404);
    const wrapped: string[] = [];
    const calls: Record<string, number> = {};
    const observed = createApp(runtime.deps, {
      wrapMiddleware: (name, handler) => {
        wrapped.push(name);
        return (req, res, next) => {
          calls[name] = (calls[name] ?? 0) + 1;
          handler(req, res, next);
        };
      },
    });
    expect(wrapped).toEqual(["request id + log", "helmet", "cors", "requireAuth"]);
    expect(wrapped).toEqual([...MIDDLEWARE]);
    await request(observed).get("/livez").expect(200);
    await request(observed)
      .get("/api/whoami")
      .set("Authorization", `Bearer ${tokenFor("user-a")}`)
      .expect(200);
    // /livez never reaches requireAuth; the wrapped app answers as the plain one does.
    expect(calls).toEqual({ "request id + log": 2, helmet: 2, cors: 2, requireAuth: 1 });
  });
});

describe("logs", () => {
  test("reasons are logged at debug, tokens and Authorization values never", () => {
    const all = logs.lines.join("\n");
    expect(logs.lines.length).toBeGreaterThan(20);
    expect(all).toContain('"reason":"jwt audience invalid');
    expect(all).toContain('"reason":"more than one Authorization header"');
    for (const sent of sentTokens) {
      const token = sent.replace(/^\S+\s*/, "");
      if (token.length >= 16) expect(all).not.toContain(token.slice(0, 40));
    }
    expect(all).not.toContain(VECTOR_SECRET);
  });
});
