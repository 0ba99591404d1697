// Every statement the api runs on the task table, and nowhere else: each is a function of a
// queryable and the caller's user id, and each names that user in its WHERE clause (or, for the
// insert, in its row), so no statement can touch another user's row and none reads before it
// writes. The service runs each in that user's own transaction (asUser.ts), so row-level security
// holds it to the same user a second time. All are named (prepared) statements.
// Plain SQL, not Prisma: on these statements Prisma's query execution and result mapping cost about
// as much CPU as the rest of the request. The index
// "task_userId_createdAt_id_idx" serves the list's order and every by-id statement's user filter.
import type { QueryConfig, QueryResult, QueryResultRow } from "pg";
import type { z } from "zod";
import type { Task, TaskChanges } from "../openapi/schemas";
import type { TaskPosition } from "../services/taskCursor";

/** Anything a statement can run on: a pool, a client, or the user's own transaction (asUser.ts). */
export interface Queryable {
  query<R extends QueryResultRow>(statement: QueryConfig): Promise<QueryResult<R>>;
}

/** A task as the api sends it (the contract's one Task): timestamps already ISO 8601 UTC text, so nothing is re-parsed. */
export type TaskRow = z.output<typeof Task>;

// The schema's DateTime columns are timestamp(3) holding UTC (Prisma's convention, the web's too);
// this renders them as Date.toISOString() would.
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const COLUMNS = `id, title, done, to_char("createdAt", ${ISO}) AS "createdAt", to_char("updatedAt", ${ISO}) AS "updatedAt"`;
// Qualified: a bare "createdAt" in ORDER BY would mean the to_char output column, a text sort
// that no index serves.
const ORDER = `ORDER BY task."createdAt" DESC, task.id DESC`;
// UTC whatever the session's TimeZone, as Prisma writes it; the column's precision rounds it to ms.
const NOW = `(now() AT TIME ZONE 'UTC')`;

export const FIRST_PAGE = {
  name: "task_page_first",
  text: `SELECT ${COLUMNS} FROM task WHERE "userId" = $1 ${ORDER} LIMIT $2`,
};
export const NEXT_PAGE = {
  name: "task_page_next",
  // A time zone in the cursor's text is ignored by the cast to timestamp (without time zone).
  text: `SELECT ${COLUMNS} FROM task WHERE "userId" = $1 AND ("createdAt", id) < ($3::timestamp(3), $4) ${ORDER} LIMIT $2`,
};
export const BY_ID = {
  name: "task_by_id",
  text: `SELECT ${COLUMNS} FROM task WHERE id = $1 AND "userId" = $2`,
};
/**
 * Taken first in a create's transaction: one user's creates queue here (no other user waits, no
 * row is locked), so the insert after it, a new statement with a new snapshot, counts every task
 * committed before (under READ COMMITTED one statement's count and insert share its snapshot, and
 * two concurrent creates could both see room for one more). The first key keeps these locks apart
 * from any other advisory lock.
 */
export const QUOTA_LOCK = {
  name: "task_quota_lock",
  text: `SELECT pg_advisory_xact_lock(hashtext('authbridge:task-quota'), hashtext($1))`,
};
export const INSERT = {
  name: "task_insert",
  // Nothing is inserted when the user already has $4 tasks. Run again after its connection died
  // (it may have committed), it returns the row already stored instead of failing: ON CONFLICT
  // ... DO UPDATE (a no-op) rather than DO NOTHING, since only that returns the row; the update
  // policy keeps it to the same user.
  text: `INSERT INTO task (id, "userId", title, done, "createdAt", "updatedAt")
         SELECT $1, $2, $3, false, ${NOW}, ${NOW} WHERE (SELECT count(*) FROM task WHERE "userId" = $2) < $4
         ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id RETURNING ${COLUMNS}`,
};
export const UPDATE = {
  name: "task_update",
  // A null parameter keeps the column. updatedAt moves forward even when two writes share a
  // millisecond, so a client can always tell the newer version.
  text: `UPDATE task SET title = COALESCE($3, title), done = COALESCE($4, done), "updatedAt" = GREATEST(${NOW}, "updatedAt" + interval '1 millisecond') WHERE id = $1 AND "userId" = $2 RETURNING ${COLUMNS}`,
};
export const DELETE = {
  name: "task_delete",
  text: `DELETE FROM task WHERE id = $1 AND "userId" = $2`,
};

/** Up to `limit` tasks after `after` (or from the newest). */
export async function selectTaskPage(db: Queryable, userId: string, limit: number, after: TaskPosition | null): Promise<TaskRow[]> {
  const { rows } = after
    ? await db.query<TaskRow>({ ...NEXT_PAGE, values: [userId, limit, after.createdAt, after.id] })
    : await db.query<TaskRow>({ ...FIRST_PAGE, values: [userId, limit] });
  return rows;
}

/** The user's task with this id, or null (whether it is someone else's or does not exist). */
export async function selectTask(db: Queryable, userId: string, taskId: string): Promise<TaskRow | null> {
  const { rows } = await db.query<TaskRow>({ ...BY_ID, values: [taskId, userId] });
  return rows[0] ?? null;
}

/**
 * The new task, or null when the user already has `quota` tasks. The id is the caller's: a
 * statement replayed after a lost connection cannot store a task twice. Race-free only after
 * QUOTA_LOCK in the same transaction (the service runs both in the user's one transaction).
 */
export async function insertTask(db: Queryable, userId: string, taskId: string, title: string, quota: number): Promise<TaskRow | null> {
  const { rows } = await db.query<TaskRow>({ ...INSERT, values: [taskId, userId, title, quota] });
  return rows[0] ?? null;
}

/** The changed task, or null when the user has no task with this id. */
export async function updateTask(db: Queryable, userId: string, taskId: string, changes: TaskChanges): Promise<TaskRow | null> {
  const { rows } = await db.query<TaskRow>({ ...UPDATE, values: [taskId, userId, changes.title ?? null, changes.done ?? null] });
  return rows[0] ?? null;
}

/** Whether a task was deleted (false: the user has no task with this id). */
export async function deleteTask(db: Queryable, userId: string, taskId: string): Promise<boolean> {
  const { rowCount } = await db.query({ ...DELETE, values: [taskId, userId] });
  return rowCount === 1;
}
