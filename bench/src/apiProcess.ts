// The built api as a child process, started as its image starts it: `node dist/server.js` with
// NODE_ENV=production and the image's NODE_OPTIONS (imageNodeOptions); timed from spawn to its
// first 200 on /healthz, and stopped with SIGTERM. Nothing is added to it for the bench.
import { readFileSync } from "node:fs";
import { programs, startCommand, stopProgram, waitFor } from "@authbridge/testing/processes";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { repoRoot } from "@authbridge/testing/pg";
import { TOKEN_TTL_SECONDS } from "./tokens";

/**
 * NODE_OPTIONS of the api image (the `ENV` lines of the Dockerfile's `api` stage): the heap
 * settings production runs with, so the bench measures the memory and CPU the image has. The
 * bench's own servers get the same, so every comparison is of code, not of heap settings.
 */
export function imageNodeOptions(dockerfile = path.join(repoRoot, "Dockerfile")): string {
  const lines = readFileSync(dockerfile, "utf8").split("\n");
  const start = lines.findIndex((line) => /^FROM\s+\S+\s+AS\s+api\s*$/i.test(line));
  if (start === -1) throw new Error("Dockerfile: no api stage");
  const end = lines.findIndex((line, i) => i > start && /^FROM\s/i.test(line));
  const stage = lines.slice(start, end === -1 ? undefined : end);
  for (const line of stage) {
    const match = /^ENV\s.*\bNODE_OPTIONS=("([^"]*)"|(\S+))/.exec(line);
    if (match) return match[2] ?? match[3] ?? "";
  }
  return "";
}

export interface ApiEnv {
  /** BETTER_AUTH_SECRET, for the default HS256 mode. */
  secret?: string;
  /** ACCESS_TOKEN_ALG=EdDSA instead: the api holds no secret and takes its keys from this JWKS. */
  jwksUrl?: string;
  webOrigin: string;
  port: number;
  databaseUrl: string;
  /** API_WORKERS: 1 is one process, as the goals are stated per worker. */
  workers: number;
  /** API_OPERATOR_PORT: where /healthz tells the session listener's state and counts, and the token cache's. */
  operatorPort?: number;
}

export interface ApiProcess {
  pid: number;
  origin: string;
  /** Milliseconds from spawn to the first 200 on /healthz. */
  coldStartMs: number;
  /** What the api wrote (warn and above only); shown when something fails. */
  output(): string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 12_000;

async function healthy(origin: string): Promise<boolean> {
  try {
    const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

export interface ChildSpec {
  /** What `node` runs: a script and its flags. */
  args: string[];
  cwd: string;
  env: Record<string, string>;
  origin: string;
  /** For error messages: "the api", "the floor server". */
  label: string;
}

/** Spawns a server and waits for its first 200 on /healthz. */
export async function startServer(spec: ChildSpec): Promise<ApiProcess> {
  const started = performance.now();
  // Only what the server needs: nothing from the developer's shell or .env leaks into the run.
  const program = startCommand(spec.label, process.execPath, spec.args, { cwd: spec.cwd, env: spec.env });
  const pid = program.process.pid;
  if (pid === undefined) throw new Error(`${spec.label} could not be spawned`);
  const server = {
    origin: spec.origin,
    output: () => program.output().slice(-8000),
    stop: async () => {
      await stopProgram(program, STOP_TIMEOUT_MS);
    },
  };
  try {
    // A short interval: the cold start is measured to the first answer.
    await waitFor(() => healthy(spec.origin), { timeoutMs: START_TIMEOUT_MS, intervalMs: 5, what: `${spec.label} to answer /healthz`, program });
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { ...server, pid, coldStartMs: performance.now() - started };
}

/** The api, and the origin of its operator's view (/healthz with its detail). */
export type StartedApi = ApiProcess & { operatorOrigin: string };

export async function startApi(env: ApiEnv): Promise<StartedApi> {
  const origin = `http://127.0.0.1:${env.port}`;
  const server = await startServer({
    label: "the api",
    args: [programs.api],
    cwd: path.join(repoRoot, "api"),
    origin,
    env: apiEnv(env, origin),
  });
  return { ...server, operatorOrigin: `http://127.0.0.1:${env.operatorPort ?? env.port}` };
}

/** The api's environment for the bench: what the image sets, the run's secret, database and ports. */
export function apiEnv(env: ApiEnv, origin: string): Record<string, string> {
  const nodeOptions = imageNodeOptions();
  return {
    NODE_ENV: "production",
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    JWT_TTL_SECONDS: String(TOKEN_TTL_SECONDS),
    LOG_LEVEL: "warn",
    // Two users writing thousands of times a second (task-patch): the per-user write limit (120 a
    // minute by default) is set as high as it goes, so it still counts every write but never answers 429.
    WRITE_RATE_LIMIT: "1000000",
    API_WORKERS: String(env.workers),
    ...(env.jwksUrl === undefined ? { BETTER_AUTH_SECRET: env.secret ?? "" } : { ACCESS_TOKEN_ALG: "EdDSA", JWKS_URL: env.jwksUrl }),
    BETTER_AUTH_URL: env.webOrigin,
    API_URL: origin,
    API_PORT: String(env.port),
    ...(env.operatorPort === undefined ? {} : { API_OPERATOR_PORT: String(env.operatorPort) }),
    API_DATABASE_URL: env.databaseUrl,
  };
}
