// The cluster primary: API_WORKERS api processes behind one port (node:cluster hands each new
// connection to the next worker). It serves nothing itself; it starts the workers, replaces one
// that dies, and on SIGTERM/SIGINT stops them all, each finishing its in-flight requests.
import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";

// A worker's own shutdown takes at most 9 s (in-flight grace) + 1 s (pool close); then SIGKILL.
const WORKER_STOP_MS = 11_000;
// A worker that keeps dying (bad database URL, port taken) is not restarted forever: past this
// many exits per worker within the window, the primary stops and exits 1 for the orchestrator.
const EXITS_PER_WORKER = 3;
const EXIT_WINDOW_MS = 60_000;

export function runPrimary(workers: number, logger: Logger): void {
  const live = new Set<Worker>();
  const exits: number[] = [];
  let stopping = false;

  const fork = () => {
    const worker = cluster.fork();
    live.add(worker);
  };

  const stop = (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason, workers: live.size }, "shutting down: stopping every worker");
    if (live.size === 0) process.exit(code);
    for (const worker of live) worker.process.kill("SIGTERM");
    const force = setTimeout(() => {
      logger.warn({ workers: live.size }, "workers still running after 11 s, killing them");
      for (const worker of live) worker.process.kill("SIGKILL");
      process.exit(1);
    }, WORKER_STOP_MS);
    force.unref();
    cluster.on("exit", () => {
      if (live.size > 0) return;
      clearTimeout(force);
      logger.info("stopped");
      process.exit(code);
    });
  };

  cluster.on("exit", (worker, code, signal) => {
    live.delete(worker);
    if (stopping) return;
    const now = Date.now();
    exits.push(now);
    while ((exits[0] ?? now) < now - EXIT_WINDOW_MS) exits.shift();
    if (exits.length > EXITS_PER_WORKER * workers) {
      logger.fatal({ exits: exits.length, windowSeconds: EXIT_WINDOW_MS / 1000 }, "api workers keep exiting; giving up");
      stop("workers keep exiting", 1);
      return;
    }
    logger.error({ workerPid: worker.process.pid, code, signal }, "api worker exited; starting a replacement");
    fork();
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => stop(signal, 0));
  logger.info({ workers }, "api primary starting workers");
  for (let i = 0; i < workers; i++) fork();
}
