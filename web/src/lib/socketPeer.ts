// Every hop appends the address its connection came from to X-Forwarded-For, and this server is
// the last hop. Next copies the socket's address into the header only when the request has none,
// so without this a client that writes its own X-Forwarded-For would choose its own rate-limit key.
// recordSocketPeers runs in the process entry (src/server.ts), outside Next's bundle, where the
// "server-only" marker would refuse to load: hence none here.
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";

export const FORWARDED_FOR = "x-forwarded-for";

/** The header after this hop: the chain as received, then the socket peer; none when the peer is unknown. */
export function appendPeer(received: string | string[] | undefined, peer: string | undefined): string | undefined {
  if (!peer) return undefined;
  const chain = Array.isArray(received) ? received.join(", ") : received;
  return chain?.trim() ? `${chain}, ${peer}` : peer;
}

/**
 * From now on every request's X-Forwarded-For ends with its socket peer. Node publishes
 * `http.server.request.start` synchronously before the server's request listener (Next) runs.
 */
export function recordSocketPeers(): void {
  subscribe("http.server.request.start", (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    const chain = appendPeer(request.headers[FORWARDED_FOR], socket.remoteAddress);
    if (chain) request.headers[FORWARDED_FOR] = chain;
    else Reflect.deleteProperty(request.headers, FORWARDED_FOR);
  });
}
