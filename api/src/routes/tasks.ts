// The caller's tasks. Mounted under /api/:userId (http/userScope.ts), which already made sure the
// path's user is the token's subject.
import express, { Router } from "express";
import { authOf } from "../auth/requireAuth";
import { HttpError } from "../http/errors";
import type { TaskService } from "../services/tasks";
import { parseNewTask } from "./taskInput";
import { parseTaskPageQuery } from "./taskPageQuery";

export const BODY_LIMIT = "16kb";

const requireJson: express.RequestHandler = (req, _res, next) => {
  if (!req.is("application/json")) {
    return next(new HttpError(415, "unsupported_media_type", "the body must be application/json"));
  }
  next();
};

export function tasksRouter(tasks: TaskService): Router {
  const router = Router();
  router.get("/tasks", async (req, res) => {
    res.json(await tasks.list(authOf(req).userId, parseTaskPageQuery(req.query)));
  });
  router.post("/tasks", requireJson, express.json({ limit: BODY_LIMIT }), async (req, res) => {
    const { title } = parseNewTask(req.body);
    res.status(201).json({ task: await tasks.create(authOf(req).userId, title) });
  });
  return router;
}
