// A real web + api pair for the tests: a throw-away TLS PostgreSQL, the real migrator, then the
// built api (api/dist/server.js) and the built standalone web server, both started from ONE .env
// file, the way `make dev` starts them from the root .env.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Cluster, freePort, migrate, repoRoot, startCluster } from "../../../testing/pg";

export const webServer = path.join(repoRoot, "web", ".next", "standalone", "web", "server.js");
export const apiServer = path.join(repoRoot, "api", "dist", "server.js");

export interface Service {
  url: string;
  /** Every line the process wrote so far (stdout and stderr). */
  output: string[];
  process: ChildProcess;
}

export interface Stack {
  secret: string;
  envFile: string;
  databaseUrl: string;
  ttlSeconds: number;
  web: Service;
  api: Service;
  /** Stops PostgreSQL (data kept) while web and api keep running. */
  pauseDatabase(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts one built server with only PATH, NODE_ENV and the given variables (plus --env-file). */
export function startProcess(script: string, env: Record<string, string>, envFile?: string): Service & { exited: Promise<number | null> } {
  const args = [...(envFile ? [`--env-file=${envFile}`] : []), script];
  return startCommand(process.execPath, args, path.dirname(script), env);
}

/** Runs a command with only PATH, NODE_ENV and the given variables; collects its output by line. */
export function startCommand(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Service & { exited: Promise<number | null> } {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      output.push(...lines);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { url: "", output, process: child, exited };
}

export async function waitFor(url: string, service: Service, deadlineMs = 30_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (service.process.exitCode !== null) throw new Error(`${url} exited early:\n${service.output.join("\n")}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${deadlineMs} ms:\n${service.output.join("\n")}`);
}

export async function stopProcess(service: Service | undefined): Promise<void> {
  if (service?.process.exitCode !== null || service.process.signalCode !== null) return;
  const exited = new Promise((resolve) => service.process.once("exit", resolve));
  service.process.kill("SIGTERM");
  const timer = setTimeout(() => service.process.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/** A missing build is a broken setup, not a reason to skip: make test builds before it tests. */
export function assertBuilt(...files: string[]): void {
  for (const file of files) {
    if (!existsSync(file))
      throw new Error(`${path.relative(repoRoot, file)} is missing: build first (make test does, or npm run build -w <workspace>)`);
  }
}

export async function startStack(options: { ttlSeconds?: number } = {}): Promise<Stack> {
  const ttlSeconds = options.ttlSeconds ?? 900;
  const dir = mkdtempSync(path.join(tmpdir(), "authbridge-web-test-"));
  let cluster: Cluster | undefined;
  let web: Service | undefined;
  let api: Service | undefined;
  const stop = async () => {
    await Promise.all([stopProcess(web), stopProcess(api)]);
    await cluster?.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    assertBuilt(webServer, apiServer, path.join(repoRoot, "migrator", "dist", "main.js"));
    cluster = await startCluster();
    await migrate(cluster.url);
    const [webPort, apiPort] = [await freePort(), await freePort()];
    const secret = randomBytes(48).toString("base64");
    const webUrl = `http://127.0.0.1:${webPort}`;
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const envFile = path.join(dir, ".env");
    writeFileSync(
      envFile,
      [
        `BETTER_AUTH_SECRET=${secret}`,
        `BETTER_AUTH_URL=${webUrl}`,
        `API_URL=${apiUrl}`,
        `WEB_PORT=${webPort}`,
        `API_PORT=${apiPort}`,
        `DATABASE_URL="${cluster.url}"`,
        `JWT_TTL_SECONDS=${ttlSeconds}`,
        // The tests stand in for a reverse proxy on loopback: their X-Forwarded-For names the client.
        "TRUSTED_PROXIES=127.0.0.1",
        "LOG_LEVEL=info",
        "API_WORKERS=1",
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    // The standalone server takes its port from PORT; everything else comes from the file.
    api = { ...startProcess(apiServer, {}, envFile), url: apiUrl };
    web = { ...startProcess(webServer, { PORT: String(webPort), HOSTNAME: "127.0.0.1" }, envFile), url: webUrl };
    await Promise.all([waitFor(`${apiUrl}/livez`, api), waitFor(`${webUrl}/api/health`, web)]);
    const pauseDatabase = cluster.pause;
    return { secret, envFile, databaseUrl: cluster.url, ttlSeconds, web, api, pauseDatabase, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
