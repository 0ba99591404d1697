// A real web + api pair for the tests: a throw-away TLS PostgreSQL, the real migrator, then the
// built api (api/dist/server.js) and the built standalone web server, both started from ONE .env
// file, the way `make dev` starts them from the root .env.
import { type Program, assertBuilt, programs, startProgram, stopProgram, waitForUrl } from "@authbridge/testing/processes";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Cluster, freePort, migrate, startCluster } from "../../../testing/pg";

/** A started program and the URL it answers on. */
export type Service = Program & { url: string };

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

/** A built server as production starts it (NODE_ENV=production), with its variables from `envFile`. */
export function startServer(name: string, script: string, url: string, env: Record<string, string>, envFile: string): Service {
  return { ...startProgram(name, script, { env: { NODE_ENV: "production", ...env }, nodeArgs: [`--env-file=${envFile}`] }), url };
}

export async function startStack(options: { ttlSeconds?: number } = {}): Promise<Stack> {
  const ttlSeconds = options.ttlSeconds ?? 900;
  const dir = mkdtempSync(path.join(tmpdir(), "authbridge-web-test-"));
  let cluster: Cluster | undefined;
  let web: Service | undefined;
  let api: Service | undefined;
  const stop = async () => {
    await Promise.all([stopProgram(web), stopProgram(api)]);
    await cluster?.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    assertBuilt(programs.web, programs.api, programs.migrator);
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
    api = startServer("api", programs.api, apiUrl, {}, envFile);
    web = startServer("web", programs.web, webUrl, { PORT: String(webPort), HOSTNAME: "127.0.0.1" }, envFile);
    await Promise.all([waitForUrl(api, `${apiUrl}/livez`), waitForUrl(web, `${webUrl}/api/health`)]);
    const pauseDatabase = cluster.pause;
    return { secret, envFile, databaseUrl: cluster.url, ttlSeconds, web, api, pauseDatabase, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
