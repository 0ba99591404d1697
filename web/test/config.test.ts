// A bad environment stops the web before it listens, however it is started (the image's CMD,
// `npm run start`, `npm run dev`): exit code non-zero, one line naming the variable, never its
// value, and the port never opened. Next opens its port before instrumentation.ts runs, so this
// is the process entry's job (src/server.ts), done before it listens.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, repoRoot } from "@authbridge/testing/pg";
import { type Program, assertBuilt, programs, startCommand, stopProgram, waitForUrl } from "@authbridge/testing/processes";

const DB_PASSWORD = "db-password-that-must-not-leak";
const GOOD = {
  BETTER_AUTH_SECRET: "a-secret-that-is-long-enough-0123456789abcdef",
  BETTER_AUTH_URL: "http://127.0.0.1:3999",
  API_URL: "http://127.0.0.1:8999",
  WEB_DATABASE_URL: `postgresql://authbridge:${DB_PASSWORD}@127.0.0.1:1/authbridge?sslmode=require`,
};
const ROTATED = "a-rotated-secret-long-enough-9876543210zyxw";
type Env = Record<string, string>;

const web = path.join(repoRoot, "web");
let dir: string;

beforeAll(() => {
  assertBuilt(programs.web);
  dir = mkdtempSync(path.join(tmpdir(), "authbridge-web-config-"));
  // The image holds only the standalone folder, away from the repository's node_modules.
  cpSync(path.dirname(path.dirname(programs.web)), path.join(dir, "app"), { recursive: true });
  // serve.sh reads the .env of the repository it sits in: a stand-in repository whose .env the test writes.
  mkdirSync(path.join(dir, "repo", "scripts"), { recursive: true });
  mkdirSync(path.join(dir, "repo", "web"));
  for (const file of ["node_modules", "tsconfig.base.json", "scripts/load-env.sh"]) {
    symlinkSync(path.join(repoRoot, file), path.join(dir, "repo", file));
  }
  for (const file of ["scripts", "src", ".next", "tsconfig.json", "tsconfig.server.json"]) {
    symlinkSync(path.join(web, file), path.join(dir, "repo", "web", file));
  }
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The image's CMD (the root Dockerfile's `web` stage), run in a copy of what the image holds. */
function image(env: Env, port: number): Program {
  const stage =
    readFileSync(path.join(repoRoot, "Dockerfile"), "utf8")
      .split(/^(?=FROM )/m)
      .find((s) => s.slice(0, s.indexOf("\n") + 1).includes(" AS web\n")) ?? "";
  const cmd = stage.split("\n").find((l) => l.startsWith("CMD ")) ?? "";
  const [command = "", ...args] = JSON.parse(cmd.slice(4)) as string[];
  return startCommand("web", command, args, {
    cwd: path.join(dir, "app", "web"),
    env: { NODE_ENV: "production", ...env, WEB_PORT: String(port), HOSTNAME: "127.0.0.1" },
  });
}

/** web/scripts/serve.sh (npm run start|dev -w web), fed by a .env file as in the repository. */
function serve(mode: "start" | "dev") {
  return (env: Env, port: number): Program => {
    const lines = Object.entries({ ...env, WEB_PORT: String(port) }).map(([name, value]) => `${name}="${value}"`);
    writeFileSync(path.join(dir, "repo", ".env"), `${lines.join("\n")}\n`, { mode: 0o600 });
    return startCommand("web", "bash", [path.join(dir, "repo", "web", "scripts", "serve.sh"), mode], { cwd: dir, env: { NODE_ENV: "production" } });
  };
}

/** Tries to connect to the port until stopped; says whether anything ever accepted. */
function watchPort(port: number): () => Promise<boolean> {
  let watching = true;
  let opened = false;
  const attempt = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: "127.0.0.1" });
      socket.once("connect", () => resolve(true));
      socket.once("error", () => resolve(false));
      socket.once("close", () => resolve(false));
      socket.setTimeout(1000, () => socket.destroy());
    });
  const loop = (async () => {
    while (watching) {
      if (await attempt()) opened = true;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return async () => {
    watching = false;
    await loop;
    return opened;
  };
}

const ways = [
  { way: "the image's CMD", start: image, serves: true },
  { way: "npm run start -w web (serve.sh start)", start: serve("start"), serves: true },
  { way: "npm run dev -w web (serve.sh dev)", start: serve("dev"), serves: false },
];

const refusals: [string, string, Env, string][] = [
  ["missing", "BETTER_AUTH_SECRET", { ...GOOD, BETTER_AUTH_SECRET: "" }, "BETTER_AUTH_SECRET is missing"],
  ["too short", "BETTER_AUTH_SECRET", { ...GOOD, BETTER_AUTH_SECRET: "short-secret-must-not-leak" }, "BETTER_AUTH_SECRET must be at least 32"],
  [
    "malformed",
    "BETTER_AUTH_SECRETS",
    { ...GOOD, BETTER_AUTH_SECRET: "", BETTER_AUTH_SECRETS: `2:${ROTATED},${GOOD.BETTER_AUTH_SECRET}` },
    "BETTER_AUTH_SECRETS entry 2 is not <version>:<secret>",
  ],
  [
    "with a duplicate version",
    "BETTER_AUTH_SECRETS",
    { ...GOOD, BETTER_AUTH_SECRET: "", BETTER_AUTH_SECRETS: `1:${ROTATED},1:${GOOD.BETTER_AUTH_SECRET}` },
    "BETTER_AUTH_SECRETS lists version 1 twice",
  ],
  [
    "with a short secret",
    "BETTER_AUTH_SECRETS",
    { ...GOOD, BETTER_AUTH_SECRET: "", BETTER_AUTH_SECRETS: `2:${ROTATED},1:short-secret-must-not-leak` },
    "BETTER_AUTH_SECRETS version 1 must be at least 32",
  ],
  [
    "without TLS",
    "WEB_DATABASE_URL",
    { ...GOOD, WEB_DATABASE_URL: GOOD.WEB_DATABASE_URL.replace("require", "disable") },
    "WEB_DATABASE_URL must carry sslmode=",
  ],
  [
    "over plain http on a host that is not loopback",
    "BETTER_AUTH_URL",
    { ...GOOD, BETTER_AUTH_URL: "http://app-must-not-leak.example.test" },
    "BETTER_AUTH_URL must be an https URL in production",
  ],
  ["not a URL", "API_URL", { ...GOOD, API_URL: "api:8000-must-not-leak" }, "API_URL must be an absolute http(s) URL"],
  [
    "not addresses",
    "TRUSTED_PROXIES",
    { ...GOOD, TRUSTED_PROXIES: "10.0.0.1,proxy-must-not-leak" },
    "TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR ranges",
  ],
];

describe.each(ways)("$way", ({ start, serves }) => {
  test.each(refusals)("%s %s: exits non-zero with one line naming it, and never listens", async (_case, name, env, message) => {
    const port = await freePort();
    const stopWatching = watchPort(port);
    const server = start(env, port);
    const killer = setTimeout(() => server.process.kill("SIGKILL"), 60_000);
    const { code } = await server.exited;
    clearTimeout(killer);
    expect(await stopWatching()).toBe(false);
    const all = server.output();
    expect(code).not.toBe(0);
    const lines = server.lines.filter((line) => line.includes("refusing to start"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
    expect(all).not.toContain("keyFingerprint");
    if (env[name]) expect(all).not.toContain(env[name]);
    expect(all).not.toContain(DB_PASSWORD);
  });

  if (serves) {
    test("a valid environment starts, logs its start-up line and answers", async () => {
      const port = await freePort();
      const server = start(GOOD, port);
      try {
        await waitForUrl(server, `http://127.0.0.1:${port}/sign-in`);
        expect(server.lines.filter((line) => line.includes('"keyFingerprint"'))).toHaveLength(1);
        expect(server.output()).not.toContain("refusing to start");
      } finally {
        await stopProgram(server);
      }
    });
  }
});
