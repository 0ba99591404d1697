// One logger for every service: pino's JSON lines with the same fields (level, time, service, pid,
// msg) and the same redaction, so `make logs` and `docker compose logs` read alike everywhere.
// Requests are never logged with their headers; the redaction is the second line of defence should
// a header object ever reach a log call.
import pino, { levels, type DestinationStream, type LevelWithSilent, type Logger } from "pino";

/** LOG_LEVEL: one of pino's levels, or silent. */
export type LogLevel = LevelWithSilent;
export const LOG_LEVELS: readonly LogLevel[] = [...(Object.keys(levels.values) as LogLevel[]), "silent"];

const REDACTED_PATHS = ["authorization", "cookie", "*.authorization", "*.cookie", "*.headers.authorization", "*.headers.cookie", "token", "*.token"];

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
