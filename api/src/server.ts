// The api process: validate the environment, listen, and shut down cleanly on SIGTERM/SIGINT.
// With API_WORKERS > 1 this process becomes the cluster primary (cluster.ts) and each worker
// runs serve() below; with 1 it serves by itself.
import cluster from "node:cluster";
import { type Server, createServer } from "node:http";
import { databaseHostKind } from "@authbridge/postgres";
import { ConfigError, createLogger } from "@authbridge/service-kit";
import type { Logger } from "pino";
import { runPrimary } from "./cluster";
import { type Config, loadConfig } from "./config";
import type { Runtime } from "./runtime";

// Together within the 10 s that Compose and Kubernetes wait before SIGKILL.
const IN_FLIGHT_GRACE_MS = 9_000;
const POOL_CLOSE_MS = 1_000;
// A client that trickles its headers or body (slowloris) is answered 408 and dropped after these,
// instead of holding a socket for Node's defaults (60 s for headers, 300 s for the request). The
// body is at most 16 KB; the timeouts are checked every second.
const SERVER_TIMEOUTS = { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 } as const;

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

function shutdownOnSignals(server: Server, operator: Server | undefined, runtime: Runtime, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: no new connections, finishing in-flight requests");
    const force = setTimeout(() => {
      logger.warn("in-flight requests still running after 9 s, closing their connections");
      server.closeAllConnections();
    }, IN_FLIGHT_GRACE_MS);
    force.unref();
    // The operator's port has only quick reads: nothing there is worth waiting for.
    operator?.close();
    operator?.closeAllConnections();
    server.close(() => {
      clearTimeout(force);
      // A connection attempt to a hung database would hold pool.end() for the whole connect timeout.
      const poolClosed = new Promise<void>((resolve) => setTimeout(resolve, POOL_CLOSE_MS));
      Promise.race([runtime.close(), poolClosed])
        .catch((err: unknown) => logger.warn({ error: String(err) }, "closing the database pool failed"))
        .finally(() => {
          logger.info({ tokenCache: runtime.deps.verifier.cacheStats() }, "stopped");
          process.exit(0);
        });
    });
    // Keep-alive connections with no request in flight would otherwise hold close() open, until
    // their keep-alive timeout: close them now, and each one as soon as its last response is out.
    server.closeIdleConnections();
  };
  server.on("request", (_req, res) => {
    res.on("finish", () => {
      if (stopping) setImmediate(() => server.closeIdleConnections());
    });
  });
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

async function serve(config: Config, logger: Logger): Promise<void> {
  // Loaded here, not at the top: a cluster primary never serves, so it never loads Express.
  const [{ createApp, createOperatorApp }, { createRuntime }] = await Promise.all([import("./app"), import("./runtime")]);
  const runtime = createRuntime(config, logger);
  // Nothing listens before a token can be verified (EdDSA: the JWKS gave a key), so neither
  // /healthz nor an orchestrator ever sees an api that would refuse every token.
  await runtime.ready();
  const server = createServer(SERVER_TIMEOUTS, createApp(runtime.deps)).listen(config.port);
  // Loopback only: another host (or container) never sees the detail.
  const operator = config.operatorPort === undefined ? undefined : createOperatorApp(runtime.deps).listen(config.operatorPort, "127.0.0.1");
  for (const listening of [server, operator]) {
    listening?.on("error", (err) => {
      logger.fatal({ error: err.message }, "cannot listen");
      process.exit(1);
    });
  }
  server.on("listening", () => {
    logger.info(
      {
        port: config.port,
        operatorPort: config.operatorPort,
        accessTokenAlg: config.accessTokenAlg,
        ...(config.accessTokenAlg === "HS256"
          ? { keyFingerprint: runtime.keyFingerprint, keyFingerprints: runtime.keyFingerprints }
          : { jwksUrl: config.jwks.url, jwks: runtime.jwks?.() }),
        database: databaseHostKind(config.databaseUrl),
        workers: config.workers,
      },
      "api listening",
    );
  });
  shutdownOnSignals(server, operator, runtime, logger);
}

function main(): void {
  const config = readConfig();
  const logger = createLogger("api", config.logLevel);
  if (config.workers > 1 && cluster.isPrimary) runPrimary(config.workers, logger);
  else void serve(config, logger);
}

main();
