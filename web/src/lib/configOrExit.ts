// No "server-only" marker: the process entry (src/server.ts, plain node) refuses with it too.
import { ConfigError } from "@authbridge/service-kit";
import { type Config, getConfig } from "../config";

/** The refusal: one line naming the variable (never its value), then exit code 1. */
export function configOrExit(): Config {
  try {
    return getConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
