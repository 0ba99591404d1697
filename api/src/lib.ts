// The api as a library: what a process other than server.ts needs to host the app or parts of it
// (package export "@authbridge/api/lib", compiled to dist/lib.js; docs/API-SERVICE.md "Hosting
// the app"). server.ts itself is built from exactly these: loadConfig, createRuntime, createApp.
// Everything else under src/ is private to the api and may change without notice.

/** The validated environment (throws ConfigError naming the variable, never its value). */
export { type Config, loadConfig } from "./config";
/** One pool, the token verifier, the session registry and its listener, the services, the health probe. */
export { type Runtime, TOKEN_CACHE_SIZE, SESSION_CACHE_SIZE, createRuntime } from "./runtime";
/** The public app and the operator's app; `wrapMiddleware` observes each of the app's own middleware. */
export { type AppDeps, type AppOptions, MIDDLEWARE, type MiddlewareName, createApp, createOperatorApp } from "./app";
/** The token check on its own, with its verified-token cache (cacheSize 0 turns the cache off). */
export { type TokenVerifier, type VerifierOptions, type Verification, createTokenVerifier } from "./auth/tokenVerifier";
/** ACCESS_TOKEN_ALG=EdDSA: the web's public keys from its JWKS, by `kid`, for the verifier. */
export { type JwksKeySource, type JwksOptions, createJwksKeySource } from "./auth/jwks";
/** The list's query rules (`?limit=&cursor=`) and a PATCH body's schema, for a route served without the validation middleware. */
export { type PageRequest, parsePageRequest } from "./routes/tasks/pageRequest";
export { TaskChanges } from "./openapi/schemas";
/** The error a request's input is refused with: `status` and `body()` are the api's answer. */
export { HttpError } from "./http/errors";
export { TaskNotFoundError } from "./services/errors";
/** A page of the list as the service returns it: the output of the TaskPage schema the route documents. */
export type { TaskPage } from "./openapi/schemas";
export type { TaskService } from "./services/tasks";
