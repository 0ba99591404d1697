// One JSON object per line on stdout, like the api's pino output, so both read the same in `make logs`.
import "server-only";
import { type LogLevel, getConfig } from "../config";

const RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

function write(level: Exclude<LogLevel, "silent">, msg: string, fields: Record<string, unknown>): void {
  if (RANK[level] < RANK[getConfig().logLevel]) return;
  console.log(JSON.stringify({ level, time: new Date().toISOString(), service: "web", msg, ...fields }));
}

export const log = {
  info: (msg: string, fields: Record<string, unknown> = {}) => write("info", msg, fields),
  warn: (msg: string, fields: Record<string, unknown> = {}) => write("warn", msg, fields),
  error: (msg: string, fields: Record<string, unknown> = {}) => write("error", msg, fields),
};
