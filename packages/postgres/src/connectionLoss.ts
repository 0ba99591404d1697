// When a statement that failed because its connection died may be run again on a fresh one.
//
// Only failures of the connection itself qualify, and each kind says how much the server can have
// done with the statement:
//
// - "unsent": node-postgres refused the statement because the connection was already known dead
//   ("... is not queryable"). Nothing reached the server: any statement may be replayed.
// - "aborted": the server answered 57P01 (admin_shutdown: pg_terminate_backend, a fast shutdown,
//   Neon suspending its compute), 57P02 (crash_shutdown) or 57P03 (cannot_connect_now). PostgreSQL
//   raises these as FATAL from its interrupt handler, which aborts the transaction in progress; a
//   statement whose commit had finished got its answer flushed before the backend next looked at
//   the termination. So an autocommit statement answered with one of these did not commit, and a
//   single statement, read or write, is replayed. (Most often it never ran at all: the server had
//   already ended an idle connection and the pool handed it out before Node read the notice.)
// - "ambiguous": the socket reset or closed with no word from the server. The statement may have
//   run and committed, so only read-only statements are replayed; a write fails (the caller answers
//   503 and the client decides). The services generate row ids themselves (the api's task
//   service, Better Auth in the web), so even a replayed insert that had in fact committed would be refused
//   by the primary key rather than stored twice.
//
// A new connection that the server ends while it starts up is opened once more (nothing was asked
// of it yet). Never replayed: statements inside a transaction (the transaction died with its
// connection; only its owner can start it again), several statements in one text (some may have
// committed), query timeouts (a hung database would only hang again), refused connections and
// connect timeouts (the database is unreachable: waiting twice would only delay the 503).
import { codeOf } from "./errorCode";

export type ConnectionLoss = "unsent" | "aborted" | "ambiguous";

const SERVER_ENDED = new Set(["57P01", "57P02", "57P03"]);
const SOCKET_ENDED = new Set(["ECONNRESET", "EPIPE"]);

export function connectionLossOf(err: unknown): ConnectionLoss | null {
  const code = codeOf(err);
  if (code && SERVER_ENDED.has(code)) return "aborted";
  const message = err instanceof Error ? err.message : "";
  if (message.endsWith(" is not queryable")) return "unsent";
  if ((code && SOCKET_ENDED.has(code)) || /^Connection terminated( unexpectedly)?$/.test(message)) return "ambiguous";
  return null;
}

/** One statement (a trailing semicolon allowed); a text with several may have half committed. */
function isSingleStatement(sql: string): boolean {
  return !/;\s*\S/.test(sql);
}

/**
 * Reads only: starts as a query and names no data-modifying command anywhere (a WITH may hide
 * one). A SELECT calling a function with side effects would fool this; neither service issues one.
 */
export function isReadOnly(sql: string): boolean {
  return /^\s*(select|show|with|values|table)\b/i.test(sql) && !/\b(insert|update|delete|merge|copy|call)\b/i.test(sql);
}

export function mayReplay(loss: ConnectionLoss, sql: string): boolean {
  if (loss === "unsent") return true;
  if (!isSingleStatement(sql)) return false;
  return loss === "aborted" || isReadOnly(sql);
}
