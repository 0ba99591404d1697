// The tasks resource: its routes, and its router for mounting under /api/{userId} (http/userScope.ts).
import type { Router } from "express";
import { taskNotFound } from "../../http/errors";
import { routerOf } from "../../http/route";
import type { TaskService } from "../../services/tasks";
import { createTask } from "./create";
import { listTasks } from "./list";
import { readTask } from "./read";
import { deleteTask } from "./remove";
import { updateTask } from "./update";

export const taskRoutes = [listTasks, createTask, readTask, updateTask, deleteTask];

export function tasksRouter(tasks: TaskService): Router {
  // An id that is not even valid percent-encoding names no task either: the same 404.
  return routerOf(taskRoutes, tasks, { at: "/api/{userId}", malformedParam: taskNotFound });
}
