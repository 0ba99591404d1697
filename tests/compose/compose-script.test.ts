/**
 * scripts/compose.sh against a stand-in `docker` on PATH that reports chosen versions and records
 * how it was called: the one-line refusals, the start_interval file only on Engine 25+ (API 1.44),
 * and Compose's own conventions (COMPOSE_FILE, docker-compose.override.yml, COMPOSE_PROFILES).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { durationMs, envExampleText, loadCompose, repoRoot } from "./support";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "authbridge-compose-script-"));
  writeFileSync(path.join(dir, ".env"), envExampleText({ POSTGRES_PASSWORD: "p" }), { mode: 0o600 });
  writeFileSync(
    path.join(dir, "docker"),
    [
      "#!/bin/sh",
      'case "$*" in',
      '  "compose version --short") echo "$FAKE_COMPOSE" ;;',
      '  "version --format {{.Server.APIVersion}}") [ -n "$FAKE_API" ] && echo "$FAKE_API" || exit 1 ;;',
      '  "version --format {{.Server.Version}}") echo "$FAKE_ENGINE" ;;',
      '  *) echo "COMPOSE_FILE=$COMPOSE_FILE COMPOSE_PROFILES=$COMPOSE_PROFILES docker $*" >>"$CALLS" ;;',
      "esac",
      "",
    ].join("\n"),
  );
  chmodSync(path.join(dir, "docker"), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function up(versions: { compose: string; api: string; engine: string }, env: Record<string, string> = {}) {
  const calls = path.join(dir, `calls-${Math.random()}`);
  writeFileSync(calls, "");
  const run = spawnSync("bash", [path.join(repoRoot, "scripts/compose.sh"), "up"], {
    encoding: "utf8",
    env: {
      PATH: `${dir}:${process.env.PATH ?? ""}`,
      AUTHBRIDGE_ENV_FILE: path.join(dir, ".env"),
      FAKE_COMPOSE: versions.compose,
      FAKE_API: versions.api,
      FAKE_ENGINE: versions.engine,
      CALLS: calls,
      ...env,
    },
  });
  return { ...run, calls: readFileSync(calls, "utf8") };
}

const fastStart = path.join(repoRoot, "docker-compose.start-interval.yml");
const base = path.join(repoRoot, "docker-compose.yml");
const override = path.join(repoRoot, "docker-compose.override.yml");
const engine25 = { engine: "25.0.0", api: "1.44", compose: "2.24.5" };

/** The COMPOSE_FILE and COMPOSE_PROFILES that `docker compose ... up` ran with. */
function upCallOf(calls: string): { files: string[]; profiles: string; line: string } {
  const line = calls.split("\n").find((call) => call.endsWith(" up -d --build --wait")) ?? "";
  const match = /^COMPOSE_FILE=(\S*) COMPOSE_PROFILES=(\S*) docker /.exec(line);
  return { files: match?.[1] ? match[1].split(":") : [], profiles: match?.[2] ?? "", line };
}

test.each([
  { engine: "20.10.24+dfsg1", api: "1.41", compose: "2.26.1-4", withStartInterval: false },
  { engine: "24.0.7", api: "1.43", compose: "2.24.6", withStartInterval: false },
  { engine: "25.0.0", api: "1.44", compose: "2.24.5", withStartInterval: true },
  { engine: "28.2.2", api: "1.50", compose: "v2.36.2", withStartInterval: true },
])("Engine $engine (API $api), Compose $compose: up --wait, start_interval file: $withStartInterval", (versions) => {
  const run = up(versions);
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const { files, line } = upCallOf(run.calls);
  expect(line).not.toContain(" -f ");
  const userOverride = existsSync(override) ? [override] : [];
  expect(files).toEqual([base, ...(versions.withStartInterval ? [fastStart] : []), ...userOverride]);
});

describe("ACCESS_TOKEN_ALG=EdDSA (docker-compose.eddsa.yml: the api without the secret, the web first)", () => {
  const eddsa = path.join(repoRoot, "docker-compose.eddsa.yml");
  test("the EdDSA file follows docker-compose.yml (after the start-interval file where the engine takes it)", () => {
    const userOverride = existsSync(override) ? [override] : [];
    const run = up(engine25, { ACCESS_TOKEN_ALG: "EdDSA" });
    expect(run.status).toBe(0);
    expect(upCallOf(run.calls).files).toEqual([base, fastStart, eddsa, ...userOverride]);
    expect(upCallOf(up({ engine: "20.10.24", api: "1.41", compose: "2.26.1" }, { ACCESS_TOKEN_ALG: "EdDSA" }).calls).files).toEqual([
      base,
      eddsa,
      ...userOverride,
    ]);
    expect(upCallOf(up(engine25).calls).files).not.toContain(eddsa);
  });

  test("a Compose without !reset (before 2.24.4) is refused in EdDSA mode, with the version it needs", () => {
    const run = up({ engine: "25.0.0", api: "1.44", compose: "2.24.3" }, { ACCESS_TOKEN_ALG: "EdDSA" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("ACCESS_TOKEN_ALG=EdDSA needs Docker Compose 2.24.4 or newer");
    expect(run.calls).not.toContain(" up -d");
  });
});

describe("Compose's conventions, as plain `docker compose up` honours them", () => {
  // Only made here when the developer has none of their own; theirs is never touched.
  const madeOverride = !existsSync(override);
  beforeAll(() => {
    if (madeOverride) writeFileSync(override, "services: {}\n");
  });
  afterAll(() => {
    if (madeOverride) rmSync(override, { force: true });
  });

  test("docker-compose.override.yml beside the file is used, after the start-interval file (the override has the last word)", () => {
    expect(upCallOf(up(engine25).calls).files).toEqual([base, fastStart, override]);
    expect(upCallOf(up({ engine: "20.10.24", api: "1.41", compose: "2.26.1" }).calls).files).toEqual([base, override]);
  });

  test("COMPOSE_FILE from the caller names the files; start_interval follows docker-compose.yml where the engine takes it", () => {
    const mine = path.join(dir, "mine.yml");
    const run = up(engine25, { COMPOSE_FILE: `docker-compose.yml:${mine}` });
    expect(run.status).toBe(0);
    expect(upCallOf(run.calls).files).toEqual(["docker-compose.yml", fastStart, mine]);
    expect(upCallOf(up(engine25, { COMPOSE_FILE: mine }).calls).files).toEqual([mine]);
  });

  test("COMPOSE_PROFILES from the caller wins over the env file's", () => {
    expect(upCallOf(up(engine25).calls).profiles).toBe("localdb");
    const run = up(engine25, { COMPOSE_PROFILES: "", COMPOSE_DATABASE_URL: "" });
    expect(run.status).toBe(0);
    expect(upCallOf(run.calls).profiles).toBe("");
  });
});

test.each([
  {
    engine: "19.03.15",
    api: "1.40",
    compose: "2.26.1",
    message: "compose: Docker Engine 19.03.15 (API 1.40) is too old (Engine 20.10 or newer is needed).",
  },
  { engine: "25.0.0", api: "1.44", compose: "2.19.1", message: "compose: Docker Compose 2.19.1 is too old (2.20 or newer is needed)." },
  {
    engine: "",
    api: "",
    compose: "2.26.1",
    message: "compose: the Docker engine is not reachable (is the daemon running, and may this user use it?).",
  },
])("$message", (versions) => {
  const run = up(versions);
  expect(run.status).toBe(1);
  expect(run.stderr.split("\n")[0]).toBe(versions.message);
  expect(run.calls).toBe("");
});

test("docker-compose.yml has no start_interval (Compose refuses it below Engine 25); the extra file adds only that", () => {
  const base = loadCompose();
  for (const service of Object.values(base.services)) expect(service.healthcheck?.start_interval).toBeUndefined();
  const extra = loadCompose(readFileSync(fastStart, "utf8"));
  expect(Object.keys(extra.services).sort()).toEqual(["api", "db", "web"]);
  for (const [name, service] of Object.entries(extra.services)) {
    expect(Object.keys(service)).toEqual(["healthcheck"]);
    expect(Object.keys(service.healthcheck ?? {})).toEqual(["start_interval"]);
    expect(durationMs(service.healthcheck?.start_interval ?? "")).toBeLessThan(durationMs(base.services[name]?.healthcheck?.interval ?? ""));
  }
});
