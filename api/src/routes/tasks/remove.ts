// DELETE /api/{userId}/tasks/{taskId}: remove one of the caller's tasks.
import { authOf } from "../../auth/requireAuth";
import { ownerOnly, taskNotFound, write } from "../../openapi/responses";
import { TaskPath } from "../../openapi/schemas";
import { taskRoute } from "./taskRoute";

export const deleteTask = taskRoute({
  method: "delete",
  path: "/api/{userId}/tasks/{taskId}",
  summary: "Delete one of the caller's tasks",
  bearer: true,
  request: { params: TaskPath },
  // A second DELETE of the same id is a 404: the task is not the caller's any more.
  responses: { 204: { description: "Deleted" }, 404: taskNotFound, ...ownerOnly, ...write },
  handler: async (tasks, { params }, req, res) => {
    await tasks.remove(authOf(req).userId, params.taskId);
    res.status(204).end();
  },
});
