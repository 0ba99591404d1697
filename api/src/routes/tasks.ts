// The caller's tasks. Mounted under /api/:userId (http/userScope.ts), which already made sure the
// path's user is the token's subject.
import express, { Router } from "express";
import { authOf } from "../auth/requireAuth";
import { NewTask, TaskListQuery } from "../contract/schemas";
import { HttpError } from "../http/errors";
import { validated } from "../http/validate";
import type { TaskService } from "../services/tasks";
import { toTaskPage } from "./taskPageQuery";

export const BODY_LIMIT = "16kb";

const requireJson: express.RequestHandler = (req, _res, next) => {
  if (!req.is("application/json")) {
    return next(new HttpError(415, "unsupported_media_type", "the body must be application/json"));
  }
  next();
};

export function tasksRouter(tasks: TaskService): Router {
  const router = Router();
  router.get(
    "/tasks",
    validated({ query: TaskListQuery }, async ({ query }, req, res) => {
      res.json(await tasks.list(authOf(req).userId, toTaskPage(query)));
    }),
  );
  router.post(
    "/tasks",
    requireJson,
    express.json({ limit: BODY_LIMIT }),
    validated({ body: NewTask }, async ({ body }, req, res) => {
      res.status(201).json({ task: await tasks.create(authOf(req).userId, body.title) });
    }),
  );
  return router;
}
