#!/usr/bin/env node
// The README's quick start, done as a newcomer does it, on whatever tree this is (CI: a fresh
// clone before anything is built):
//   node scripts/quickstart-check.js dev   `make dev` in the background
//   node scripts/quickstart-check.js up    `make up`, then `make down-v`
// then waits for the api and the web, signs a new user up through the web, fetches an API token
// with the session cookie, calls /api/me with it, and stops everything it started. Exit 0 only
// when each step answered as the README promises; otherwise the failing step and the log's tail.
"use strict";
const { spawn, spawnSync } = require("node:child_process");
const { randomBytes, randomUUID } = require("node:crypto");
const { createWriteStream, existsSync, mkdirSync, readFileSync } = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const mode = process.argv[2];
if (mode !== "dev" && mode !== "up") {
  console.error("usage: node scripts/quickstart-check.js dev|up");
  process.exit(2);
}
// A first `make dev` builds every workspace and `next dev` compiles each page on first use.
const STARTUP_MS = 10 * 60_000;
const STEP_MS = 120_000;

mkdirSync(path.join(root, "test-results"), { recursive: true });
const logFile = path.join(root, "test-results", `quickstart-${mode}.log`);
const log = createWriteStream(logFile);

/** What `make env` wrote, under the caller's environment (the rule every script follows). */
function settings() {
  const file = {};
  for (const line of readFileSync(path.join(root, ".env"), "utf8").split("\n")) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) file[match[1]] = match[2].replace(/^"(.*)"$/, "$1");
  }
  return { ...file, ...process.env };
}

function run(command) {
  const child = spawn("make", [command], { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  child.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
  return child;
}

/** Signals the whole group (make, npm, the api's workers, next); false once none of it is left. */
function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Stops everything the command started and waits until the last of its processes is gone. */
async function stop(child) {
  if (!signalGroup(child, "SIGTERM")) return;
  const killAt = Date.now() + 15_000;
  while (signalGroup(child, 0)) {
    if (Date.now() > killAt) signalGroup(child, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function waitFor(what, url, until, exited) {
  for (;;) {
    if (exited && exited.done) throw new Error(`${what}: the command ended before ${url} answered`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${what}: ${url} did not answer 200 in time`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function expectOk(step, response) {
  const text = await response.text();
  if (!response.ok) throw new Error(`${step}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : {};
}

async function useIt(web, api) {
  const email = `quickstart-${randomUUID()}@example.test`;
  const password = randomBytes(18).toString("base64url");
  const signUp = await fetch(`${web}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: web },
    body: JSON.stringify({ email, password, name: "Quick Start" }),
    signal: AbortSignal.timeout(STEP_MS),
  });
  await expectOk("sign up", signUp);
  const cookie = signUp.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
  if (!/session_token=/.test(cookie)) throw new Error("sign up: no session cookie was set");

  const tokenResponse = await fetch(`${web}/api/auth/token`, { headers: { Cookie: cookie }, signal: AbortSignal.timeout(STEP_MS) });
  const { token } = await expectOk("token", tokenResponse);
  if (typeof token !== "string" || token.split(".").length !== 3) throw new Error("token: the answer holds no JWT");

  const me = await expectOk(
    "api /api/me",
    await fetch(`${api}/api/me`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(STEP_MS) }),
  );
  if (me.email !== email) throw new Error(`api /api/me: answered for ${JSON.stringify(me.email)}, not the new user`);
  return me.id;
}

async function main() {
  const started = Date.now();
  const until = started + STARTUP_MS;
  const child = run(mode);
  const state = { done: false };
  child.exited.then(() => (state.done = true));
  try {
    if (mode === "up") {
      const code = await child.exited;
      if (code !== 0) throw new Error(`make up: exited ${code}`);
    }
    // The command makes .env first (make env) when the clone has none.
    while (!existsSync(path.join(root, ".env"))) {
      if (state.done || Date.now() > until) throw new Error(`make ${mode}: no .env was made`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const env = settings();
    const web = env.BETTER_AUTH_URL;
    const api = env.API_URL;
    await waitFor("api", `${api}/livez`, until, mode === "dev" ? state : null);
    await waitFor("web", `${web}/api/health`, until, mode === "dev" ? state : null);
    const ready = Date.now();
    const userId = await useIt(web, api);
    console.log(
      `quickstart ${mode}: up in ${((ready - started) / 1000).toFixed(0)} s; signed up, got a token, /api/me answered for ${userId} (${((Date.now() - ready) / 1000).toFixed(1)} s)`,
    );
  } finally {
    await stop(child);
    if (mode === "up") spawnSync("make", ["down-v"], { cwd: root, stdio: ["ignore", log, log] });
  }
}

main().then(
  () => log.end(() => process.exit(0)),
  (err) => {
    log.end(() => {
      const tail = readFileSync(logFile, "utf8").split("\n").slice(-40).join("\n");
      console.error(`quickstart ${mode} FAILED: ${err.message}\n--- last lines of ${path.relative(root, logFile)}:\n${tail}`);
      process.exit(1);
    });
  },
);
