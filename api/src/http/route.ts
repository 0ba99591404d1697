// A route is declared once, in its resource's folder: method, path, request schemas, documented
// responses and handler in one object. The Express route (routerOf), the OpenAPI document
// (openapi/document.ts), the CORS methods (app.ts) and the tests' route list all derive from it.
import type { ResponseConfig } from "@asteasolutions/zod-to-openapi";
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, Router } from "express";
import { HttpError } from "./errors";
import { type RequestSchemas, type ValidInput, validated } from "./validate";

export const BODY_LIMIT = "16kb";

export type Method = "get" | "post" | "patch" | "delete";

/** What the document and the CORS policy read of a route. */
export interface RouteDocs {
  method: Method;
  /** The OpenAPI path, parameters in braces: /api/{userId}/tasks/{taskId}. */
  path: string;
  summary: string;
  /** Whether a bearer token is required (documented as the bearerAuth scheme). */
  bearer: boolean;
  request: RequestSchemas;
  /** Every status the route answers; the contract test calls each one. */
  responses: Record<number, ResponseConfig>;
}

export interface Route<D, S extends RequestSchemas = RequestSchemas> extends RouteDocs {
  request: S;
  // Method syntax on purpose: a list of routes with different schemas is a list of Route<D>.
  handler(deps: D, input: ValidInput<S>, req: Request, res: Response): Promise<void> | void;
}

/** Declares a route of a resource whose handlers need D; the schemas type the handler's input. */
export const routeOf =
  <D>() =>
  <S extends RequestSchemas>(route: Route<D, S>): Route<D, S> =>
    route;

const requireJson: RequestHandler = (req, _res, next) => {
  if (!req.is("application/json")) {
    return next(new HttpError(415, "unsupported_media_type", "the body must be application/json"));
  }
  next();
};

export interface Mounting {
  /** The prefix the router is mounted at, in OpenAPI form ("/api/{userId}"); stripped from each path. */
  at?: string;
  /**
   * The error for a path parameter that is not even valid percent-encoding. Without it Express
   * answers 400; a resource whose ids must all look alike when absent says what to answer instead.
   */
  malformedParam?: () => Error;
}

/** The Express router of a resource's routes, their handlers given `deps`. */
export function routerOf<D>(routes: readonly Route<D>[], deps: D, mounting: Mounting = {}): Router {
  const at = mounting.at ?? "";
  // mergeParams: the mount's own parameters ({userId}) are validated with the route's.
  const router = Router({ mergeParams: true });
  for (const route of routes) {
    if (!route.path.startsWith(at)) throw new Error(`${route.method} ${route.path} is not under ${at}`);
    const path = route.path.slice(at.length).replace(/\{(\w+)\}/g, ":$1");
    const body = route.request.body ? [requireJson, express.json({ limit: BODY_LIMIT })] : [];
    router[route.method](
      path,
      ...body,
      validated(route.request, (input, req, res) => route.handler(deps, input, req, res)),
    );
  }
  const { malformedParam } = mounting;
  if (malformedParam) {
    const onMalformed: ErrorRequestHandler = (err, _req, _res, next) => next(err instanceof URIError ? malformedParam() : err);
    router.use(onMalformed);
  }
  return router;
}

/** The methods a browser may send across origins: those some route declares. */
export function methodsOf(routes: readonly RouteDocs[]): string[] {
  return [...new Set(routes.map((route) => route.method.toUpperCase()))];
}
