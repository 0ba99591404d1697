// Tasks, always scoped to one user: every statement here names the user it is given, and runs in
// that user's transaction, so row-level security holds it to the same user (db/asUser.ts).
import { type ResilientPool, codeOf } from "@authbridge/db-rules";
import { withDatabase } from "../db/errors";
import { FOREIGN_KEY_VIOLATION, insertTask } from "../db/taskInsert";
import { type TaskRow, selectTaskPage } from "../db/taskPage";
import { UserGoneError } from "./errors";
import { type TaskPosition, encodeCursor } from "./taskCursor";

export interface TaskPage {
  tasks: TaskRow[];
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null;
}

export interface TaskService {
  /** Newest first (createdAt, then id, descending), at most `limit` tasks after `after`. */
  list(userId: string, page: { limit: number; after: TaskPosition | null }): Promise<TaskPage>;
  /** Throws UserGoneError when the user row no longer exists. */
  create(userId: string, title: string): Promise<TaskRow>;
}

/** One page from the pool; the benchmark's floor server calls it too, so both run the same query. */
export async function readTaskPage(pool: ResilientPool, userId: string, limit: number, after: TaskPosition | null): Promise<TaskPage> {
  // One row more than asked tells whether another page exists, without a count.
  const rows = await selectTaskPage(pool, userId, limit + 1, after);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  if (!last) return { tasks: rows, nextCursor: null };
  return { tasks: rows.slice(0, limit), nextCursor: encodeCursor(last) };
}

export function createTaskService(pool: ResilientPool): TaskService {
  return {
    list: (userId, { limit, after }) => withDatabase(() => readTaskPage(pool, userId, limit, after)),
    create: (userId, title) =>
      withDatabase(async () => {
        try {
          return await insertTask(pool, userId, title);
        } catch (err) {
          // The user was deleted after their token was issued.
          if (codeOf(err) === FOREIGN_KEY_VIOLATION) throw new UserGoneError();
          throw err;
        }
      }),
  };
}
