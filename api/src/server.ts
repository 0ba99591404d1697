// The api process: validate the environment, listen, and shut down cleanly on SIGTERM/SIGINT.
import type { Server } from "node:http";
import type { Logger } from "pino";
import { createApp } from "./app";
import { ConfigError, type Config, loadConfig } from "./config";
import { databaseHostKind } from "./db/pool";
import { createLogger } from "./http/logger";
import { type Runtime, createRuntime } from "./runtime";

const SHUTDOWN_GRACE_MS = 10_000;

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // One line naming the variable(s), never a value; nothing else starts.
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}

function shutdownOnSignals(server: Server, runtime: Runtime, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: no new connections, finishing in-flight requests");
    const force = setTimeout(() => {
      logger.warn("in-flight requests still running after 10 s, closing their connections");
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      runtime
        .close()
        .catch((err: unknown) => logger.warn({ error: String(err) }, "closing the database pool failed"))
        .finally(() => {
          logger.info({ tokenCache: runtime.deps.verifier.cacheStats() }, "stopped");
          process.exit(0);
        });
    });
    // Keep-alive connections with no request in flight would otherwise hold close() open.
    server.closeIdleConnections();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

function main(): void {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const runtime = createRuntime(config, logger);
  const server = createApp(runtime.deps).listen(config.port);
  server.on("error", (err) => {
    logger.fatal({ error: err.message }, "cannot listen");
    process.exit(1);
  });
  server.on("listening", () => {
    logger.info(
      { port: config.port, keyFingerprint: runtime.keyFingerprint, database: databaseHostKind(config.databaseUrl), bench: config.bench },
      "api listening",
    );
  });
  shutdownOnSignals(server, runtime, logger);
}

main();
