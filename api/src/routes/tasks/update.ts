// PATCH /api/{userId}/tasks/{taskId}: rename, complete or un-complete one of the caller's tasks.
import { authOf } from "../../auth/requireAuth";
import { invalidRequest, json, jsonBody, ownerOnly, taskNotFound, write } from "../../openapi/responses";
import { SingleTask, TaskChanges, TaskPath } from "../../openapi/schemas";
import { taskRoute } from "./taskRoute";

export const updateTask = taskRoute({
  method: "patch",
  path: "/api/{userId}/tasks/{taskId}",
  summary: "Change the title or the done flag of one of the caller's tasks",
  bearer: true,
  request: { params: TaskPath, body: TaskChanges },
  responses: {
    200: json(SingleTask, "The changed task, updatedAt moved forward"),
    400: invalidRequest("Malformed JSON, no field to change, an unknown field, or a value that breaks the rules (see `fields`)", {
      done: "must be true or false",
    }),
    404: taskNotFound,
    ...ownerOnly,
    ...jsonBody,
    ...write,
  },
  handler: async (tasks, { params, body }, req, res) => {
    res.json({ task: await tasks.update(authOf(req).userId, params.taskId, body) });
  },
});
