// The built api as a child process, started as production starts it (node dist/server.js) but with
// NODE_ENV=development, since the api refuses BENCH=1 in production; timed from spawn to its first
// 200 on /healthz, and stopped with SIGTERM.
import { programs, startCommand, stopProgram, waitFor } from "@authbridge/testing/processes";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { repoRoot } from "@authbridge/testing/pg";
import { TOKEN_TTL_SECONDS } from "./tokens";

export const apiDist = path.dirname(programs.api);

/** A module of the compiled api (api/dist/<module>.js), loaded at run time, after the build. */
export function fromApiDist(module: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the path exists only once the api is built
  return require(path.join(apiDist, module));
}

export interface ApiEnv {
  secret: string;
  webOrigin: string;
  port: number;
  databaseUrl: string;
  /** API_WORKERS: 1 is one process, as the goals are stated per worker. */
  workers: number;
  /** API_OPERATOR_PORT: where /healthz tells the session listener's state and counts. */
  operatorPort: number;
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
    env: {
      // Express reads NODE_ENV only for view caching and its default error page, neither used here.
      NODE_ENV: "development",
      BENCH: "1",
      JWT_TTL_SECONDS: String(TOKEN_TTL_SECONDS),
      LOG_LEVEL: "warn",
      API_WORKERS: String(env.workers),
      BETTER_AUTH_SECRET: env.secret,
      BETTER_AUTH_URL: env.webOrigin,
      API_URL: origin,
      API_PORT: String(env.port),
      API_OPERATOR_PORT: String(env.operatorPort),
      API_DATABASE_URL: env.databaseUrl,
    },
  });
  return { ...server, operatorOrigin: `http://127.0.0.1:${env.operatorPort}` };
}
