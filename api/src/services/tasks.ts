// Tasks, always scoped to one user: every statement (db/tasks.ts) names the user it is given, and
// runs in that user's own transaction, so row-level security holds it to the same user (db/asUser.ts).
import { randomUUID } from "node:crypto";
import { type ResilientPool, codeOf } from "@authbridge/postgres";
import { userQueryable } from "../db/asUser";
import { QUOTA_LOCK, type Queryable, type TaskRow, deleteTask, insertTask, selectTask, selectTaskPage, updateTask } from "../db/tasks";
import type { TaskChanges, TaskPage } from "../openapi/schemas";
import { TaskNotFoundError, TaskQuotaError, UserGoneError } from "./errors";
import { type TaskPosition, encodeCursor } from "./taskCursor";

export interface TaskService {
  /** Newest first (createdAt, then id, descending), at most `limit` tasks after `after`. */
  list(userId: string, page: { limit: number; after: TaskPosition | null }): Promise<TaskPage>;
  /** Throws UserGoneError when the user row no longer exists, TaskQuotaError when the user has `quota` tasks. */
  create(userId: string, title: string): Promise<TaskRow>;
  /** The by-id operations throw TaskNotFoundError for any id that is not one of the user's tasks. */
  get(userId: string, taskId: string): Promise<TaskRow>;
  update(userId: string, taskId: string, changes: TaskChanges): Promise<TaskRow>;
  remove(userId: string, taskId: string): Promise<void>;
}

// The ids this api hands out (randomUUID). Anything else names no task: it is answered without a
// query, so no text the database would reject (a NUL, invalid UTF-8) ever reaches it.
const TASK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function found<T>(row: T | null | false): T {
  if (!row) throw new TaskNotFoundError();
  return row;
}

function taskId(id: string): string {
  if (!TASK_ID.test(id)) throw new TaskNotFoundError();
  return id;
}

/** One page of a user's tasks, newest first. */
export async function readTaskPage(db: Queryable, userId: string, limit: number, after: TaskPosition | null): Promise<TaskPage> {
  // One row more than asked tells whether another page exists, without a count.
  const rows = await selectTaskPage(db, userId, limit + 1, after);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  if (!last) return { tasks: rows, nextCursor: null };
  return { tasks: rows.slice(0, limit), nextCursor: encodeCursor(last) };
}

/** One task by id. */
export async function readTask(db: Queryable, userId: string, id: string): Promise<TaskRow> {
  return found(await selectTask(db, userId, taskId(id)));
}

/** Changes one task. */
export async function changeTask(db: Queryable, userId: string, id: string, changes: TaskChanges): Promise<TaskRow> {
  return found(await updateTask(db, userId, taskId(id), changes));
}

export function createTaskService(pool: ResilientPool, options: { quota: number }): TaskService {
  const as = (userId: string): Queryable => userQueryable(pool, userId);
  return {
    list: (userId, { limit, after }) => readTaskPage(as(userId), userId, limit, after),
    create: async (userId, title) => {
      try {
        const creating = userQueryable(pool, userId, [{ ...QUOTA_LOCK, values: [userId] }]);
        const task = await insertTask(creating, userId, randomUUID(), title, options.quota);
        if (!task) throw new TaskQuotaError(options.quota);
        return task;
      } catch (err) {
        // foreign_key_violation: the user was deleted after their token was issued.
        if (codeOf(err) === "23503") throw new UserGoneError();
        throw err;
      }
    },
    get: (userId, id) => readTask(as(userId), userId, id),
    update: (userId, id, changes) => changeTask(as(userId), userId, id, changes),
    remove: async (userId, id) => {
      found(await deleteTask(as(userId), userId, taskId(id)));
    },
  };
}
