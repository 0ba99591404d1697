// Structured JSON logs with the api's fields (pino: level, time, service, msg), so both services
// read the same in `make logs`. Requests are never logged with their headers, and the redaction
// below is the second line of defence should a header object ever reach a log call.
import "server-only";
import pino, { type DestinationStream, type Logger } from "pino";
import { getConfig, type LogLevel } from "../config";

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    // pid tells the replicas of one host apart, as in the api; no hostname, it says nothing here.
    base: { service: "web", pid: process.pid },
    redact: {
      paths: ["authorization", "cookie", "*.authorization", "*.cookie", "*.headers.authorization", "*.headers.cookie", "token", "*.token"],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

let logger: Logger | undefined;

/** Made on first use, not at import: `next build` imports every route where no environment exists. */
export function getLogger(): Logger {
  logger ??= createLogger(getConfig().logLevel);
  return logger;
}
