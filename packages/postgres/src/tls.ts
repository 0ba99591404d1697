// The encrypted-socket check. A URL's sslmode is a request; the socket under a connected client
// is the proof. (`SHOW ssl` is the server's setting, and on Neon TLS ends at its proxy.)
import { TLSSocket } from "node:tls";
import type { ClientBase } from "pg";

export class UnencryptedConnectionError extends Error {
  override name = "UnencryptedConnectionError";
  constructor() {
    super("database connection is not encrypted (TLS required)");
  }
}

export interface ConnectionTls {
  protocol: string;
  /** Whether the server's certificate chain was verified. */
  verified: boolean;
}

/** The TLS of a connected client, or null when its socket is not encrypted. */
export function tlsOf(client: ClientBase): ConnectionTls | null {
  // Undocumented but stable: node-postgres swaps its socket for a TLSSocket (always encrypted)
  // once TLS is negotiated.
  const socket = (client as unknown as { connection?: { stream?: unknown } }).connection?.stream;
  if (!(socket instanceof TLSSocket)) return null;
  return { protocol: socket.getProtocol() ?? "unknown", verified: socket.authorized };
}

/** Throws UnencryptedConnectionError unless the client's connection is encrypted. */
export function assertEncrypted(client: ClientBase): void {
  if (!tlsOf(client)) throw new UnencryptedConnectionError();
}
