// GET /api/{userId}/tasks/{taskId}: one of the caller's tasks.
import { authOf } from "../../auth/requireAuth";
import { json, ownerOnly, taskNotFound } from "../../openapi/responses";
import { SingleTask, TaskPath } from "../../openapi/schemas";
import { taskRoute } from "./taskRoute";

export const readTask = taskRoute({
  method: "get",
  path: "/api/{userId}/tasks/{taskId}",
  summary: "One of the caller's tasks",
  bearer: true,
  request: { params: TaskPath },
  responses: { 200: json(SingleTask, "The task"), 404: taskNotFound, ...ownerOnly },
  handler: async (tasks, { params }, req, res) => {
    res.json({ task: await tasks.get(authOf(req).userId, params.taskId) });
  },
});
