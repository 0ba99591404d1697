// Builds the Express app from its parts; listening is server.ts's job (tests, and any other host
// through lib.ts, use the app directly).
import cors from "cors";
import express, { type Express, type RequestHandler } from "express";
import helmet from "helmet";
import type { Idleness } from "@authbridge/service-kit";
import type { Logger } from "pino";
import { requireAuth } from "./auth/requireAuth";
import type { TokenVerifier } from "./auth/tokenVerifier";
import type { HealthReport } from "./db/health";
import { errorHandler, notFoundHandler } from "./http/errorHandler";
import { requestContext } from "./http/requestContext";
import { userScope } from "./http/userScope";
import { type WriteRateLimit, writeRateLimit } from "./http/writeRateLimit";
import { buildOpenApiDocument } from "./openapi/document";
import { methodsOf, routerOf } from "./http/route";
import { ROUTES } from "./routes";
import { docsRouter } from "./routes/docs";
import { healthRoutes } from "./routes/health";
import { meRoutes } from "./routes/me";
import { openApiDocument, publish } from "./routes/openapi";
import { tasksRouter } from "./routes/tasks";
import type { ListenerState } from "./sessions/listener";
import type { SessionRegistry } from "./sessions/registry";
import type { TaskService } from "./services/tasks";
import type { UserService } from "./services/users";

export interface AppDeps {
  /** Origin of BETTER_AUTH_URL: the only origin a browser may call the api from. */
  webOrigin: string;
  verifier: TokenVerifier;
  sessions: SessionRegistry;
  /** The session listener's state, reported by /healthz. */
  listener: () => ListenerState;
  tasks: TaskService;
  users: UserService;
  health: () => Promise<HealthReport>;
  /** Every request under /api touches it; health and docs do not (an orchestrator is not a user). */
  idleness: Idleness;
  /** Per user, on every write under /api (429 past it). */
  writeRateLimit: WriteRateLimit;
  logger: Logger;
}

/** The names createApp gives its own middleware, in the order a request meets them. */
export const MIDDLEWARE = ["request id + log", "helmet", "cors", "requireAuth"] as const;
export type MiddlewareName = (typeof MIDDLEWARE)[number];

export interface AppOptions {
  /**
   * Called once per middleware of MIDDLEWARE while the app is built; what it returns is mounted in
   * its place. For a host that observes the app (timing, counting: api/test/auth.test.ts counts
   * calls): it must call the handler it was given, with the same arguments. Unset: each is mounted as is.
   */
  wrapMiddleware?: (name: MiddlewareName, handler: RequestHandler) => RequestHandler;
}

const healthDeps = (deps: AppDeps, detail: boolean) => ({
  check: deps.health,
  sessions: () => ({ ...deps.listener(), ...deps.sessions.stats() }),
  tokens: () => deps.verifier.cacheStats(),
  detail,
});

/**
 * The operator's view, for a port bound to loopback only (API_OPERATOR_PORT): /healthz with its
 * detail (database latency and TLS, the session listener and session counts) and /livez.
 */
export function createOperatorApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(requestContext(deps.logger));
  app.use(helmet());
  app.use(routerOf(healthRoutes, healthDeps(deps, true)));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

export function createApp(deps: AppDeps, options: AppOptions = {}): Express {
  const app = express();
  app.disable("x-powered-by");
  // Per-user JSON that changes on every write: ETags would only cost a hash per response.
  app.set("etag", false);
  const wrap = options.wrapMiddleware;
  const layer = (name: MiddlewareName, handler: RequestHandler) => (wrap ? wrap(name, handler) : handler);
  app.use(layer("request id + log", requestContext(deps.logger)));
  app.use(layer("helmet", helmet()));
  app.use(
    layer(
      "cors",
      cors({
        // An array makes cors answer only a matching Origin (a plain string is sent to everyone).
        origin: [deps.webOrigin],
        methods: methodsOf(ROUTES),
        allowedHeaders: ["Authorization", "Content-Type"],
        exposedHeaders: ["X-Request-Id"],
        maxAge: 600,
      }),
    ),
  );

  app.use(routerOf(healthRoutes, healthDeps(deps, false)));

  const api = express.Router();
  api.use((_req, _res, next) => {
    deps.idleness.touch();
    next();
  });
  api.use(layer("requireAuth", requireAuth(deps.verifier, deps.sessions)));
  api.use(writeRateLimit(deps.writeRateLimit));
  api.use(routerOf(meRoutes, deps.users, { at: "/api" }));
  api.use(userScope(tasksRouter(deps.tasks)));
  app.use("/api", api);
  // After /api: a request there never walks these routes.
  app.use(routerOf([openApiDocument], publish(buildOpenApiDocument())));
  app.use(docsRouter());

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
