// A real stack for a test: a throw-away TLS PostgreSQL migrated by the real migrator, then the
// built api(s) and the built standalone web(s), on free loopback ports, all started from ONE .env
// file the way `make dev` starts them from the root .env (a process's own variables win over it).
// As there, the migrator connects as the database's owner and creates the services' roles; the
// api and the web connect as their own (API_DATABASE_URL, WEB_DATABASE_URL).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { contractKey, type Parties } from "./tokens";
import { migrate } from "./migrator";
import { type Cluster, freePort, startCluster } from "./pg";
import { type Program, assertBuilt, programs, startProgram, stopProgram, waitForUrl } from "./processes";
import { type ServiceUrls, roleEnv, serviceUrls } from "./roles";
import { announceSecret } from "./secrets";

/** A started program and the URL it answers on. */
export type Service = Program & { url: string };

export interface StackOptions {
  /** Web processes (0: an api-only stack). Default 1. */
  webs?: number;
  /** Api processes. Default 1. */
  apis?: number;
  /** Lines of the .env over the defaults (`LOG_LEVEL`, `JWT_TTL_SECONDS`, ...). */
  env?: Record<string, string>;
  /** Keep every process's output in this folder as well (for a log audit). */
  logDir?: string;
}

export interface Stack extends Parties {
  cluster: Cluster;
  /** The owner's URL (the migrator's DATABASE_URL): what tests use to look behind the services. */
  databaseUrl: string;
  /** The api's and the web's own roles on the same database. */
  serviceUrls: ServiceUrls;
  secret: string;
  envFile: string;
  /** BETTER_AUTH_URL: the first web's URL, the one address a load balancer would have. */
  webUrl: string;
  /** API_URL: the first api's URL, the audience every api accepts. */
  apiUrl: string;
  /** The api's JWT_CLOCK_TOLERANCE_SECONDS. */
  clockToleranceSeconds: number;
  /** The web's JWT_TTL_SECONDS. */
  ttlSeconds: number;
  webs: Service[];
  apis: Service[];
  /** The first web (throws on an api-only stack). */
  readonly web: Service;
  /** The first api. */
  readonly api: Service;
  /** One more api on a port of its own, its own variables over the .env; resolves once it answers. */
  startApi(env?: Record<string, string>): Promise<Service>;
  /** One more web, the same way. */
  startWeb(env?: Record<string, string>): Promise<Service>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const { webs: webCount = 1, apis: apiCount = 1, logDir } = options;
  assertBuilt(programs.api, programs.migrator, ...(webCount > 0 ? [programs.web] : []));
  const dir = mkdtempSync(path.join(tmpdir(), "authbridge-stack-"));
  const services: Service[] = [];
  let cluster: Cluster | undefined;
  const stop = async () => {
    await Promise.all(services.map((service) => stopProgram(service)));
    await cluster?.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    cluster = await startCluster();
    const roles = serviceUrls(cluster.url);
    await migrate(cluster.url, { logDir, env: roleEnv(roles) });
    // The suites act as the operator through the owner's URL: they end the services' connections
    // (Neon's suspend, a failover) and watch what they wait on, which the owner may not do to
    // another role's sessions unless granted.
    await cluster.superuser(`GRANT pg_signal_backend, pg_read_all_stats TO ${new URL(cluster.url).username}`);

    const webPorts = await Promise.all(Array.from({ length: webCount }, () => freePort()));
    const apiPorts = await Promise.all(Array.from({ length: apiCount }, () => freePort()));
    const webUrl = `http://127.0.0.1:${webPorts[0] ?? (await freePort())}`;
    const apiUrl = `http://127.0.0.1:${apiPorts[0] ?? (await freePort())}`;
    const secret = randomBytes(48).toString("base64");
    announceSecret("auth-secret", secret);
    for (const encoding of ["hex", "base64", "base64url"] as const) announceSecret("token-key", contractKey(secret).toString(encoding));
    const env: Record<string, string> = {
      BETTER_AUTH_SECRET: secret,
      BETTER_AUTH_URL: webUrl,
      API_URL: apiUrl,
      // The owner's URL too, as in `make dev`'s one .env: the migrator's, read by neither service.
      DATABASE_URL: cluster.url,
      ...roleEnv(roles),
      JWT_TTL_SECONDS: "900",
      JWT_CLOCK_TOLERANCE_SECONDS: "5",
      // The tests stand in for a reverse proxy on loopback: their X-Forwarded-For names the client.
      TRUSTED_PROXIES: "127.0.0.1",
      LOG_LEVEL: "info",
      // One process per api: the faults and logs the suites check are per process.
      API_WORKERS: "1",
      ...options.env,
    };
    const envFile = path.join(dir, ".env");
    writeFileSync(
      envFile,
      Object.entries(env)
        .map(([name, value]) => `${name}="${value}"\n`)
        .join(""),
      { mode: 0o600 },
    );

    const start = (name: "web" | "api", url: string, own: Record<string, string>): Service => {
      const script = programs[name];
      const program = startProgram(name, script, { env: { NODE_ENV: "production", ...own }, nodeArgs: [`--env-file=${envFile}`], logDir });
      const service = { ...program, url };
      services.push(service);
      return service;
    };
    const startApi = async (own: Record<string, string> = {}): Promise<Service> => {
      const port = own.API_PORT ?? String(await freePort());
      const api = start("api", `http://127.0.0.1:${port}`, { ...own, API_PORT: port });
      await waitForUrl(api, `${api.url}/livez`, START_TIMEOUT_MS);
      return api;
    };
    // The standalone server takes its port from PORT.
    const startWeb = async (own: Record<string, string> = {}): Promise<Service> => {
      const port = own.PORT ?? String(await freePort());
      const web = start("web", `http://127.0.0.1:${port}`, { HOSTNAME: "127.0.0.1", ...own, PORT: port });
      await waitForUrl(web, `${web.url}/api/health`, START_TIMEOUT_MS);
      return web;
    };
    const [webs, apis] = await Promise.all([
      Promise.all(webPorts.map((port) => startWeb({ PORT: String(port) }))),
      Promise.all(apiPorts.map((port) => startApi({ API_PORT: String(port) }))),
    ]);
    const first = (list: Service[], what: string): Service => {
      const service = list[0];
      if (!service) throw new Error(`this stack has no ${what}`);
      return service;
    };
    return {
      cluster,
      databaseUrl: cluster.url,
      serviceUrls: roles,
      secret,
      envFile,
      webUrl,
      apiUrl,
      issuer: new URL(webUrl).origin,
      audience: new URL(apiUrl).origin,
      clockToleranceSeconds: Number(env.JWT_CLOCK_TOLERANCE_SECONDS),
      ttlSeconds: Number(env.JWT_TTL_SECONDS),
      webs,
      apis,
      get web() {
        return first(webs, "web");
      },
      get api() {
        return first(apis, "api");
      },
      startApi,
      startWeb,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
