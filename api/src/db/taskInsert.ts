// Creating a task within the user's quota, race-free. Under READ COMMITTED a count and an insert
// in one statement share that statement's snapshot, so two concurrent creates could both see
// room for one more. A transaction-scoped advisory lock per user serialises that user's creates
// (no other user waits, no row is locked, no UPDATE privilege is needed), and the insert after
// it, a new statement with a new snapshot, counts every task committed before the lock was won.
import type { ResilientPool } from "@authbridge/db-rules";
import { COLUMNS, type TaskRow } from "./taskPage";

// The second key of the pair keeps these locks apart from any other advisory lock user.
const LOCK = `SELECT pg_advisory_xact_lock(hashtext('authbridge:task-quota'), hashtext($1))`;
// Prisma stores DateTime as UTC in timestamp(3) and makes ids with uuid(): the same here.
const INSERT = `
  INSERT INTO task (id, "userId", title, "updatedAt", "createdAt")
  SELECT gen_random_uuid()::text, $1, $2, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
  WHERE (SELECT count(*) FROM task WHERE "userId" = $1) < $3
  RETURNING ${COLUMNS}`;

/** The new task, or null when the user already has `quota` tasks. */
export function insertTaskWithinQuota(pool: ResilientPool, userId: string, title: string, quota: number): Promise<TaskRow | null> {
  return pool.withTransaction(async (client) => {
    await client.query(LOCK, [userId]);
    const { rows } = await client.query<TaskRow>(INSERT, [userId, title, quota]);
    return rows[0] ?? null;
  });
}
