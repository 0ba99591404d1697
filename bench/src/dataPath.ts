// The data path of the tasks route in this process, without HTTP: one page read through the api's
// own runtime (createRuntime of @authbridge/api/lib: its pool, the user's transaction, the
// prepared statement), then serialised, each timed in CPU. With the middleware self times of the
// layered api (layeredApi.ts), this splits a tasks request into layers.
import { createRuntime, loadConfig } from "@authbridge/api/lib";
import pino from "pino";

export interface DataPathCost {
  /** CPU µs in this process per page read (pg protocol over TLS, row parsing, page shaping). */
  queryUs: number;
  /** CPU µs per JSON.stringify of the page. */
  serialiseUs: number;
}

const REPETITIONS = 5;
const QUERIES = 1000;
const CONCURRENCY = 10;
const STRINGIFIES = 2000;

const cpuUs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return used.user + used.system;
};

/** `env`: the api's variables (apiEnv), so the pool is the api's, of the same size. */
export async function measureDataPath(env: Record<string, string>, userId: string): Promise<DataPathCost> {
  const runtime = createRuntime(loadConfig(env), pino({ level: "silent" }));
  try {
    const read = () => runtime.deps.tasks.list(userId, { limit: 50, after: null });
    for (let i = 0; i < 200; i++) await read();
    // Other people's load can only inflate a CPU time: the quietest of a few repetitions is kept.
    let queryUs = Infinity;
    for (let rep = 0; rep < REPETITIONS; rep++) {
      let started = 0;
      const query0 = process.cpuUsage();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (started < QUERIES) {
            started++;
            await read();
          }
        }),
      );
      queryUs = Math.min(queryUs, cpuUs(query0) / QUERIES);
    }
    const page = await read();
    let serialiseUs = Infinity;
    let bytes = 0;
    for (let rep = 0; rep < REPETITIONS; rep++) {
      const json0 = process.cpuUsage();
      for (let i = 0; i < STRINGIFIES; i++) bytes += JSON.stringify(page).length;
      serialiseUs = Math.min(serialiseUs, cpuUs(json0) / STRINGIFIES);
    }
    if (bytes === 0) throw new Error("empty page");
    return { queryUs, serialiseUs };
  } finally {
    await runtime.close();
  }
}
