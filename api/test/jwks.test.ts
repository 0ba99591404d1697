// ACCESS_TOKEN_ALG=EdDSA, the api's side: it verifies with public keys from a JWKS served over real
// HTTP (a stand-in for the web's /api/auth/jwks, whose keys the test controls), holds no secret,
// and refuses the hostile-token matrix. How it fetches: once, then only for a `kid` it has not
// seen, at most once per cooldown; never through a redirect; on from its cached keys while the
// JWKS is away; and the built server listens only once it holds a key.
import { type KeyObject, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import request from "supertest";
import { createApp } from "../src/app";
import { loadConfig } from "../src/config";
import { type Runtime, createRuntime } from "../src/runtime";
import type { Cluster } from "@authbridge/testing/pg";
import { freePort } from "@authbridge/testing/pg";
import { migratedCluster } from "@authbridge/testing/migrator";
import { KIT_KEY, signEdDSA, signToken } from "@authbridge/testing/tokens";
import { programs, startProgram, stopProgram, waitForLine } from "@authbridge/testing/processes";
import { API_ORIGIN, type ErrorBody, WEB_ORIGIN, captureLogger, claimsFor, insertUsers, testConfig } from "./helpers";

type Jwk = Record<string, string>;

/** A JWKS over HTTP whose keys and answers the test sets, counting what it was asked. */
interface JwksServer {
  url: string;
  keys: Jwk[];
  /** Answer every request with this status (no body) instead of the set. */
  failWith?: number;
  /** Answer with a redirect to this URL instead. */
  redirectTo?: string;
  fetches: number;
  close(): Promise<void>;
}

async function startJwksServer(port = 0): Promise<JwksServer> {
  const state: Omit<JwksServer, "url" | "close"> = { keys: [], fetches: 0 };
  const server: Server = createServer((_req, res) => {
    state.fetches++;
    if (state.redirectTo) res.writeHead(302, { location: state.redirectTo }).end();
    else if (state.failWith) res.writeHead(state.failWith).end();
    else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth/jwks`;
  return Object.assign(state, {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

const publicJwk = (key: KeyObject, kid: string): Jwk => ({ ...(createPublicKey(key).export({ format: "jwk" }) as Jwk), kid, alg: "EdDSA" });
const newKey = () => generateKeyPairSync("ed25519").privateKey;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);
const eddsa = (claims: Record<string, unknown>, key: KeyObject = KIT_KEY.privateKey, kid = KIT_KEY.kid) => signEdDSA(claims, key, { kid }).token;

let cluster: Cluster;
let jwks: JwksServer;
let runtime: Runtime;
let app: Express;
const logs = captureLogger();

beforeAll(async () => {
  cluster = await migratedCluster();
  await insertUsers(cluster.url, ["user-a"]);
  jwks = await startJwksServer();
  jwks.keys = [KIT_KEY.publicJwk];
  // No secret at all: BETTER_AUTH_SECRET empty is unset.
  const config = testConfig({
    ACCESS_TOKEN_ALG: "EdDSA",
    JWKS_URL: jwks.url,
    JWKS_COOLDOWN_SECONDS: "1",
    BETTER_AUTH_SECRET: "",
    API_DATABASE_URL: cluster.url,
  });
  expect(config.secrets).toEqual([]);
  runtime = createRuntime(config, logs.logger);
  await runtime.ready();
  app = createApp(runtime.deps);
});
afterAll(async () => {
  await runtime.close();
  await jwks.close();
  await cluster.destroy();
});

const whoami = (token: string) => request(app).get("/api/whoami").set("Authorization", `Bearer ${token}`);

async function expectRefused(token: string, description = "invalid token") {
  const res = await whoami(token);
  expect(res.status).toBe(401);
  expect((res.body as ErrorBody).error).toEqual({ code: "unauthorized", message: description });
}

describe("configuration", () => {
  const base = { BETTER_AUTH_URL: WEB_ORIGIN, API_URL: API_ORIGIN, API_DATABASE_URL: "postgresql://a:b@127.0.0.1:9/db?sslmode=require" };
  test("EdDSA needs no secret and defaults JWKS_URL to the web's /api/auth/jwks; HS256 still needs one", () => {
    expect(loadConfig({ ...base, ACCESS_TOKEN_ALG: "EdDSA" })).toMatchObject({
      accessTokenAlg: "EdDSA",
      secrets: [],
      jwks: { url: `${WEB_ORIGIN}/api/auth/jwks` },
    });
    expect(() => loadConfig(base)).toThrow("api: refusing to start: BETTER_AUTH_SECRET is missing");
  });
  test.each([
    ["ACCESS_TOKEN_ALG", "RS256", "ACCESS_TOKEN_ALG must be one of HS256, EdDSA"],
    ["ACCESS_TOKEN_ALG", "eddsa", "ACCESS_TOKEN_ALG must be one of HS256, EdDSA"],
    ["JWKS_URL", "ftp://web/jwks", "JWKS_URL must be an absolute http(s) URL"],
    ["JWKS_COOLDOWN_SECONDS", "0", "JWKS_COOLDOWN_SECONDS must be an integer from 1 to 300"],
  ])("%s=%s is refused, naming the variable", (name, value, message) => {
    expect(() => loadConfig({ ...base, ACCESS_TOKEN_ALG: "EdDSA", [name]: value })).toThrow(message);
  });
});

describe("the hostile-token matrix in EdDSA mode: all 401, beside the same token made right (200)", () => {
  test("a token signed with the published key passes", async () => {
    const res = await whoami(eddsa(claimsFor("user-a")));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: "user-a" });
  });

  test("signed with another key under the published key's kid", async () => {
    await expectRefused(eddsa(claimsFor("user-a"), newKey()));
  });

  test("HS256 signed with the public key's bytes (raw, its JWK, its PEM), the kid naming that key", async () => {
    const publicKey = createPublicKey(KIT_KEY.privateKey);
    const keys = [
      Buffer.from(KIT_KEY.publicJwk.x, "base64url"),
      JSON.stringify(KIT_KEY.publicJwk),
      publicKey.export({ format: "pem", type: "spki" }).toString(),
      publicKey.export({ format: "der", type: "spki" }),
    ];
    for (const key of keys) await expectRefused(signToken(claimsFor("user-a"), key, { kid: KIT_KEY.kid }).token);
  });

  test('alg "none", with no signature and with a borrowed one', async () => {
    const none = `${b64({ alg: "none", kid: KIT_KEY.kid })}.${b64(claimsFor("user-a"))}`;
    await expectRefused(`${none}.`, "malformed token");
    await expectRefused(`${none}.${eddsa(claimsFor("user-a")).split(".")[2]}`);
  });

  test("an alg other than EdDSA over a valid Ed25519 signature (Ed25519, ES256, HS256 named)", async () => {
    const [, payload, signature] = eddsa(claimsFor("user-a")).split(".");
    for (const alg of ["Ed25519", "ES256", "HS256", "eddsa"]) await expectRefused(`${b64({ alg, kid: KIT_KEY.kid })}.${payload}.${signature}`);
  });

  test("an unknown kid, no kid, a kid that is not a string", async () => {
    await expectRefused(eddsa(claimsFor("user-a"), KIT_KEY.privateKey, "no-such-key"));
    await expectRefused(signEdDSA(claimsFor("user-a"), KIT_KEY.privateKey, { kid: null }).token);
    await expectRefused(signEdDSA(claimsFor("user-a"), KIT_KEY.privateKey, { kid: 7 }).token);
  });

  test("expired; expired within the tolerance passes", async () => {
    await expectRefused(eddsa(claimsFor("user-a", { iat: now() - 1000, exp: now() - 60 })), "token expired");
    expect((await whoami(eddsa(claimsFor("user-a", { exp: now() - 2 })))).status).toBe(200);
  });

  test("nbf in the future, iat in the future, a lifetime beyond JWT_TTL_SECONDS", async () => {
    await expectRefused(eddsa(claimsFor("user-a", { nbf: now() + 60 })), "token not yet valid");
    await expectRefused(eddsa(claimsFor("user-a", { iat: now() + 60 })));
    await expectRefused(eddsa(claimsFor("user-a", { iat: now(), exp: now() + 906 })));
  });

  test.each([
    ["the wrong iss", { iss: "http://evil.example" }],
    ["the wrong aud", { aud: WEB_ORIGIN }],
    ["aud as a list", { aud: [API_ORIGIN] }],
    ["missing sid", { sid: undefined }],
    ["missing sub", { sub: undefined }],
    ["missing exp", { exp: undefined }],
    ["missing iss", { iss: undefined }],
    ["exp a string", { exp: String(now() + 60) }],
  ])("%s", async (_label, extra) => {
    await expectRefused(eddsa(claimsFor("user-a", extra)));
  });

  test("a tampered payload and a crit header", async () => {
    const [header, , signature] = eddsa(claimsFor("user-a")).split(".");
    await expectRefused(`${header}.${b64(claimsFor("user-b"))}.${signature}`);
    await expectRefused(signEdDSA(claimsFor("user-a"), KIT_KEY.privateKey, { crit: ["exp"] }).token);
  });
});

describe("fetching the JWKS", () => {
  test("a new key verifies on its first token: its unknown kid fetches the set once", async () => {
    const key = newKey();
    jwks.keys = [KIT_KEY.publicJwk, publicJwk(key, "rotated-1")];
    const before = jwks.fetches;
    expect((await whoami(eddsa(claimsFor("user-a"), key, "rotated-1"))).status).toBe(200);
    expect(jwks.fetches).toBe(before + 1);
    // Known now: no more fetches for it.
    expect((await whoami(eddsa(claimsFor("user-a", { iat: now() - 1 }), key, "rotated-1"))).status).toBe(200);
    expect(jwks.fetches).toBe(before + 1);
  });

  test("a flood of random kids costs at most one fetch per cooldown (1 s here), and every one is refused", async () => {
    const before = jwks.fetches;
    const started = Date.now();
    const statuses: number[] = [];
    for (let round = 0; round < 5; round++) {
      const flood = Array.from({ length: 40 }, () => whoami(eddsa(claimsFor("user-a"), KIT_KEY.privateKey, randomBytes(12).toString("hex"))));
      statuses.push(...(await Promise.all(flood)).map((res) => res.status));
    }
    const seconds = (Date.now() - started) / 1000;
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(statuses).toHaveLength(200);
    // One at the start, then one per elapsed cooldown at most.
    expect(jwks.fetches - before).toBeGreaterThanOrEqual(1);
    expect(jwks.fetches - before).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
  });

  test("a JWKS that suddenly lists no key (or only foreign ones) never empties the keys held", async () => {
    const held = jwks.keys;
    try {
      jwks.keys = [{ kty: "RSA", n: "AQAB", e: "AQAB", kid: "rsa-1" }];
      await expectRefused(eddsa(claimsFor("user-a"), newKey(), "rsa-1"));
      expect((await whoami(eddsa(claimsFor("user-a")))).status).toBe(200);
    } finally {
      jwks.keys = held;
    }
  });

  test("while the JWKS answers 503 or is a redirect elsewhere, known keys still verify and a key only the other place has does not", async () => {
    const elsewhere = await startJwksServer();
    const stranger = newKey();
    elsewhere.keys = [publicJwk(stranger, "elsewhere-1")];
    try {
      jwks.failWith = 503;
      expect((await whoami(eddsa(claimsFor("user-a")))).status).toBe(200);
      await expectRefused(eddsa(claimsFor("user-a"), stranger, "elsewhere-1"));
      jwks.failWith = undefined;
      jwks.redirectTo = elsewhere.url;
      const fetchesBefore = jwks.fetches;
      // Within the cooldown the request waits for the next fetch allowed, which meets the redirect.
      await expectRefused(eddsa(claimsFor("user-a"), stranger, "elsewhere-1"));
      expect(logs.lines.some((line) => line.includes("jwks fetch failing"))).toBe(true);
      expect(jwks.fetches).toBeGreaterThan(fetchesBefore);
      expect(elsewhere.fetches).toBe(0);
      expect((await whoami(eddsa(claimsFor("user-a")))).status).toBe(200);
    } finally {
      jwks.redirectTo = undefined;
      await elsewhere.close();
    }
  });
});

describe("the built api in EdDSA mode", () => {
  test("listens only once the JWKS gave it a key, and never logs a secret it does not have", async () => {
    const port = await freePort();
    const jwksPort = await freePort();
    const api = startProgram("api", programs.api, {
      env: {
        ACCESS_TOKEN_ALG: "EdDSA",
        BETTER_AUTH_URL: WEB_ORIGIN,
        API_URL: API_ORIGIN,
        API_DATABASE_URL: cluster.url,
        API_PORT: String(port),
        API_WORKERS: "1",
        JWKS_URL: `http://127.0.0.1:${jwksPort}/api/auth/jwks`,
        JWKS_COOLDOWN_SECONDS: "1",
      },
    });
    let late: JwksServer | undefined;
    try {
      // The event: the api tried and failed; it must not be listening.
      await waitForLine(api, /jwks fetch failing/);
      await expect(fetch(`http://127.0.0.1:${port}/livez`)).rejects.toThrow();
      late = await startJwksServer(jwksPort);
      late.keys = [KIT_KEY.publicJwk];
      const line = await waitForLine(api, /"api listening"/, 15_000);
      expect(JSON.parse(line)).toMatchObject({ accessTokenAlg: "EdDSA", jwks: { keys: 1 } });
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const me = await fetch(`http://127.0.0.1:${port}/api/whoami`, { headers: { authorization: `Bearer ${eddsa(claimsFor("user-a"))}` } });
      expect(me.status).toBe(200);
    } finally {
      await stopProgram(api);
      await late?.close();
    }
  });
});
