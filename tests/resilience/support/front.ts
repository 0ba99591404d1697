// An HTTP front that forwards every request to the current upstream port, the way a load balancer
// does a rolling restart: switch() sends new requests to the new process at once, and drained()
// resolves when the old one has answered every request it was given. Each request gets its own
// upstream connection, so stopping the old process can never cut a reused keep-alive connection.
import { type IncomingHttpHeaders, type Server, createServer, request } from "node:http";

export interface Front {
  port: number;
  url: string;
  /** New requests go to `port` from now on. */
  switch(port: number): void;
  /** Resolves once no request to `port` is in flight. */
  drained(port: number): Promise<void>;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);
const endToEnd = (headers: IncomingHttpHeaders) => Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));

export async function startFront(initialPort: number): Promise<Front> {
  let target = initialPort;
  const inFlight = new Map<number, number>();
  const waiters = new Map<number, (() => void)[]>();
  const settle = (port: number) => {
    const left = (inFlight.get(port) ?? 1) - 1;
    inFlight.set(port, left);
    if (left === 0) for (const wake of waiters.get(port)?.splice(0) ?? []) wake();
  };

  const server: Server = createServer((req, res) => {
    const port = target;
    inFlight.set(port, (inFlight.get(port) ?? 0) + 1);
    let settled = false;
    const done = () => {
      if (!settled) {
        settled = true;
        settle(port);
      }
    };
    const headers = endToEnd(req.headers);
    const upstream = request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(res);
      answer.on("end", done);
      answer.on("error", done);
    });
    // The test counts a 502 as a failed request: the front never hides an upstream error.
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end('{"error":{"code":"bad_gateway","message":"upstream failed"}}');
      done();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("front has no port");

  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    switch: (port) => {
      target = port;
    },
    drained: (port) =>
      (inFlight.get(port) ?? 0) === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.set(port, [...(waiters.get(port) ?? []), resolve])),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
