// The web's logger: the shared one (the api's fields and redaction), made once LOG_LEVEL is known.
import "server-only";
import { createLogger } from "@authbridge/service-kit";
import type { Logger } from "pino";
import { getConfig } from "../config";

let logger: Logger | undefined;

/** Made on first use, not at import: `next build` imports every route where no environment exists. */
export function getLogger(): Logger {
  logger ??= createLogger("web", getConfig().logLevel);
  return logger;
}
