// Plain HTTP from a chosen loopback address (127.0.0.0/8 is all loopback on Linux, so each test
// client, proxy and server can have an address of its own), a reverse proxy that appends to
// X-Forwarded-For like nginx's $proxy_add_x_forwarded_for.
import { type IncomingHttpHeaders, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { authHeaders, sessionCookieOf } from "@authbridge/testing/auth";

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface CallFrom {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The loopback address the connection comes from. */
  from?: string;
}

export function callFrom(url: string, { method = "GET", headers = {}, body, from = "127.0.0.1" }: CallFrom = {}): Promise<Answer> {
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

export const sessionCookie = (answer: Answer): string | null => sessionCookieOf(answer.headers["set-cookie"] ?? []);

/** A Better Auth POST as the browser on `origin` (BETTER_AUTH_URL) sends it, to any web replica, from `from`. */
export function authPost(
  webUrl: string,
  origin: string,
  route: string,
  body: object,
  options: { from?: string; cookie?: string; forwardedFor?: string } = {},
) {
  return callFrom(`${webUrl}/api/auth${route}`, {
    method: "POST",
    from: options.from,
    headers: authHeaders(webUrl, { origin, cookie: options.cookie, clientIp: options.forwardedFor }),
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
