/** The api and web healthcheck commands of docker-compose.yml, run as Docker runs them, against a real HTTP server. */
import { startCommand } from "@authbridge/testing/processes";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { interpolate, loadCompose } from "./support";

interface Answer {
  status: number;
  path?: string;
}

// One server, whose next answer each test sets; it records the path it was asked for.
let server: Server;
let port: number;
let answer: Answer = { status: 200 };
beforeAll(async () => {
  server = createServer((req, res) => {
    answer.path = req.url;
    res.writeHead(answer.status, { "content-type": "application/health+json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The healthcheck's argv after Compose's interpolation (`$$` -> `$`), run with the service's port variable set. */
async function runCheck(service: string, env: Record<string, string>): Promise<number | null> {
  const test = loadCompose().services[service]?.healthcheck?.test ?? [];
  const [kind, command, ...args] = test.map((part) => interpolate(part, {}));
  expect(kind).toBe("CMD");
  expect(command).toBe("node");
  return (await startCommand(`${service} healthcheck`, process.execPath, args, { env }).exited).code;
}

describe.each([
  { service: "api", variable: "API_PORT", path: "/healthz" },
  { service: "web", variable: "WEB_PORT", path: "/api/health" },
])("$service healthcheck", ({ service, variable, path }) => {
  test(`exits 0 when ${path} answers 200`, async () => {
    answer = { status: 200 };
    expect(await runCheck(service, { [variable]: String(port) })).toBe(0);
    expect(answer.path).toBe(path);
  });

  test(`exits 1 when ${path} answers 503`, async () => {
    answer = { status: 503 };
    expect(await runCheck(service, { [variable]: String(port) })).toBe(1);
    expect(answer.path).toBe(path);
  });

  test("exits 1 when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await runCheck(service, { [variable]: String(closedPort) })).toBe(1);
  });
});
