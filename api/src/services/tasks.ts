// Tasks, always scoped to one user: every query here filters by the user id it is given.
import { type ResilientPool, codeOf } from "@authbridge/db-rules";
import type { Pool } from "pg";
import { withDatabase } from "../db/errors";
import { insertTaskWithinQuota } from "../db/taskInsert";
import { type TaskRow, selectTaskPage } from "../db/taskPage";
import { TaskQuotaError, UserGoneError } from "./errors";
import { type TaskPosition, encodeCursor } from "./taskCursor";

export interface TaskPage {
  tasks: TaskRow[];
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null;
}

export interface TaskService {
  /** Newest first (createdAt, then id, descending), at most `limit` tasks after `after`. */
  list(userId: string, page: { limit: number; after: TaskPosition | null }): Promise<TaskPage>;
  /** Throws UserGoneError when the user row no longer exists, TaskQuotaError when the user has `quota` tasks. */
  create(userId: string, title: string): Promise<TaskRow>;
}

/** One page from the pool; the benchmark's floor server calls it too, so both run the same query. */
export async function readTaskPage(pool: Pool, userId: string, limit: number, after: TaskPosition | null): Promise<TaskPage> {
  // One row more than asked tells whether another page exists, without a count.
  const rows = await selectTaskPage(pool, userId, limit + 1, after);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  if (!last) return { tasks: rows, nextCursor: null };
  return { tasks: rows.slice(0, limit), nextCursor: encodeCursor(last) };
}

/** Both from the pool: the list with a prepared statement (db/taskPage.ts), the create within the quota (db/taskInsert.ts). */
export function createTaskService(pool: ResilientPool, options: { quota: number }): TaskService {
  return {
    list: (userId, { limit, after }) => withDatabase(() => readTaskPage(pool, userId, limit, after)),
    create: async (userId, title) => {
      const task = await withDatabase(async () => {
        try {
          return await insertTaskWithinQuota(pool, userId, title, options.quota);
        } catch (err) {
          // Foreign key: the user was deleted after their token was issued.
          if (codeOf(err) === "23503") throw new UserGoneError();
          throw err;
        }
      });
      if (!task) throw new TaskQuotaError(options.quota);
      return task;
    },
  };
}
