// Every resilience run is audited (logs.test.ts runs last): each process's output is kept in
// logsDir and the services log at debug, the most they ever write.
import type { StackOptions } from "@authbridge/testing/stack";
import { logsDir } from "./paths";

/** A stack whose every line is kept for the audit. */
export function audited(options: StackOptions = {}): StackOptions {
  return { ...options, logDir: logsDir, env: { LOG_LEVEL: "debug", ...options.env } };
}
