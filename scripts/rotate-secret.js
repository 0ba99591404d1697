#!/usr/bin/env node
// Rotates the shared secret in .env in two steps (docs/ROTATION.md):
//   start   puts a fresh version in front of BETTER_AUTH_SECRETS and keeps the old one, so the
//           api accepts both while the web moves to the new one;
//           with LEAKED=1 it keeps nothing old: every token and session cookie of the old secret
//           dies at the next restart;
//   finish  drops every version but the current one, once the longest token lifetime plus the
//           clock tolerance has passed since start (FORCE=1 skips the wait).
// Values never reach the terminal. AUTHBRIDGE_ENV_FILE names another file (tests, other stacks).
const { randomBytes } = require("node:crypto");
const { readFileSync, renameSync, writeFileSync } = require("node:fs");
const path = require("node:path");

const envFile = process.env.AUTHBRIDGE_ENV_FILE || path.join(__dirname, "..", ".env");
const STAMP = /^# rotate-secret: version (\d+) added at (\d+)\b.*$/;

function fail(message) {
  process.stderr.write(`rotate-secret: ${message}\n`);
  process.exit(1);
}

/** The value of NAME in .env lines (quotes removed), or "" when absent or empty. */
function valueOf(lines, name) {
  const line = lines.find((l) => l.startsWith(`${name}=`));
  if (!line) return "";
  return line
    .slice(name.length + 1)
    .trim()
    .replace(/^"(.*)"$/, "$1")
    .replace(/^'(.*)'$/, "$1");
}

/** Sets NAME (quoted) in place, or appends it; returns the new lines. */
function withValue(lines, name, value) {
  const line = value === "" ? `${name}=` : `${name}="${value}"`;
  const index = lines.findIndex((l) => l.startsWith(`${name}=`));
  if (index === -1) return [...lines, line];
  return lines.map((l, i) => (i === index ? line : l));
}

/** The configured versions, current first: BETTER_AUTH_SECRETS, or a lone BETTER_AUTH_SECRET as version 1. */
function versionsOf(lines) {
  const list = valueOf(lines, "BETTER_AUTH_SECRETS");
  const single = valueOf(lines, "BETTER_AUTH_SECRET");
  if (list && single) fail("both BETTER_AUTH_SECRETS and BETTER_AUTH_SECRET are set in .env: keep BETTER_AUTH_SECRETS only");
  if (!list && !single) fail(`no BETTER_AUTH_SECRET or BETTER_AUTH_SECRETS in ${envFile} (make env creates one)`);
  if (!list) return [{ version: 1, value: single }];
  return list.split(",").map((entry, index) => {
    const colon = entry.indexOf(":");
    const version = Number(entry.slice(0, Math.max(colon, 0)).trim());
    const value = entry.slice(colon + 1).trim();
    if (colon === -1 || !Number.isInteger(version) || version < 0 || !value) fail(`BETTER_AUTH_SECRETS entry ${index + 1} is not <version>:<secret>`);
    return { version, value };
  });
}

const format = (versions) => versions.map(({ version, value }) => `${version}:${value}`).join(",");
const seconds = (lines, name, fallback) => Number(valueOf(lines, name) || fallback);

function write(lines) {
  const temporary = `${envFile}.rotating`;
  writeFileSync(temporary, `${lines.join("\n")}\n`, { mode: 0o600 });
  renameSync(temporary, envFile);
}

function start(lines) {
  const versions = versionsOf(lines);
  const leaked = process.env.LEAKED === "1";
  if (versions.length > 1 && !leaked) {
    fail(`a rotation is under way (versions ${versions.map((v) => v.version).join(", ")}): run make rotate-secret-finish first`);
  }
  const version = Math.max(...versions.map((v) => v.version)) + 1;
  const fresh = { version, value: randomBytes(48).toString("base64") };
  const kept = leaked ? [] : versions;
  const now = new Date();
  let next = withValue(withValue(lines, "BETTER_AUTH_SECRET", ""), "BETTER_AUTH_SECRETS", format([fresh, ...kept]));
  next = next.filter((l) => !STAMP.test(l));
  const at = next.findIndex((l) => l.startsWith("BETTER_AUTH_SECRETS="));
  next.splice(at, 0, `# rotate-secret: version ${version} added at ${Math.floor(now.getTime() / 1000)} (${now.toISOString()})`);
  write(next);
  const old = versions.map((v) => v.version).join(", ");
  if (leaked) {
    process.stdout.write(
      [
        `wrote BETTER_AUTH_SECRETS with version ${version} ONLY: version ${old} is gone (leak).`,
        "Restart api and web now, in any order (make up, or restart both processes).",
        `From then on every token (kid ${old}) and every session cookie signed with the leaked secret is refused:`,
        "everyone signs in again. Revoke the sessions too (docs/ROTATION.md) so none of them can come back.",
        "",
      ].join("\n"),
    );
    return;
  }
  const wait = seconds(lines, "JWT_TTL_SECONDS", 900) + seconds(lines, "JWT_CLOCK_TOLERANCE_SECONDS", 5);
  process.stdout.write(
    [
      `wrote BETTER_AUTH_SECRETS: version ${version} (new, signs) in front of version ${old} (still verifies).`,
      "Restart in this order:",
      `  1. api: it then accepts tokens of version ${version} and ${old}`,
      `  2. web: it then signs with version ${version} and re-signs session cookies of version ${old}`,
      "  Compose: make up (recreates api, waits until it is healthy, then recreates web).",
      `Then, ${wait} s after the web restarted (JWT_TTL_SECONDS + JWT_CLOCK_TOLERANCE_SECONDS): make rotate-secret-finish`,
      "",
    ].join("\n"),
  );
}

function finish(lines) {
  const versions = versionsOf(lines);
  const [current, ...older] = versions;
  if (older.length === 0) {
    process.stdout.write(`only version ${current.version} is configured: nothing to finish\n`);
    return;
  }
  const stamp = lines.map((l) => STAMP.exec(l)).find(Boolean);
  const wait = seconds(lines, "JWT_TTL_SECONDS", 900) + seconds(lines, "JWT_CLOCK_TOLERANCE_SECONDS", 5);
  const since = stamp && Number(stamp[1]) === current.version ? Math.floor(Date.now() / 1000) - Number(stamp[2]) : 0;
  if (since < wait && process.env.FORCE !== "1") {
    fail(
      `version ${current.version} was added ${since} s ago; tokens of version ${older.map((v) => v.version).join(", ")} may be in use ` +
        `for ${wait - since} s more (JWT_TTL_SECONDS + JWT_CLOCK_TOLERANCE_SECONDS, counted from the edit: wait as long after the web restart). ` +
        "FORCE=1 drops them now and refuses those tokens.",
    );
  }
  write(
    withValue(
      lines.filter((l) => !STAMP.test(l)),
      "BETTER_AUTH_SECRETS",
      format([current]),
    ),
  );
  process.stdout.write(
    [
      `wrote BETTER_AUTH_SECRETS with version ${current.version} only (dropped ${older.map((v) => v.version).join(", ")}).`,
      "Restart api, then web (make up does). Tokens of the dropped versions are refused from then on,",
      "and a session cookie that no request brought back since the web restart is no longer accepted.",
      "",
    ].join("\n"),
  );
}

const step = process.argv[2];
let text;
try {
  text = readFileSync(envFile, "utf8");
} catch {
  fail(`${envFile} does not exist (make env creates it)`);
}
const lines = text.replace(/\n$/, "").split("\n");
if (step === "start") start(lines);
else if (step === "finish") finish(lines);
else fail("usage: rotate-secret.js start|finish");
