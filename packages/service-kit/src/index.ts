// What every service starts with: its environment's rules and its logger. The services share it
// and never import each other; it never reads process.env (each service's config.ts does).
export { type Setting, type Settings, type Values, readEnvironment } from "./environment";
export { ConfigError, InvalidValue } from "./errors";
export { Idleness, type IdlenessListener, type IdlenessState } from "./idleness";
export { LOG_LEVELS, type LogLevel, createLogger } from "./logger";
export { refusal, setVariables } from "./refusal";
export { MIN_SECRET_LENGTH, SINGLE_SECRET_VERSION, type SecretVersion, secret, secretList, secretVersions, secretsProblem } from "./secrets";
export { httpUrl, integer, limit, logLevel, origin, secureHttpUrl, tlsDatabaseUrl } from "./validators";
