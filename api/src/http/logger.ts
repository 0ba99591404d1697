// Structured JSON logs. Requests are never logged with their headers, and the redaction below
// is the second line of defence should a header object ever reach a log call.
import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "../config";

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    // pid tells the workers of one api apart (API_WORKERS); no hostname, it says nothing here.
    base: { service: "api", pid: process.pid },
    redact: {
      paths: ["authorization", "cookie", "*.authorization", "*.cookie", "*.headers.authorization", "*.headers.cookie", "token", "*.token"],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
