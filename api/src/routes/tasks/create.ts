// POST /api/{userId}/tasks: add a task for the caller.
import { authOf } from "../../auth/requireAuth";
import { invalidRequest, json, jsonBody, ownerOnly, taskQuotaExceeded, write } from "../../openapi/responses";
import { NewTask, SingleTask, UserPath } from "../../openapi/schemas";
import { taskRoute } from "./taskRoute";

export const createTask = taskRoute({
  method: "post",
  path: "/api/{userId}/tasks",
  summary: "Add a task for the caller",
  bearer: true,
  request: { params: UserPath, body: NewTask },
  responses: {
    201: json(SingleTask, "The new task"),
    400: invalidRequest("Malformed JSON, or a body that breaks the rules (see `fields`)", { title: "must not be empty" }),
    409: taskQuotaExceeded,
    ...ownerOnly,
    ...jsonBody,
    ...write,
  },
  handler: async (tasks, { body }, req, res) => {
    res.status(201).json({ task: await tasks.create(authOf(req).userId, body.title) });
  },
});
