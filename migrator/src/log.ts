// Plain one-line messages for a one-shot program: info and debug to stdout, warnings and errors
// to stderr. Every line passes through `redact`, so the database password never reaches a log.
import type { LogLevel } from "./config";

const rank: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 99 };

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Removes every secret this logger knows from a text. */
  redact(text: string): string;
}

export function createLogger(level: LogLevel, secrets: readonly string[] = []): Logger {
  const hidden = [...new Set(secrets.filter((secret) => secret.length > 0))];
  const redact = (text: string): string => hidden.reduce((out, secret) => out.split(secret).join("****"), text);
  const write = (at: LogLevel, stream: NodeJS.WriteStream, message: string) => {
    if (rank[at] < rank[level]) return;
    for (const line of redact(message).split("\n")) stream.write(`migrator: ${line}\n`);
  };
  return {
    debug: (message) => write("debug", process.stdout, message),
    info: (message) => write("info", process.stdout, message),
    warn: (message) => write("warn", process.stderr, message),
    error: (message) => write("error", process.stderr, message),
    redact,
  };
}

/** The password of a database URL in every spelling it may appear in (raw and percent-decoded). */
export function urlSecrets(url: URL): string[] {
  if (!url.password) return [];
  let decoded = url.password;
  try {
    decoded = decodeURIComponent(url.password);
  } catch {
    // a malformed escape: the raw spelling is all there is
  }
  return [url.password, decoded];
}
