// Every hop appends the address its connection came from to X-Forwarded-For, and this server is
// the last hop. Next copies the socket's address into the header only when the request has none,
// so without this a client that writes its own X-Forwarded-For would choose its own rate-limit key.
// The process entry (src/server.ts), which owns the sockets, applies it to every request before
// Next sees it; it runs outside Next's bundle, where the "server-only" marker would refuse to load:
// hence none here.
export const FORWARDED_FOR = "x-forwarded-for";

/** The header after this hop: the chain as received, then the socket peer; none when the peer is unknown. */
export function appendPeer(received: string | string[] | undefined, peer: string | undefined): string | undefined {
  if (!peer) return undefined;
  const chain = Array.isArray(received) ? received.join(", ") : received;
  return chain?.trim() ? `${chain}, ${peer}` : peer;
}
