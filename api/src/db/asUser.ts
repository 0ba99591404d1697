// Every task statement runs for one user, in a transaction of its own that first sets that user
// for the row-level security policies of "task" (migration 20261203080000_task_row_level_security):
//
//   BEGIN; SELECT set_config('app.user_id', $1, true); <statement>; COMMIT
//
// `true` makes the setting transaction-local: it ends with COMMIT (or ROLLBACK), so it never
// reaches the next checkout of a pooled connection, even after an error mid-transaction, and it
// works through a transaction-mode pooler (Neon's -pooler host), where a session `SET` would not
// stick. The api's pool is pipelined (db/pool.ts): the four messages are written together and
// PostgreSQL answers them in order, so the whole transaction costs one round trip, as a single
// statement does (measured with a relay that delays every answer).
import type { ResilientPool } from "@authbridge/postgres";
import type { ClientBase, QueryConfig, QueryResult, QueryResultRow } from "pg";
import type { Queryable } from "./tasks";

/** The setting the policies read: `current_setting('app.user_id', true)`. */
export const USER_SETTING = "app.user_id";

const SET_USER = { name: "as_user", text: `SELECT set_config('${USER_SETTING}', $1, true)` };

/**
 * Statements for `userId` on `client`, in one transaction of their own (written in one go when
 * the client is pipelined): `before` first (a lock), then `statement`, whose result is returned.
 */
export async function runAsUser<R extends QueryResultRow>(
  client: ClientBase,
  userId: string,
  statement: QueryConfig,
  before: readonly QueryConfig[] = [],
): Promise<QueryResult<R>> {
  const begun = [client.query("BEGIN"), client.query({ ...SET_USER, values: [userId] }), ...before.map((step) => client.query(step))];
  const sent = [...begun, client.query<R>(statement), client.query("COMMIT")];
  // Every answer is awaited before the connection goes back: nothing of this transaction may
  // still be on the wire when the next checkout writes to it.
  // The first failure is the one to report: after it PostgreSQL skips the rest of the transaction
  // and answers its COMMIT with ROLLBACK. A COMMIT that fails itself (a deferred constraint) rejects too.
  const settled = await Promise.allSettled(sent);
  for (const step of settled) if (step.status === "rejected") throw step.reason;
  const result = settled[begun.length];
  if (result?.status !== "fulfilled") throw new Error("unreachable: every step was fulfilled");
  return result.value as QueryResult<R>;
}

/**
 * `statement` for `userId` on a pooled connection; if the connection had died, once more on a
 * fresh one. So every statement given here must be safe to run twice: a read, or a write
 * idempotent by its own key (an insert of an id made here that returns the stored row on
 * conflict, an update to given values, a delete). A pipelined transaction whose connection turns
 * out dead fails as a whole with the socket's error (EPIPE, ECONNRESET), which cannot tell whether
 * its COMMIT had reached the server, so only a replay that changes nothing the second time is safe.
 */
export function asUser<R extends QueryResultRow>(
  pool: ResilientPool,
  userId: string,
  statement: QueryConfig,
  before: readonly QueryConfig[] = [],
): Promise<QueryResult<R>> {
  return pool.withReplayableConnection((client) => runAsUser<R>(client, userId, statement, before));
}

/**
 * A queryable whose every statement runs as `userId` (db/tasks.ts's statements take one), each in
 * its own transaction, after `before` in that same transaction.
 */
export function userQueryable(pool: ResilientPool, userId: string, before: readonly QueryConfig[] = []): Queryable {
  return { query: <R extends QueryResultRow>(statement: QueryConfig) => asUser<R>(pool, userId, statement, before) };
}
