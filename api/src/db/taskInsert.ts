// A new task, written in the user's own transaction (asUser.ts), so the insert policy of "task"
// checks the same user the row names. Timestamps are PostgreSQL's: UTC in timestamp(3), Prisma's
// convention for DateTime. The id is made here, so the insert is idempotent: run again after its
// connection died (it may have committed), it returns the row already stored instead of a second
// one. ON CONFLICT ... DO UPDATE (a no-op) rather than DO NOTHING: only that returns the row; the
// update policy keeps it to the same user.
import { randomUUID } from "node:crypto";
import type { ResilientPool } from "@authbridge/db-rules";
import { asUser } from "./asUser";
import { COLUMNS, type TaskRow } from "./taskPage";

export const INSERT_TASK = {
  name: "task_insert",
  text: `INSERT INTO task (id, "userId", title, "createdAt", "updatedAt")
         VALUES ($1, $2, $3, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
         ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id
         RETURNING ${COLUMNS}`,
};

/** SQLSTATE foreign_key_violation: the user row is gone (deleted after their token was issued). */
export const FOREIGN_KEY_VIOLATION = "23503";

export async function insertTask(pool: ResilientPool, userId: string, title: string): Promise<TaskRow> {
  const { rows } = await asUser<TaskRow>(pool, userId, { ...INSERT_TASK, values: [randomUUID(), userId, title] });
  const row = rows[0];
  if (!row) throw new Error("INSERT ... RETURNING returned no row");
  return row;
}
