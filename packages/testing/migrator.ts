// The real, built migrator (migrator/dist/main.js), the one way every suite applies migrations.
import { performance } from "node:perf_hooks";
import { type Cluster, startCluster } from "./pg";
import { type Program, assertBuilt, programs, startProgram, stopProgram } from "./processes";
import { type ServiceUrls, roleEnv, serviceUrls } from "./roles";

export interface MigratorRun {
  /** The exit code (-1: killed, it never finished). */
  code: number;
  program: Program;
  ms: number;
}

export interface MigratorOptions {
  /** Keep its output in this folder as well. */
  logDir?: string;
  cwd?: string;
  /** Stopped after this long: a migrator that hangs fails its test rather than the whole run. */
  timeoutMs?: number;
}

/** The migrator with exactly these variables (plus PATH), as a container would start it. */
export async function runMigrator(env: Record<string, string>, options: MigratorOptions = {}): Promise<MigratorRun> {
  assertBuilt(programs.migrator);
  const started = performance.now();
  const program = startProgram("migrator", programs.migrator, { env, logDir: options.logDir, ...(options.cwd ? { cwd: options.cwd } : {}) });
  const timer = setTimeout(() => void stopProgram(program), options.timeoutMs ?? 110_000);
  const { code } = await program.exited;
  clearTimeout(timer);
  return { code: code ?? -1, program, ms: performance.now() - started };
}

/** Applies the committed migrations (or MIGRATIONS_DIR's, with `env`); throws with the migrator's output unless it succeeds. */
export async function migrate(url: string, options: MigratorOptions & { env?: Record<string, string> } = {}): Promise<void> {
  const run = await runMigrator({ DATABASE_URL: url, LOG_LEVEL: "info", MIGRATE_WAIT_SECONDS: "10", ...options.env }, options);
  if (run.code !== 0) throw new Error(`migrator exited ${run.code}:\n${run.program.output()}`);
}

/** A throw-away TLS cluster with the committed migrations applied. */
export async function migratedCluster(options: MigratorOptions = {}): Promise<Cluster> {
  const cluster = await startCluster();
  try {
    await migrate(cluster.url, options);
    return cluster;
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
}

/** A migrated throw-away cluster whose migrator also created the api's and the web's roles (their URLs in `roles`). */
export async function migratedClusterWithRoles(options: MigratorOptions = {}): Promise<{ cluster: Cluster; roles: ServiceUrls }> {
  const cluster = await startCluster();
  try {
    const roles = serviceUrls(cluster.url);
    await migrate(cluster.url, { ...options, env: roleEnv(roles) });
    return { cluster, roles };
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
}
