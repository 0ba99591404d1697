// The built server as a process (node dist/server.js): refusal to start on a bad environment,
// the start-up line, and a clean SIGTERM. Needs `npm run build` first (make test builds).
import { assertBuilt, programs, startProgram, waitForLine } from "@authbridge/testing/processes";
import { type Cluster, freePort, startCluster } from "@authbridge/testing/pg";
import { hangingListener, withPort } from "@authbridge/testing/faults";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import path from "node:path";
import { VECTOR_FINGERPRINT, VECTOR_SECRET } from "./helpers";

const start = (env: Record<string, string>) => startProgram("api", programs.api, { env });

const ROTATED = "authbridge-test-rotated-secret-9876543210-zyxwvu";

const GOOD = {
  BETTER_AUTH_SECRET: VECTOR_SECRET,
  BETTER_AUTH_URL: "http://localhost:3000",
  API_URL: "http://localhost:8000",
  API_DATABASE_URL: "postgresql://authbridge:db-password-value@127.0.0.1:9/authbridge?sslmode=require",
  API_WORKERS: "1",
};

beforeAll(() => assertBuilt(programs.api));

describe("refuses to start, with one line naming the variable and never its value", () => {
  test.each([
    ["BETTER_AUTH_SECRET missing", { BETTER_AUTH_SECRET: undefined }, "BETTER_AUTH_SECRET is missing", undefined],
    ["BETTER_AUTH_SECRET empty", { BETTER_AUTH_SECRET: "" }, "BETTER_AUTH_SECRET is missing", undefined],
    [
      "BETTER_AUTH_SECRET too short",
      { BETTER_AUTH_SECRET: "short-secret-value-31-chars-xxx" },
      "BETTER_AUTH_SECRET must be at least 32 characters",
      "short-secret-value",
    ],
    [
      "BETTER_AUTH_SECRETS malformed",
      { BETTER_AUTH_SECRET: undefined, BETTER_AUTH_SECRETS: `2:${ROTATED},${VECTOR_SECRET}` },
      "BETTER_AUTH_SECRETS entry 2 is not <version>:<secret>",
      "authbridge-test",
    ],
    [
      "BETTER_AUTH_SECRETS version not a number",
      { BETTER_AUTH_SECRET: undefined, BETTER_AUTH_SECRETS: `v2:${ROTATED}` },
      "BETTER_AUTH_SECRETS entry 1 is not <version>:<secret>",
      "authbridge-test",
    ],
    [
      "BETTER_AUTH_SECRETS duplicate versions",
      { BETTER_AUTH_SECRET: undefined, BETTER_AUTH_SECRETS: `2:${ROTATED},2:${VECTOR_SECRET}` },
      "BETTER_AUTH_SECRETS lists version 2 twice",
      "authbridge-test",
    ],
    [
      "BETTER_AUTH_SECRETS short secret",
      { BETTER_AUTH_SECRET: undefined, BETTER_AUTH_SECRETS: `2:${ROTATED},1:short-secret-value-31-chars-xxx` },
      "BETTER_AUTH_SECRETS version 1 must be at least 32 characters",
      "short-secret-value",
    ],
    [
      "BETTER_AUTH_SECRETS with BETTER_AUTH_SECRET",
      { BETTER_AUTH_SECRETS: `2:${ROTATED}` },
      "BETTER_AUTH_SECRETS and BETTER_AUTH_SECRET are both set",
      "authbridge-test",
    ],
    [
      "API_DATABASE_URL without TLS",
      { API_DATABASE_URL: "postgresql://authbridge:db-password-value@db/authbridge?sslmode=disable" },
      "API_DATABASE_URL must carry sslmode=",
      "db-password-value",
    ],
    [
      "API_DATABASE_URL without sslmode",
      { API_DATABASE_URL: "postgresql://authbridge:db-password-value@db/authbridge" },
      "API_DATABASE_URL must carry sslmode=",
      "db-password-value",
    ],
    ["API_DATABASE_URL not a URL", { API_DATABASE_URL: "db-password-value" }, "API_DATABASE_URL must be a postgresql:// URL", "db-password-value"],
    ["API_URL not a URL", { API_URL: "not a url" }, "API_URL must be an absolute http(s) URL", "not a url"],
    [
      "API_DIRECT_URL without TLS",
      { API_DIRECT_URL: "postgresql://authbridge:db-password-value@db/authbridge" },
      "API_DIRECT_URL must carry sslmode=",
      "db-password-value",
    ],
    ["API_WORKERS zero", { API_WORKERS: "0" }, "API_WORKERS must be an integer from 1 to 64", undefined],
    ["API_WORKERS not a number", { API_WORKERS: "two" }, "API_WORKERS must be an integer from 1 to 64", undefined],
    ["API_WORKERS above DB_POOL_MAX", { API_WORKERS: "5", DB_POOL_MAX: "4" }, "API_WORKERS must not exceed DB_POOL_MAX", undefined],
    [
      "API_OPERATOR_PORT equal to API_PORT",
      { API_PORT: "8000", API_OPERATOR_PORT: "8000" },
      "API_OPERATOR_PORT must differ from API_PORT",
      undefined,
    ],
  ])("%s", async (_label, change, message, secretPart) => {
    const env = Object.fromEntries(Object.entries({ ...GOOD, ...change }).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const proc = start(env);
    const { code } = await proc.exited;
    const [stdout, stderr] = [proc.stdout(), proc.stderr()];
    expect(code).toBe(1);
    expect(stdout).toBe("");
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^api: refusing to start: /);
    expect(lines[0]).toContain(message);
    if (secretPart) expect(stderr).not.toContain(secretPart);
    expect(stderr).not.toContain(VECTOR_SECRET);
  });
});

describe("runs", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  test("one start-up line (port, key fingerprint, host kind, no secrets), /healthz 200, SIGTERM exits 0", async () => {
    const port = await freePort();
    const proc = start({ ...GOOD, API_DATABASE_URL: cluster.url, API_PORT: String(port) });
    try {
      await waitForLine(proc, /api listening/, 10_000);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(200);
      proc.process.kill("SIGTERM");
      const exit = await proc.exited;
      expect(exit.code).toBe(0);
      const startup = proc.lines.find((l) => l.includes("api listening")) ?? "";
      expect(JSON.parse(startup)).toMatchObject({
        port,
        keyFingerprint: VECTOR_FINGERPRINT,
        keyFingerprints: { "1": VECTOR_FINGERPRINT },
        database: "local",
      });
      // docs/API-SERVICE.md shows this line: the same fields, pino's own aside.
      const page = readFileSync(path.join(__dirname, "..", "..", "docs", "API-SERVICE.md"), "utf8");
      const documented = /`(\{[^`]*"msg":"api listening"[^`]*\})`/.exec(page)?.[1] ?? "{}";
      const { level: _level, time: _time, service: _service, pid: _pid, ...fields } = JSON.parse(startup) as Record<string, unknown>;
      expect(Object.keys(JSON.parse(documented) as object).sort()).toEqual(Object.keys(fields).sort());
      const password = new URL(cluster.url).password;
      expect(proc.output()).not.toContain(VECTOR_SECRET);
      expect(proc.output()).not.toContain(password);
      expect(proc.stderr()).toBe("");
    } finally {
      proc.process.kill("SIGKILL");
    }
  });

  test("API_OPERATOR_PORT: /healthz with its detail on loopback only; the public port says status and check names", async () => {
    const [port, operatorPort] = [await freePort(), await freePort()];
    const proc = start({ ...GOOD, API_DATABASE_URL: cluster.url, API_PORT: String(port), API_OPERATOR_PORT: String(operatorPort) });
    try {
      await waitForLine(proc, /api listening/, 10_000);
      const publicText = await (await fetch(`http://127.0.0.1:${port}/healthz`)).text();
      expect(Object.keys(JSON.parse(publicText) as object)).toEqual(["status", "checks"]);
      expect(publicText).not.toMatch(/TLSv|cachedSessions/);
      const detail = await (await fetch(`http://127.0.0.1:${operatorPort}/healthz`)).text();
      expect(detail).toMatch(/TLSv1\.[23]/);
      expect(detail).toContain("cachedSessions");
      // Another address of this machine reaches the public port, never the operator's.
      const external = Object.values(networkInterfaces())
        .flat()
        .find((address) => address?.family === "IPv4" && !address.internal)?.address;
      if (!external) console.log("skipped the non-loopback probe: this machine has no IPv4 address besides loopback");
      else {
        expect((await fetch(`http://${external}:${port}/livez`)).status).toBe(200);
        await expect(fetch(`http://${external}:${operatorPort}/livez`)).rejects.toThrow();
      }
    } finally {
      proc.process.kill("SIGKILL");
    }
  });

  test("a client that never finishes its headers (slowloris) gets 408 and is dropped after the 10 s headers timeout", async () => {
    const port = await freePort();
    const proc = start({ ...GOOD, API_DATABASE_URL: cluster.url, API_PORT: String(port) });
    try {
      await waitForLine(proc, /api listening/, 10_000);
      const started = Date.now();
      const socket = connect(port, "127.0.0.1");
      socket.write("GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      let answer = "";
      socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
      await new Promise<void>((resolve) => socket.on("close", () => resolve()));
      const ms = Date.now() - started;
      console.log(`slowloris: dropped after ${ms} ms`);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      // Node's default would hold the socket 60 s; 10 s plus its once-a-second check, with slack.
      expect(ms).toBeGreaterThanOrEqual(9_000);
      expect(ms).toBeLessThan(14_000);
    } finally {
      proc.process.kill("SIGKILL");
    }
  });

  test("SIGTERM lets an in-flight request finish, then exits 0", async () => {
    const hang = await hangingListener();
    const port = await freePort();
    const proc = start({ ...GOOD, API_DATABASE_URL: withPort(cluster.url, hang.port), API_PORT: String(port), HEALTHZ_TIMEOUT_MS: "1500" });
    try {
      await waitForLine(proc, /api listening/, 10_000);
      const started = Date.now();
      const inFlight = fetch(`http://127.0.0.1:${port}/healthz`);
      await new Promise((r) => setTimeout(r, 200));
      proc.process.kill("SIGTERM");
      const res = await inFlight;
      expect(res.status).toBe(503);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      const exit = await proc.exited;
      expect(exit.code).toBe(0);
      // Even with a connection attempt to the hung database still pending.
      expect(Date.now() - started).toBeLessThan(10_000);
      await expect(fetch(`http://127.0.0.1:${port}/livez`)).rejects.toThrow();
    } finally {
      proc.process.kill("SIGKILL");
      await hang.close();
    }
  });
});
