// The one place that decides whether an error means "the database could not serve us" (down,
// unreachable, hung, connection killed, out of connections, not encrypted): the error handler
// answers those with 503 and Retry-After. Everything else a statement throws is a bug or a domain
// error, never disguised as an outage.
import { UnencryptedConnectionError, codeOf } from "@authbridge/postgres";

// SQLSTATE classes 08 (connection exception) and 53 (insufficient resources: too many
// connections, out of memory or disk), the 57P0x shutdowns (admin, crash, cannot connect now:
// Neon suspending its compute among them) and 57014 (statement cancelled: the server's timeout).
const UNAVAILABLE_SQLSTATE = /^(08...|53...|57P0[1-4]|57014)$/;
// Node's socket and name-resolution failures, and its TLS handshake failures.
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
const TLS_CODE = /^ERR_(TLS|SSL)_|CERT|^HOSTNAME_MISMATCH$/;
// node-postgres' own failures carry no code: a dead or timed-out connection, a refused TLS.
const DRIVER_MESSAGE =
  /^(Connection terminated( unexpectedly| due to connection timeout)?|timeout exceeded when trying to connect|Query read timeout|The server does not support SSL connections|.* is not queryable|Cannot use a pool after calling end on the pool)$/;

interface Described {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** The error and what it wraps (its cause chain), a few levels deep. */
function* layers(err: unknown, depth = 0): Generator<Described> {
  if (typeof err !== "object" || err === null || depth > 4) return;
  const described = err as Described;
  yield described;
  yield* layers(described.cause, depth + 1);
}

function unavailableLayer(layer: Described): boolean {
  if (layer instanceof UnencryptedConnectionError) return true;
  const code = typeof layer.code === "string" ? layer.code : "";
  if (UNAVAILABLE_SQLSTATE.test(code) || SOCKET_CODES.has(code) || TLS_CODE.test(code)) return true;
  return typeof layer.message === "string" && DRIVER_MESSAGE.test(layer.message);
}

export function isDatabaseUnavailable(err: unknown): boolean {
  for (const layer of layers(err)) if (unavailableLayer(layer)) return true;
  return false;
}

/** A short, host-free label of what went wrong, for the logs. */
export function unavailableKind(err: unknown): string {
  if (err instanceof Error) return codeOf(err) ?? (err.name === "Error" ? err.message.slice(0, 60) : err.name);
  return "unknown";
}
