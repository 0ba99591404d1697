// Tasks, always scoped to one user: every query here filters by the user id it is given.
import type { Pool } from "pg";
import type { Database } from "../db/prisma";
import { isPrismaError, withDatabase } from "../db/errors";
import { type TaskRow, selectTaskPage } from "../db/taskPage";
import { UserGoneError } from "./errors";
import { type TaskPosition, encodeCursor } from "./taskCursor";

export interface TaskView {
  id: string;
  title: string;
  done: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const VIEW = { id: true, title: true, done: true, createdAt: true, updatedAt: true } as const;

export interface TaskPage {
  tasks: TaskRow[];
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null;
}

export interface TaskService {
  /** Newest first (createdAt, then id, descending), at most `limit` tasks after `after`. */
  list(userId: string, page: { limit: number; after: TaskPosition | null }): Promise<TaskPage>;
  /** Throws UserGoneError when the user row no longer exists. */
  create(userId: string, title: string): Promise<TaskView>;
}

/** One page from the pool; the benchmark's floor server calls it too, so both run the same query. */
export async function readTaskPage(pool: Pool, userId: string, limit: number, after: TaskPosition | null): Promise<TaskPage> {
  // One row more than asked tells whether another page exists, without a count.
  const rows = await selectTaskPage(pool, userId, limit + 1, after);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  if (!last) return { tasks: rows, nextCursor: null };
  return { tasks: rows.slice(0, limit), nextCursor: encodeCursor(last) };
}

/** Prisma writes; the list is read from the same pool with a prepared statement (db/taskPage.ts). */
export function createTaskService(db: Database, pool: Pool): TaskService {
  return {
    list: (userId, { limit, after }) => withDatabase(() => readTaskPage(pool, userId, limit, after)),
    create: (userId, title) =>
      withDatabase(async () => {
        try {
          return await db.task.create({ data: { userId, title }, select: VIEW });
        } catch (err) {
          // Foreign key: the user was deleted after their token was issued.
          if (isPrismaError(err, "P2003")) throw new UserGoneError();
          throw err;
        }
      }),
  };
}
