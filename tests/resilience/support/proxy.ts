// A TCP proxy in front of PostgreSQL that can be frozen: while frozen it forwards nothing in either
// direction and new connections are accepted and never answered. That is a database that hangs,
// both for connections the api already has and for the ones it opens. It can also refuse new
// connections while it keeps the ones it has: a database host that has become unreachable.
import { type Server, type Socket, createServer, connect } from "node:net";

export interface HangingProxy {
  port: number;
  freeze(): void;
  thaw(): void;
  /** While on, a new connection is closed at once (existing ones keep flowing). */
  refuseNew(on: boolean): void;
  /** Connections accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number, options: { frozen?: boolean } = {}): Promise<HangingProxy> {
  let frozen = options.frozen ?? false;
  let refusing = false;
  let accepted = 0;
  const pairs = new Set<{ client: Socket; upstream: Socket | null }>();

  const link = (pair: { client: Socket; upstream: Socket | null }) => {
    const upstream = connect(targetPort, "127.0.0.1");
    pair.upstream = upstream;
    pair.client.pipe(upstream);
    upstream.pipe(pair.client);
    const end = () => {
      pair.client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    upstream.on("error", end);
    upstream.on("close", end);
  };

  const server: Server = createServer((client) => {
    if (refusing) return void client.destroy();
    accepted++;
    const pair = { client, upstream: null as Socket | null };
    pairs.add(pair);
    client.on("error", () => undefined);
    client.on("close", () => {
      pair.upstream?.destroy();
      pairs.delete(pair);
    });
    if (frozen) client.pause();
    else link(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("proxy has no port");

  return {
    port: address.port,
    freeze: () => {
      frozen = true;
      for (const { client, upstream } of pairs) {
        // Paused sockets stop reading, so nothing is forwarded: the other side just waits.
        client.pause();
        upstream?.pause();
      }
    },
    thaw: () => {
      frozen = false;
      for (const pair of pairs) {
        if (pair.upstream) {
          pair.client.resume();
          pair.upstream.resume();
        } else {
          link(pair);
          pair.client.resume();
        }
      }
    },
    refuseNew: (on) => {
      refusing = on;
    },
    accepted: () => accepted,
    close: async () => {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
