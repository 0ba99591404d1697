// The hot read: one page of a user's tasks, newest first, straight from the pg pool as named
// (prepared) statements. Prisma stays the schema and the writer; on this read its query
// execution and result mapping cost about as much CPU as the rest of the request
// (docs/BENCHMARKS.md). The index "task_userId_createdAt_id_idx" serves exactly this order.
import type { Pool } from "pg";
import type { TaskPosition } from "../services/taskCursor";

/** A task as the api sends it: timestamps already ISO 8601 UTC strings, so nothing is re-parsed. */
export interface TaskRow {
  id: string;
  title: string;
  done: boolean;
  createdAt: string;
  updatedAt: string;
}

// Prisma stores DateTime as UTC in timestamp(3); this renders it as Date.toISOString() would.
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
/** A task's columns as TaskRow has them; the insert returns the same. */
export const COLUMNS = `id, title, done, to_char("createdAt", ${ISO}) AS "createdAt", to_char("updatedAt", ${ISO}) AS "updatedAt"`;
// Qualified: a bare "createdAt" in ORDER BY would mean the to_char output column, a text sort
// that no index serves.
const ORDER = `ORDER BY task."createdAt" DESC, task.id DESC`;

export const FIRST_PAGE = {
  name: "task_page_first",
  text: `SELECT ${COLUMNS} FROM task WHERE "userId" = $1 ${ORDER} LIMIT $2`,
};
export const NEXT_PAGE = {
  name: "task_page_next",
  // A time zone in the cursor's text is ignored by the cast to timestamp (without time zone).
  text: `SELECT ${COLUMNS} FROM task WHERE "userId" = $1 AND ("createdAt", id) < ($3::timestamp(3), $4) ${ORDER} LIMIT $2`,
};

/** Up to `limit` tasks after `after` (or from the newest). */
export async function selectTaskPage(pool: Pool, userId: string, limit: number, after: TaskPosition | null): Promise<TaskRow[]> {
  const { rows } = after
    ? await pool.query<TaskRow>({ ...NEXT_PAGE, values: [userId, limit, after.createdAt, after.id] })
    : await pool.query<TaskRow>({ ...FIRST_PAGE, values: [userId, limit] });
  return rows;
}
