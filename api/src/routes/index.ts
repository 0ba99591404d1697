// Every route the api documents, in the document's order. The OpenAPI document, the CORS methods
// and the tests' route list are derived from this list; the routers from each resource's own.
import type { RouteDocs } from "../http/route";
import { healthRoutes } from "./health";
import { meRoutes } from "./me";
import { openApiDocument } from "./openapi";
import { taskRoutes } from "./tasks";

export const ROUTES: readonly RouteDocs[] = [...meRoutes, ...taskRoutes, ...healthRoutes, openApiDocument];
