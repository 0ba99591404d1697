// The migrator's log: the shared pino logger (service "migrator", the api's and web's fields), with
// debug and info on stdout and warnings and errors on stderr, so a one-shot's failure stands out
// wherever its output lands (a terminal, a script's 2>, `docker compose logs`). Every message passes
// through `redact` before pino sees it, so the database password never reaches a log.
import { type LogLevel, createLogger as createServiceLogger } from "@authbridge/service-kit";
import pino from "pino";

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(level: LogLevel, secrets: readonly string[] = []): Logger {
  const hidden = [...new Set(secrets.filter((secret) => secret.length > 0))];
  // Removes every secret this logger knows from a message.
  const redact = (text: string): string => hidden.reduce((out, secret) => out.split(secret).join("****"), text);
  // dedupe: each line goes only to the stream with the highest level at or below its own.
  const streams = pino.multistream(
    [
      { level: "trace", stream: process.stdout },
      { level: "warn", stream: process.stderr },
    ],
    { dedupe: true },
  );
  const log = createServiceLogger("migrator", level, streams);
  return {
    debug: (message) => log.debug(redact(message)),
    info: (message) => log.info(redact(message)),
    warn: (message) => log.warn(redact(message)),
    error: (message) => log.error(redact(message)),
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
