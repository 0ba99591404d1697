// make rotate-secret / rotate-secret-finish (scripts/rotate-secret.js) on a throw-away .env.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoRoot } from "@authbridge/testing/pg";

const OLD = "an-old-secret-that-is-long-enough-0123456789";
const script = path.join(repoRoot, "scripts", "rotate-secret.js");

let dir: string;
let envFile: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "authbridge-rotate-"));
  envFile = path.join(dir, ".env");
  const example = readFileSync(path.join(repoRoot, ".env.example"), "utf8");
  writeFileSync(
    envFile,
    example.replace(/^BETTER_AUTH_SECRET=.*$/m, `BETTER_AUTH_SECRET="${OLD}"`).replace(/^JWT_TTL_SECONDS=.*$/m, "JWT_TTL_SECONDS=60"),
    {
      mode: 0o600,
    },
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function rotate(step: "start" | "finish", env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [script, step], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", AUTHBRIDGE_ENV_FILE: envFile, ...env },
  });
  return { code: result.status, out: result.stdout + result.stderr };
}

function variables(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(envFile, "utf8").split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m?.[1]) vars[m[1]] = (m[2] ?? "").replace(/^"(.*)"$/, "$1");
  }
  return vars;
}

const versions = () => (variables().BETTER_AUTH_SECRETS ?? "").split(",").map((entry) => entry.slice(0, entry.indexOf(":")));
const secretOf = (version: string) =>
  (variables().BETTER_AUTH_SECRETS ?? "")
    .split(",")
    .find((e) => e.startsWith(`${version}:`))
    ?.slice(version.length + 1);

test("start puts a fresh version 2 in front of the lone secret (version 1), prints the restart order, never a value", () => {
  const before = variables();
  const { code, out } = rotate("start");
  expect(code).toBe(0);
  const after = variables();
  expect(after.BETTER_AUTH_SECRET).toBe("");
  expect(versions()).toEqual(["2", "1"]);
  expect(secretOf("1")).toBe(OLD);
  expect(Buffer.from(secretOf("2") ?? "", "base64")).toHaveLength(48);
  expect(out).toMatch(/1\. api[\s\S]*2\. web/);
  expect(out).toContain("65 s after the web restarted");
  expect(out).not.toContain(OLD);
  expect(out).not.toContain(secretOf("2"));
  // Nothing else changed, and the file stays private.
  const { BETTER_AUTH_SECRET: _a, BETTER_AUTH_SECRETS: _b, ...rest } = after;
  const { BETTER_AUTH_SECRET: _c, BETTER_AUTH_SECRETS: _d, ...restBefore } = before;
  expect(rest).toEqual(restBefore);
  expect(statSync(envFile).mode & 0o777).toBe(0o600);
});

test("a second start while two versions are listed is refused", () => {
  rotate("start");
  const listed = variables().BETTER_AUTH_SECRETS;
  const { code, out } = rotate("start");
  expect(code).toBe(1);
  expect(out).toContain("a rotation is under way (versions 2, 1)");
  expect(variables().BETTER_AUTH_SECRETS).toBe(listed);
});

test("finish refuses before token lifetime + tolerance have passed, and with FORCE=1 keeps only the current version", () => {
  rotate("start");
  const current = secretOf("2");
  const early = rotate("finish");
  expect(early.code).toBe(1);
  expect(early.out).toMatch(/tokens of version 1 may be in use for \d+ s more/);
  expect(versions()).toEqual(["2", "1"]);
  const forced = rotate("finish", { FORCE: "1" });
  expect(forced.code).toBe(0);
  expect(variables().BETTER_AUTH_SECRETS).toBe(`2:${current}`);
  expect(readFileSync(envFile, "utf8")).not.toContain("# rotate-secret:");
  expect(rotate("finish").out).toContain("nothing to finish");
});

test("finish goes through once the wait is over (the stamp counts from the edit)", () => {
  rotate("start");
  const text = readFileSync(envFile, "utf8").replace(/added at \d+/, `added at ${Math.floor(Date.now() / 1000) - 66}`);
  writeFileSync(envFile, text);
  expect(rotate("finish").code).toBe(0);
  expect(versions()).toEqual(["2"]);
});

test("LEAKED=1 replaces every version at once", () => {
  rotate("start");
  const { code, out } = rotate("start", { LEAKED: "1" });
  expect(code).toBe(0);
  expect(versions()).toEqual(["3"]);
  expect(readFileSync(envFile, "utf8")).not.toContain(OLD);
  expect(out).toContain("version 2, 1 is gone");
});
