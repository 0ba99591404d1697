// The tasks resource's routes: declared with routeOf (http/route.ts), handlers given the TaskService.
import { routeOf } from "../../http/route";
import type { TaskService } from "../../services/tasks";

export const taskRoute = routeOf<TaskService>();
