// One logger for every service: pino's JSON lines with the same fields (level, time, service, pid,
// msg) and the same redaction, so `make logs` and `docker compose logs` read alike everywhere.
// Requests are never logged with their headers; the redaction is the second line of defence should
// a header object ever reach a log call.
import pino, { levels, type DestinationStream, type LevelWithSilent, type Logger } from "pino";

/** LOG_LEVEL: one of pino's levels, or silent. */
export type LogLevel = LevelWithSilent;
export const LOG_LEVELS: readonly LogLevel[] = [...(Object.keys(levels.values) as LogLevel[]), "silent"];

// Credentials by key, at the top of a log call's fields and one level down (a config, a request, a
// user): request headers, tokens, passwords, secrets, and database URLs, which carry a password.
const CREDENTIAL_KEYS = [
  "authorization",
  "cookie",
  "token",
  "password",
  "newPassword",
  "currentPassword",
  "POSTGRES_PASSWORD",
  "secret",
  "secrets",
  "BETTER_AUTH_SECRET",
  "BETTER_AUTH_SECRETS",
  "connectionString",
  "databaseUrl",
  "directUrl",
  "listenUrl",
  "DATABASE_URL",
  "DIRECT_URL",
  "COMPOSE_DATABASE_URL",
];
const REDACTED_PATHS = [...CREDENTIAL_KEYS, ...CREDENTIAL_KEYS.map((key) => `*.${key}`), "*.headers.authorization", "*.headers.cookie"];

/** JSON lines to `destination` (stdout when absent). */
export function createLogger(service: string, level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    // pid tells the processes of one service apart (api workers, web replicas); no hostname, it says nothing here.
    base: { service, pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
  return destination ? pino(options, destination) : pino(options);
}
