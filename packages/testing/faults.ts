// The database faults the suites inject, on a real TLS PostgreSQL: a TCP relay in front of it that
// can freeze (a database that hangs), refuse new connections (a host that became unreachable) or
// cut the next connection that sends anything (a connection dropped under a statement), a
// listener that accepts and never answers, and server-side terminations the client has not read
// yet (what a pool meets when Neon suspends its compute).
import { spawnSync } from "node:child_process";
import { type Socket, connect, createServer } from "node:net";

export interface Relay {
  port: number;
  /** Forward nothing in either direction; new connections are accepted and never answered. */
  freeze(): void;
  thaw(): void;
  /** While on, a new connection is closed at once (existing ones keep flowing). */
  refuseNew(on: boolean): void;
  /**
   * The next connection that sends anything is cut: both sockets destroyed, no word from the
   * server. The client cannot tell whether its statement ran.
   */
  armCut(): void;
  cuts(): number;
  /** Connections accepted so far. */
  accepted(): number;
  /** Connections open now. */
  connections(): number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | null;
}

/** A relay on loopback to `targetPort`; with no target, a listener that accepts and never answers. */
export async function startRelay(targetPort: number | null, options: { frozen?: boolean } = {}): Promise<Relay> {
  let frozen = options.frozen ?? targetPort === null;
  let refusing = false;
  let armed = false;
  let [accepted, cuts] = [0, 0];
  const pairs = new Set<Pair>();
  const end = (pair: Pair) => {
    pair.client.destroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
  };
  const link = (pair: Pair) => {
    if (targetPort === null) return;
    const upstream = connect(targetPort, "127.0.0.1");
    pair.upstream = upstream;
    upstream.on("error", () => end(pair));
    upstream.on("close", () => end(pair));
    upstream.pipe(pair.client);
    pair.client.on("data", (chunk: Buffer) => {
      if (!armed) return void upstream.write(chunk);
      armed = false;
      cuts++;
      end(pair);
    });
  };
  const server = createServer((client) => {
    if (refusing) return void client.destroy();
    accepted++;
    const pair: Pair = { client, upstream: null };
    pairs.add(pair);
    client.on("error", () => undefined);
    client.on("close", () => end(pair));
    if (frozen) client.pause();
    else link(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("the relay has no port");
  return {
    port: address.port,
    freeze: () => {
      frozen = true;
      // Paused sockets stop reading, so nothing is forwarded: the other side just waits.
      for (const { client, upstream } of pairs) {
        client.pause();
        upstream?.pause();
      }
    },
    thaw: () => {
      if (targetPort === null) throw new Error("a relay with no target cannot thaw");
      frozen = false;
      for (const pair of pairs) {
        if (!pair.upstream) link(pair);
        pair.upstream?.resume();
        pair.client.resume();
      }
    },
    refuseNew: (on) => {
      refusing = on;
    },
    armCut: () => {
      armed = true;
    },
    cuts: () => cuts,
    accepted: () => accepted,
    connections: () => pairs.size,
    close: async () => {
      for (const pair of pairs) end(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A database that accepts TCP connections and never answers: the worst kind of outage. */
export const hangingListener = (): Promise<Relay> => startRelay(null);

/** The same URL (credentials, TLS parameters) pointed at another port: a relay's. */
export function withPort(url: string, port: number): string {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
}

/**
 * Ends every server connection named `applicationName` and returns only once the server has
 * closed them all, WITHOUT letting this process's event loop run meanwhile (a child process does
 * the work synchronously). A pool in this process then still holds those connections as idle and
 * healthy, their termination notices unread in the socket: exactly what a pool meets when Neon
 * suspends.
 */
export function terminateBackendsUnnoticed(url: string, applicationName: string): number {
  const script = `
    const { Client } = require("pg");
    (async () => {
      const c = new Client({ connectionString: process.env.URL });
      await c.connect();
      const { rows } = await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [process.env.APP]);
      for (const until = Date.now() + 20000; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
        const left = await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1", [process.env.APP]);
        if (left.rows[0].n === 0) break;
      }
      await c.end();
      process.stdout.write(String(rows.length));
    })().catch((e) => { console.error(e.message); process.exit(1); });`;
  const run = spawnSync(process.execPath, ["-e", script], {
    cwd: __dirname,
    env: { ...process.env, URL: url, APP: applicationName, NODE_NO_WARNINGS: "1" },
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`terminating backends failed: ${run.stderr}`);
  return Number(run.stdout);
}
