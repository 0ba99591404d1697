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
// Prisma: cannot reach, timed out, connection closed, pool timeout.
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
// @prisma/adapter-pg's names for the same failures of the connection.
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TlsConnectionError", "TooManyConnections"]);
// node-postgres' own failures carry no code: a dead or timed-out connection, a refused TLS.
const DRIVER_MESSAGE =
  /^(Connection terminated( unexpectedly| due to connection timeout)?|timeout exceeded when trying to connect|Query read timeout|The server does not support SSL connections|.* is not queryable|Cannot use a pool after calling end on the pool)$/;

// Prisma's errors, recognised by name: the api runs no Prisma query itself (every statement is on
// its pg pool), so it never loads Prisma's client just to compare classes.
const PRISMA_INITIALIZATION = "PrismaClientInitializationError";
const PRISMA_KNOWN_REQUEST = "PrismaClientKnownRequestError";

interface Described {
  name?: unknown;
  code?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** The error, what it wraps (cause chains, Prisma's driver adapter error), a few levels deep. */
function* layers(err: unknown, depth = 0): Generator<Described> {
  if (typeof err !== "object" || err === null || depth > 4) return;
  const described = err as Described;
  yield described;
  yield* layers(described.cause, depth + 1);
  yield* layers(described.meta?.driverAdapterError, depth + 1);
}

function unavailableLayer(layer: Described): boolean {
  if (layer instanceof UnencryptedConnectionError || (layer instanceof Error && layer.name === PRISMA_INITIALIZATION)) return true;
  const code = typeof layer.code === "string" ? layer.code : typeof layer.originalCode === "string" ? layer.originalCode : "";
  if (UNAVAILABLE_SQLSTATE.test(code) || SOCKET_CODES.has(code) || TLS_CODE.test(code) || PRISMA_CODES.has(code)) return true;
  if (typeof layer.kind === "string" && ADAPTER_KINDS.has(layer.kind)) return true;
  return typeof layer.message === "string" && DRIVER_MESSAGE.test(layer.message);
}

export function isDatabaseUnavailable(err: unknown): boolean {
  for (const layer of layers(err)) if (unavailableLayer(layer)) return true;
  return false;
}

/** A short, host-free label of what went wrong, for the logs. */
export function unavailableKind(err: unknown): string {
  if (err instanceof Error && err.name === PRISMA_KNOWN_REQUEST) {
    const { code, meta } = err as Error & { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
    const kind = meta?.driverAdapterError?.cause?.kind;
    const label = typeof code === "string" ? code : err.name;
    return typeof kind === "string" ? `${label}:${kind}` : label;
  }
  if (err instanceof Error) return codeOf(err) ?? (err.name === "Error" ? err.message.slice(0, 60) : err.name);
  return "unknown";
}
