/**
 * make test-compose: the real Compose stack, built and started as `make up` does, on a throw-away
 * project (its own name, env file, free ports and volumes), then removed with its volumes.
 * scripts/compose.sh smoke runs this only where a Docker engine and Compose v2 run.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@authbridge/testing/pg";
import { EXPECTED, type ProbeAnswer, type Role, fixtureStatements, privilegeTable } from "@authbridge/testing/privileges";
import { envExample, envExampleText, repoRoot } from "./support";

const project = `authbridge-smoke-${process.pid}`;
const dir = mkdtempSync(path.join(tmpdir(), "authbridge-smoke-"));
const envFile = path.join(dir, ".env");
const childEnv = { ...process.env, AUTHBRIDGE_ENV_FILE: envFile, COMPOSE_PROJECT_NAME: project };
let web = "";
let api = "";
let healthzTimeoutMs = 0;
const passwords = {
  POSTGRES_PASSWORD: randomBytes(16).toString("hex"),
  API_DATABASE_PASSWORD: randomBytes(16).toString("hex"),
  WEB_DATABASE_PASSWORD: randomBytes(16).toString("hex"),
};
const roleNames: Record<Role, string> = { owner: "authbridge", api: "authbridge_api", web: "authbridge_web" };
const rolePasswords: Record<Role, string> = {
  owner: passwords.POSTGRES_PASSWORD,
  api: passwords.API_DATABASE_PASSWORD,
  web: passwords.WEB_DATABASE_PASSWORD,
};

function compose(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync("docker", ["compose", "--env-file", envFile, ...args], { cwd: repoRoot, env: childEnv, encoding: "utf8" });
}

/** psql inside the db container, over TCP with TLS and a password, as `user`: how a service connects. */
function psql(user: string, password: string, script: string): SpawnSyncReturns<string> {
  const target = `host=127.0.0.1 port=5432 dbname=authbridge user=${user} sslmode=require`;
  const args = ["exec", "-T", "-e", `PGPASSWORD=${password}`, "db", "psql", target, "-qAt", "-v", "ON_ERROR_STOP=1"];
  return spawnSync("docker", ["compose", "--env-file", envFile, ...args], { cwd: repoRoot, env: childEnv, encoding: "utf8", input: script });
}

const psqlAs = (role: Role, script: string) => psql(roleNames[role], rolePasswords[role], script);

function psqlProbe(role: Role, statements: string[]): ProbeAnswer {
  const run = psqlAs(role, ["\\set VERBOSITY verbose", "BEGIN;", ...statements.map((st) => `${st};`), "ROLLBACK;"].join("\n"));
  const failed = /ERROR:\s+([0-9A-Z]{5}):\s*(.*)/.exec(run.stderr);
  if (failed) return { code: failed[1] ?? "", message: failed[2] ?? "" };
  if (run.status !== 0) throw new Error(`psql as ${role} exited ${run.status}: ${run.stderr}`);
  const lines = run.stdout.trim().split("\n");
  return { n: Number(lines.at(-1)) };
}

function composeScript(command: string): SpawnSyncReturns<string> {
  const result = spawnSync("bash", [path.join(repoRoot, "scripts/compose.sh"), command], {
    cwd: repoRoot,
    env: childEnv,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result;
}

beforeAll(async () => {
  const [webPort, apiPort] = await Promise.all([freePort(), freePort()]);
  const password = passwords.POSTGRES_PASSWORD;
  web = `http://localhost:${webPort}`;
  api = `http://localhost:${apiPort}`;
  const lines: Record<string, string> = {
    BETTER_AUTH_SECRET: `"${randomBytes(48).toString("base64")}"`,
    ...passwords,
    WEB_PORT: String(webPort),
    API_PORT: String(apiPort),
    BETTER_AUTH_URL: web,
    API_URL: api,
    // What native processes would use; the containers get COMPOSE_DATABASE_URL instead.
    DATABASE_URL: `"postgresql://authbridge:${password}@127.0.0.1:5433/authbridge?sslmode=require"`,
    COMPOSE_PROFILES: "localdb",
  };
  healthzTimeoutMs = Number(envExample(lines).HEALTHZ_TIMEOUT_MS);
  writeFileSync(envFile, envExampleText(lines), { mode: 0o600 });

  const up = composeScript("up");
  expect(up.status).toBe(0);
  expect(up.stdout).toContain(`web:        ${web}`);
  expect(up.stdout).toContain(`api health: ${api}/healthz`);
}, 30 * 60_000);

afterAll(() => {
  composeScript("down-v");
  rmSync(dir, { recursive: true, force: true });
}, 5 * 60_000);

test("sign up through the web's auth endpoint, fetch a token, and the api serves that user", async () => {
  const email = `smoke-${Date.now()}@example.test`;
  const signUp = await fetch(`${web}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: web },
    body: JSON.stringify({ name: "Smoke Test", email, password: "correct horse battery staple" }),
  });
  expect(signUp.status).toBe(200);
  const cookie = signUp.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const tokenResponse = await fetch(`${web}/api/auth/token`, { headers: { cookie } });
  expect(tokenResponse.status).toBe(200);
  const { token } = (await tokenResponse.json()) as { token: string };
  const me = await fetch(`${api}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  expect(me.status).toBe(200);
  expect(((await me.json()) as { email: string }).email).toBe(email);
});

test("the image's web (production) limits sign-ins per connection: a fresh X-Forwarded-For each time does not escape", async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const answer = await fetch(`${web}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: web, "x-forwarded-for": `198.51.100.${10 + i}` },
      body: JSON.stringify({ email: "nobody@example.test", password: `wrong-${i}-password` }),
    });
    statuses.push(answer.status);
  }
  expect(statuses).toEqual([401, 401, 401, 429]);
});

test("the api's and web's containers hold no owner or superuser credential; the migrator's role made theirs", () => {
  for (const name of ["api", "web"]) {
    const env = compose("exec", "-T", name, "env");
    expect(env.status).toBe(0);
    expect(env.stdout).not.toContain(passwords.POSTGRES_PASSWORD);
    expect(env.stdout).not.toMatch(/^(DATABASE_URL|DIRECT_URL|POSTGRES_PASSWORD|COMPOSE_DATABASE_URL)=/m);
  }
  expect(compose("exec", "-T", "api", "env").stdout).not.toContain(passwords.WEB_DATABASE_PASSWORD);
  expect(compose("exec", "-T", "web", "env").stdout).not.toContain(passwords.API_DATABASE_PASSWORD);
  // The image's superuser is not reachable over TCP at all.
  const superuser = psql("postgres", passwords.POSTGRES_PASSWORD, "SELECT 1");
  expect(superuser.status).not.toBe(0);
  expect(superuser.stderr).toMatch(/pg_hba\.conf rejects connection/);
});

test("the privilege probes in the Compose db: each service's credentials refused or empty, the owner's succeed", async () => {
  const fixtures = psqlAs(
    "owner",
    fixtureStatements()
      .map((st) => `${st};`)
      .join("\n"),
  );
  expect(fixtures.stderr).toBe("");
  expect(fixtures.status).toBe(0);
  expect(await privilegeTable((role, statements) => Promise.resolve(psqlProbe(role, statements)))).toEqual(EXPECTED);
}, 120_000);

test("/healthz answers 200, and 503 within its deadline once the db is stopped", async () => {
  expect((await fetch(`${api}/healthz`)).status).toBe(200);
  const stop = spawnSync("docker", ["compose", "--env-file", envFile, "stop", "db"], { cwd: repoRoot, env: childEnv, encoding: "utf8" });
  expect(stop.status).toBe(0);
  const started = Date.now();
  const response = await fetch(`${api}/healthz`);
  expect(response.status).toBe(503);
  expect(Date.now() - started).toBeLessThan(healthzTimeoutMs + 1000);
}, 60_000);
