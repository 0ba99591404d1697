// Tasks, always scoped to one user: every query here filters by the user id it is given.
import type { Database } from "../db/prisma";
import { isPrismaError, withDatabase } from "../db/errors";
import { UserGoneError } from "./errors";

export interface TaskView {
  id: string;
  title: string;
  done: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const VIEW = { id: true, title: true, done: true, createdAt: true, updatedAt: true } as const;

export interface TaskService {
  list(userId: string): Promise<TaskView[]>;
  /** Throws UserGoneError when the user row no longer exists. */
  create(userId: string, title: string): Promise<TaskView>;
}

export function createTaskService(db: Database): TaskService {
  return {
    list: (userId) => withDatabase(() => db.task.findMany({ where: { userId }, select: VIEW, orderBy: [{ createdAt: "desc" }, { id: "desc" }] })),
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
