// Builds the Express app from its parts; listening is server.ts's job (tests use the app directly).
import cors from "cors";
import express, { type Express, type RequestHandler } from "express";
import helmet from "helmet";
import type { Idleness } from "@authbridge/service-kit";
import type { Logger } from "pino";
import { requireAuth } from "./auth/requireAuth";
import type { TokenVerifier } from "./auth/tokenVerifier";
import type { HealthReport } from "./db/health";
import { errorHandler, notFoundHandler } from "./http/errorHandler";
import { LayerClock } from "./http/layerClock";
import { requestContext } from "./http/requestContext";
import { userScope } from "./http/userScope";
import { type WriteRateLimit, writeRateLimit } from "./http/writeRateLimit";
import { buildOpenApiDocument } from "./openapi/document";
import { methodsOf, routerOf } from "./http/route";
import { ROUTES } from "./routes";
import { benchRouter } from "./routes/bench";
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
  bench?: boolean;
}

const healthDeps = (deps: AppDeps, detail: boolean) => ({
  check: deps.health,
  sessions: () => ({ ...deps.listener(), ...deps.sessions.stats() }),
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

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  // Per-user JSON that changes on every write: ETags would only cost a hash per response.
  app.set("etag", false);
  const clock = deps.bench ? new LayerClock() : null;
  const layer = (name: string, handler: RequestHandler) => (clock ? clock.timed(name, handler) : handler);
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
  app.use(routerOf([openApiDocument], publish(buildOpenApiDocument())));
  app.use(docsRouter());
  if (clock) app.use("/bench", benchRouter({ tokenCache: () => deps.verifier.cacheStats(), layers: () => clock.stats() }));

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

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
