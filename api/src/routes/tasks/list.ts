// GET /api/{userId}/tasks: one page of the caller's tasks, newest first.
import { authOf } from "../../auth/requireAuth";
import { invalidRequest, json, ownerOnly } from "../../openapi/responses";
import { TaskListQuery, TaskPage, UserPath } from "../../openapi/schemas";
import { toPageRequest } from "./pageRequest";
import { taskRoute } from "./taskRoute";

export const listTasks = taskRoute({
  method: "get",
  path: "/api/{userId}/tasks",
  summary: "One page of the caller's tasks, newest first",
  bearer: true,
  request: { params: UserPath, query: TaskListQuery },
  responses: {
    200: json(TaskPage, "A page of tasks"),
    400: invalidRequest("A bad limit or cursor", { limit: "must be an integer from 1 to 200" }),
    ...ownerOnly,
  },
  handler: async (tasks, { query }, req, res) => {
    res.json(await tasks.list(authOf(req).userId, toPageRequest(query)));
  },
});
