// The design the api replaced, as a second verifier: examples/fastapi (FastAPI + PyJWT, Debian's
// packages) started against the same .env as the real built web and api. Every case of the api's
// rejection matrix (api/test/auth.test.ts), built from a token the real web handed out, gets the
// same answer from both: status, WWW-Authenticate and body. Revocation aside: the api also knows
// whether the token's session still exists, the verifier cannot (the last test shows the difference).
import { type SigningKey, contractKey, signToken } from "@authbridge/testing/tokens";
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { request as httpRequest } from "node:http";
import path from "node:path";
import { freePort, repoRoot } from "@authbridge/testing/pg";
import { PASSWORD, decodePart, fetchToken, newEmail, authPost, signUp } from "@authbridge/testing/auth";
import { startCommand, stopProgram, waitForUrl } from "@authbridge/testing/processes";
import { type Service, type Stack, startStack } from "@authbridge/testing/stack";

const exampleDir = path.join(repoRoot, "examples", "fastapi");
const MODULES = "import fastapi, jwt, cryptography, uvicorn";

/** Debian's python3 (its python3-* packages live there), else whatever python3 is on PATH. */
function findPython(): string | null {
  for (const candidate of ["/usr/bin/python3", "python3"]) {
    try {
      execFileSync(candidate, ["--version"], { stdio: "ignore" });
      return candidate;
    } catch {
      // try the next one
    }
  }
  return null;
}

const python = findPython();
if (!python)
  console.log(
    "skipped: no python3 on this machine, so the FastAPI verifier cannot run (apt-get install python3-fastapi python3-jwt python3-cryptography python3-uvicorn)",
  );
const describeWithPython = python ? describe : describe.skip;

interface Answer {
  status: number;
  challenge: string | undefined;
  body: unknown;
}

/** GET with node:http, which (unlike fetch) can send a header twice. */
function get(baseUrl: string, urlPath: string, authorization?: string | string[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}${urlPath}`, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        const challenge = res.headers["www-authenticate"];
        resolve({ status: res.statusCode ?? 0, challenge, body: JSON.parse(text) as unknown });
      });
    });
    // An array is sent as one header line per value.
    if (authorization !== undefined) req.setHeader("authorization", authorization);
    req.on("error", reject);
    req.end();
  });
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** The kit's signer; `kid` names the secret's version (null: none). */
const hs256 = (claims: object, key: SigningKey, kid: string | null = "1") => signToken(claims, key, { kid }).token;
function signWith(alg: "HS512" | "RS256", claims: object, key: Buffer | import("node:crypto").KeyObject): string {
  if (alg === "HS512") return signToken(claims, key, { alg, kid: null }).token;
  const input = `${b64({ alg, typ: "JWT" })}.${b64(claims)}`;
  return `${input}.${sign("sha256", Buffer.from(input), key).toString("base64url")}`;
}

describeWithPython("the FastAPI verifier agrees with the api (tokens from the real built web)", () => {
  let stack: Stack;
  let verifier: Service;
  let user: { id: string; token: string };
  let claims: Record<string, unknown>;

  beforeAll(async () => {
    try {
      execFileSync(python ?? "python3", ["-c", MODULES], { stdio: "pipe" });
    } catch {
      throw new Error(
        `${python} lacks fastapi/jwt/cryptography/uvicorn: apt-get install python3-fastapi python3-jwt python3-cryptography python3-uvicorn`,
      );
    }
    stack = await startStack();
    const signed = await signUp(stack.web.url, { name: "Py Check", email: newEmail("fastapi"), password: PASSWORD }, { clientIp: "10.0.0.7" });
    const id = signed.body?.user?.id ?? "";
    user = { id, token: await fetchToken(stack.web.url, signed.cookie ?? "", { clientIp: "10.0.0.7" }) };
    claims = decodePart(user.token, 1);
    const port = await freePort();
    // The same three settings the api verifies with (the clock tolerance is 5 s on both by default).
    const env = { BETTER_AUTH_SECRET: stack.secret, BETTER_AUTH_URL: stack.web.url, API_URL: stack.api.url, PYTHONDONTWRITEBYTECODE: "1" };
    verifier = {
      ...startCommand(
        "verifier",
        python ?? "python3",
        ["-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", String(port), "--log-level", "warning"],
        {
          cwd: exampleDir,
          env: { NODE_ENV: "production", ...env },
        },
      ),
      url: `http://127.0.0.1:${port}`,
    };
    await waitForUrl(verifier, `${verifier.url}/openapi.json`);
  }, 180_000);

  afterAll(async () => {
    await stopProgram(verifier);
    await stack?.stop();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const key = () => contractKey(stack.secret);
  const forge = (extra: Record<string, unknown>) => hs256({ ...claims, ...extra }, key());
  const without = (name: string) => {
    const { [name]: _left, ...rest } = claims;
    return hs256(rest, key());
  };

  async function expectSameAnswer(urlPath: string, authorization: string | string[] | undefined, status: number) {
    const [api, python] = await Promise.all([get(stack.api.url, urlPath, authorization), get(verifier.url, urlPath, authorization)]);
    expect(api.status).toBe(status);
    expect(python).toEqual(api);
  }

  const bearer = (token: string) => `Bearer ${token}`;
  type Case = [string, () => string | string[] | undefined];

  test("the web's token is HS256 with the contract's claims", () => {
    expect(decodePart(user.token, 0)).toEqual({ alg: "HS256", typ: "JWT", kid: "1" });
    expect(claims.sub).toBe(user.id);
    expect(typeof claims.sid).toBe("string");
  });

  test.each<Case>([
    ["the web's token", () => bearer(user.token)],
    ["the scheme in lower case", () => `bearer ${user.token}`],
    ["the scheme in upper case", () => `BEARER ${user.token}`],
    ["expired within the clock tolerance", () => bearer(forge({ exp: now() - 2 }))],
    ["no kid while one secret version is configured", () => bearer(hs256(claims, key(), null))],
    ["a lifetime of exactly JWT_TTL_SECONDS plus the tolerance", () => bearer(forge({ iat: now(), exp: now() + 905 }))],
  ])("accepts %s", async (_label, authorization) => {
    await expectSameAnswer("/api/whoami", authorization(), 200);
    await expectSameAnswer(`/api/${encodeURIComponent(user.id)}/tasks`, authorization(), 200);
  });

  test("the ownership rule: 403 on another user's path, 401 first when there is no token", async () => {
    await expectSameAnswer("/api/someone-else/tasks", bearer(user.token), 403);
    await expectSameAnswer("/api/someone-else/tasks", undefined, 401);
    await expectSameAnswer("/api/someone-else/tasks", "Bearer garbage", 401);
  });

  test.each<Case>([
    ["no Authorization header", () => undefined],
    ["Basic", () => "Basic dXNlcjpwYXNz"],
    ["Token scheme", () => `Token ${user.token}`],
    ["Bearer_ glued", () => `Bearer_${user.token}`],
    ["JWT scheme", () => `JWT ${user.token}`],
    ["an empty token", () => "Bearer"],
    ["only spaces", () => "Bearer    "],
    ["one word", () => bearer("garbage")],
    ["two parts", () => bearer("a.b")],
    ["three parts, not JSON", () => bearer("a.b.c")],
    ["dots only", () => bearer("....")],
    ["characters outside base64url", () => bearer("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.%%%")],
    ["four parts", () => bearer(`${user.token}.x`)],
    ["another secret's key", () => bearer(hs256(claims, contractKey("some-other-secret-of-at-least-32-characters!")))],
    ["the raw BETTER_AUTH_SECRET", () => bearer(hs256(claims, stack.secret))],
    ['alg "none", no signature', () => bearer(`${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`)],
    ['alg "none", borrowed signature', () => bearer(`${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.${user.token.split(".")[2]}`)],
    ["HS512 with the right key", () => bearer(signWith("HS512", claims, key()))],
    ["RS256", () => bearer(signWith("RS256", claims, generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey))],
    ["a tampered payload", () => bearer(`${user.token.split(".")[0]}.${b64({ ...claims, sub: "someone-else" })}.${user.token.split(".")[2]}`)],
    ["a kid naming no configured version", () => bearer(hs256(claims, key(), "2"))],
    ["a kid that is not a string", () => bearer(`${b64({ alg: "HS256", typ: "JWT", kid: 1 })}.${b64(claims)}.x`)],
    ["a tampered header", () => bearer(`${b64({ alg: "HS256", typ: "JWT", kid: "x" })}.${user.token.split(".")[1]}.${user.token.split(".")[2]}`)],
    ["expired", () => bearer(forge({ iat: now() - 1000, exp: now() - 60 }))],
    ["nbf in the future", () => bearer(forge({ nbf: now() + 60 }))],
    ["iat in the future", () => bearer(forge({ iat: now() + 60 }))],
    ["iat a string", () => bearer(forge({ iat: String(now()) }))],
    ["iat null", () => bearer(forge({ iat: null }))],
    ["iat a boolean", () => bearer(forge({ iat: true }))],
    ["a lifetime (exp - iat) beyond JWT_TTL_SECONDS plus the tolerance", () => bearer(forge({ iat: now() - 10, exp: now() + 896 }))],
    ["no iat and exp beyond JWT_TTL_SECONDS from now", () => bearer(forge({ iat: undefined, exp: now() + 1000 }))],
    ["a crit header", () => bearer(signToken(claims, key(), { crit: ["exp"] }).token)],
    ["an empty crit header", () => bearer(signToken(claims, key(), { crit: [] }).token)],
    ["without sub", () => bearer(without("sub"))],
    ["without exp", () => bearer(without("exp"))],
    ["without iss", () => bearer(without("iss"))],
    ["without aud", () => bearer(without("aud"))],
    ["without sid", () => bearer(without("sid"))],
    ["sid a number", () => bearer(forge({ sid: 42 }))],
    ["sid empty", () => bearer(forge({ sid: "" }))],
    ["sid of 256 characters", () => bearer(forge({ sid: "s".repeat(256) }))],
    ["sid with a newline", () => bearer(forge({ sid: "sess\nion" }))],
    ["the wrong iss", () => bearer(forge({ iss: "http://evil.example" }))],
    ["the wrong aud", () => bearer(forge({ aud: stack.web.url }))],
    ["aud as a list that includes the api", () => bearer(forge({ aud: [stack.api.url] }))],
    ["exp as a string", () => bearer(forge({ exp: String(now() + 600) }))],
    ["sub a number", () => bearer(forge({ sub: 42 }))],
    ["sub an object", () => bearer(forge({ sub: { id: user.id } }))],
    ["sub an array", () => bearer(forge({ sub: [user.id] }))],
    ["sub empty", () => bearer(forge({ sub: "" }))],
    ["sub null", () => bearer(forge({ sub: null }))],
    ["sub a boolean", () => bearer(forge({ sub: true }))],
    ["sub of 256 characters", () => bearer(forge({ sub: "x".repeat(256) }))],
    ["sub with NUL", () => bearer(forge({ sub: "user\u0000a" }))],
    ["sub with a newline", () => bearer(forge({ sub: "user\na" }))],
    [
      "a Better Auth email-verification-shaped token (raw secret)",
      () => bearer(hs256({ email: "a@example.test", userId: user.id, iat: now(), exp: now() + 3600 }, stack.secret)),
    ],
    [
      "a Better Auth email-verification-shaped token (our key)",
      () => bearer(hs256({ email: "a@example.test", userId: user.id, iat: now(), exp: now() + 3600 }, key())),
    ],
    ["two Authorization headers, both valid", () => [bearer(user.token), bearer(user.token)]],
    ["an oversized token with a valid signature", () => bearer(forge({ pad: "x".repeat(4000) }))],
  ])("rejects %s", async (_label, authorization) => {
    await expectSameAnswer("/api/whoami", authorization(), 401);
  });

  test("revocation aside: after sign-out the api refuses the session's token, the verifier cannot know", async () => {
    const signed = await signUp(stack.web.url, { name: "Signs Out", email: newEmail("fastapi-out"), password: PASSWORD }, { clientIp: "10.0.0.8" });
    const cookie = signed.cookie ?? "";
    const token = await fetchToken(stack.web.url, cookie, { clientIp: "10.0.0.8" });
    await expectSameAnswer("/api/whoami", bearer(token), 200);
    expect((await authPost(stack.web.url, "/sign-out", {}, { clientIp: "10.0.0.8", cookie })).status).toBe(200);
    // The api learns of the ended session from PostgreSQL: wait for that event, not for a time.
    const until = Date.now() + 30_000;
    let api = await get(stack.api.url, "/api/whoami", bearer(token));
    while (api.status === 200 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      api = await get(stack.api.url, "/api/whoami", bearer(token));
    }
    expect(api.status).toBe(401);
    expect(api.challenge).toContain('error_description="session ended"');
    expect((await get(verifier.url, "/api/whoami", bearer(token))).status).toBe(200);
  });
});
