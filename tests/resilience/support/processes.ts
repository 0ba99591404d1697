// The resilience runs keep every line every service writes in test-results/resilience/logs as
// well, for the log audit that runs last.
import { type Program, startProgram } from "@authbridge/testing/processes";
import { logsDir } from "./paths";

export function startLogged(name: string, script: string, env: Record<string, string>): Program {
  return startProgram(name, script, { env, logDir: logsDir });
}
