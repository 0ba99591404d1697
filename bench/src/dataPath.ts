// The data path of the tasks route in this process, without HTTP: one page read with the api's
// own compiled query (api/dist) on a pool like the api's, then serialised, each timed in CPU.
// With the api's middleware self times (GET /bench/stats), this splits a tasks request into layers.
import pino from "pino";
import { fromApiDist } from "./apiProcess";

type PoolModule = typeof import("../../api/src/db/pool");
type TasksModule = typeof import("../../api/src/services/tasks");

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

export async function measureDataPath(databaseUrl: string, userId: string, poolMax: number): Promise<DataPathCost> {
  const { createPool } = fromApiDist("db/pool") as PoolModule;
  const { readTaskPage } = fromApiDist("services/tasks") as TasksModule;
  const { userQueryable } = fromApiDist("db/asUser") as typeof import("../../api/src/db/asUser");
  const pool = createPool({ url: databaseUrl, connectTimeoutMs: 10_000, queryTimeoutMs: 5000, max: poolMax, logger: pino({ level: "silent" }) });
  try {
    const read = () => readTaskPage(userQueryable(pool, userId), userId, 50, null);
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
    await pool.end();
  }
}
