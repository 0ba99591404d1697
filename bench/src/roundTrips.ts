// Database round trips per request, measured rather than counted: the api is started a second time
// with its database reached through a relay that holds every answer of the server for DELAY_MS.
// Each round trip a request waits for then costs DELAY_MS more, so
//   round trips = (median latency through the relay - median latency without it) / DELAY_MS.
// Requests go one at a time (no queueing), the api's verified-token and session memory warm.
import { type Server, type Socket, connect, createServer } from "node:net";
import type { ApiProcess } from "./apiProcess";
import type { BenchUser } from "./cases";

const DELAY_MS = 40;
const REQUESTS = 30;

export interface RoundTrips {
  delayMs: number;
  /** GET /api/{user}/tasks: the page read in its user's transaction. */
  list: number;
  /** POST /api/{user}/tasks: the insert in its user's transaction. */
  create: number;
}

/** A TCP relay to 127.0.0.1:port that forwards the client's bytes at once and the server's DELAY_MS late, in order. */
export async function startDelayRelay(port: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(port, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      // Nagle's algorithm would hold a late chunk for the ACK of the one before (a delayed ACK: up to 40 ms more).
      socket.setNoDelay(true);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => setTimeout(() => client.write(chunk), DELAY_MS));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("relay has no port");
  return {
    port: address.port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function latencyMs(origin: string, user: BenchUser, method: "GET" | "POST"): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < REQUESTS + 3; i++) {
    const started = performance.now();
    const res = await fetch(`${origin}/api/${encodeURIComponent(user.id)}/tasks${method === "GET" ? "?limit=1" : ""}`, {
      method,
      headers: { authorization: `Bearer ${user.token}`, ...(method === "POST" ? { "content-type": "application/json" } : {}) },
      ...(method === "POST" ? { body: JSON.stringify({ title: `round trip ${i}` }) } : {}),
    });
    await res.arrayBuffer();
    if (res.status !== (method === "GET" ? 200 : 201)) throw new Error(`round trips: ${method} answered ${res.status}`);
    // The first few warm the connection and the api's memory of the session.
    if (i >= 3) samples.push(performance.now() - started);
  }
  return median(samples);
}

/** `direct` and `delayed` are the same build on the same database, `delayed` through the relay. */
export async function measureRoundTrips(
  direct: { api: ApiProcess; user: BenchUser },
  delayed: { api: ApiProcess; user: BenchUser },
): Promise<RoundTrips> {
  const trips = async (method: "GET" | "POST") => {
    const base = await latencyMs(direct.api.origin, direct.user, method);
    const slow = await latencyMs(delayed.api.origin, delayed.user, method);
    return Math.round(((slow - base) / DELAY_MS) * 10) / 10;
  };
  return { delayMs: DELAY_MS, list: await trips("GET"), create: await trips("POST") };
}
