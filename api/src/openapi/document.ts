// The OpenAPI 3.1 document, generated from the route declarations (routes/index.ts) and the same
// zod schemas the routes validate with. Served at GET /openapi.json and committed as
// api/openapi.json (`make openapi` rewrites it).
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from "@asteasolutions/zod-to-openapi";
import type { RouteDocs } from "../http/route";
import { ROUTES } from "../routes";

function operationOf(route: RouteDocs): RouteConfig {
  const { params, query, body } = route.request;
  return {
    method: route.method,
    path: route.path,
    summary: route.summary,
    security: route.bearer ? [{ bearerAuth: [] }] : [],
    request: {
      ...(params ? { params } : {}),
      ...(query ? { query } : {}),
      ...(body ? { body: { required: true, content: { "application/json": { schema: body } } } } : {}),
    },
    responses: route.responses,
  };
}

export function buildOpenApiDocument(routes: readonly RouteDocs[] = ROUTES) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "A short-lived HS256 JWT from the web's GET /api/auth/token, signed with a key HKDF-derived from BETTER_AUTH_SECRET; iss = the web's origin, aud = the api's origin, sub = the user id.",
  });
  for (const route of routes) registry.registerPath(operationOf(route));

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "authbridge api",
      version: "1",
      description:
        "Each user's own tasks, for bearers of the web's short-lived access token. Errors are always `{ error: { code, message, fields? } }`.",
    },
  });
}
