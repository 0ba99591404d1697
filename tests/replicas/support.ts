// Plain HTTP from a chosen loopback address (127.0.0.0/8 is all loopback on Linux, so each test
// client, proxy and server can have an address of its own), a reverse proxy that appends to
// X-Forwarded-For like nginx's $proxy_add_x_forwarded_for, and the built web and api as processes.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type IncomingHttpHeaders, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Cluster, freePort, migrate, startCluster } from "../../testing/pg";
import { assertBuilt, programs, stopProgram, waitForUrl } from "@authbridge/testing/processes";
import { type Service, startServer } from "../../web/test/support/stack";

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Call {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The loopback address the connection comes from. */
  from?: string;
}

export function call(url: string, { method = "GET", headers = {}, body, from = "127.0.0.1" }: Call = {}): Promise<Answer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        headers,
        localAddress: from,
        agent: false,
        timeout: 30_000,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on("error", reject);
    req.end(body);
  });
}

export const sessionCookie = (answer: Answer): string | undefined =>
  (answer.headers["set-cookie"] ?? []).map((c) => c.split(";")[0] ?? "").find((pair) => /(^|\.)session_token=/.test(pair));

/** A Better Auth POST as the browser on `origin` (BETTER_AUTH_URL) sends it, to any web replica. */
export function authPost(
  webUrl: string,
  origin: string,
  route: string,
  body: object,
  options: { from?: string; cookie?: string; forwardedFor?: string } = {},
) {
  return call(`${webUrl}/api/auth${route}`, {
    method: "POST",
    from: options.from,
    headers: {
      "content-type": "application/json",
      origin,
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.forwardedFor ? { "x-forwarded-for": options.forwardedFor } : {}),
    },
    body: JSON.stringify(body),
  });
}

/** A reverse proxy on `listenOn` that connects upstream from `from` and appends each peer to X-Forwarded-For. */
export async function appendingProxy(upstream: string, listenOn: string, from: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    const received = req.headers["x-forwarded-for"];
    const peer = req.socket.remoteAddress ?? "";
    const headers = { ...req.headers, "x-forwarded-for": received ? `${String(received)}, ${peer}` : peer };
    const forward = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers, localAddress: from, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, listenOn, resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${listenOn}:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface Replicas {
  databaseUrl: string;
  /** BETTER_AUTH_URL of every web replica: the address a load balancer would have. */
  publicWebUrl: string;
  webs: Service[];
  apis: Service[];
  stop(): Promise<void>;
}

/** `webs` web and `apis` api processes (NODE_ENV=production) on one migrated database, all from one .env. */
export async function startReplicas(counts: { webs: number; apis: number }, extraEnv: string[] = []): Promise<Replicas> {
  assertBuilt(programs.web, programs.api, programs.migrator);
  const dir = mkdtempSync(path.join(tmpdir(), "authbridge-replicas-"));
  const services: Service[] = [];
  let cluster: Cluster | undefined;
  const stop = async () => {
    await Promise.all(services.map((service) => stopProgram(service)));
    await cluster?.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    cluster = await startCluster();
    await migrate(cluster.url);
    const webPorts = await Promise.all(Array.from({ length: counts.webs }, () => freePort()));
    const apiPorts = await Promise.all(Array.from({ length: counts.apis }, () => freePort()));
    const publicWebUrl = `http://127.0.0.1:${webPorts[0]}`;
    const envFile = path.join(dir, ".env");
    writeFileSync(
      envFile,
      [
        `BETTER_AUTH_SECRET=${randomBytes(48).toString("base64")}`,
        `BETTER_AUTH_URL=${publicWebUrl}`,
        // Every api replica accepts tokens for the one audience (a load balancer's URL in production).
        `API_URL=http://127.0.0.1:${apiPorts[0] ?? 8000}`,
        `DATABASE_URL="${cluster.url}"`,
        "LOG_LEVEL=warn",
        ...extraEnv,
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    const webs = webPorts.map((port) =>
      startServer("web", programs.web, `http://127.0.0.1:${port}`, { PORT: String(port), HOSTNAME: "127.0.0.1" }, envFile),
    );
    const apis = apiPorts.map((port) => startServer("api", programs.api, `http://127.0.0.1:${port}`, { API_PORT: String(port) }, envFile));
    services.push(...webs, ...apis);
    await Promise.all([
      ...webs.map((web) => waitForUrl(web, `${web.url}/api/health`, 60_000)),
      ...apis.map((api) => waitForUrl(api, `${api.url}/livez`, 60_000)),
    ]);
    return { databaseUrl: cluster.url, publicWebUrl, webs, apis, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
