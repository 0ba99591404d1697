// Latency at a fixed rate: an open-loop load. Requests are scheduled at a fixed interval (rate per
// second, evenly spaced) whatever the server does, sent on a pool of keep-alive connections, and
// each one's latency runs from its scheduled time to the end of its response. A server that stalls
// keeps being sent requests (they wait for a free connection or in its queue), and that wait is in
// the numbers: no coordinated omission. autocannon's overallRate is not this: each connection sends
// its share of the second back to back and then waits for the next second, so every second starts
// with a closed-loop burst.
import { Agent, request } from "node:http";

export interface OpenLoopRequest {
  method?: "GET" | "PATCH";
  path: string;
  headers?: Record<string, string>;
}

export interface OpenLoopSlice {
  /** Latencies of 2xx responses, ms from the scheduled time. */
  latencies: number[];
  sent: number;
  non2xx: number;
  errors: number;
  /** Requests still unanswered when the slice ended (counted as errors too). */
  late: number;
  seconds: number;
}

/** How long a slice waits for its last answers after the last request is scheduled. */
const DRAIN_MS = 10_000;
/** The scheduler wakes this often and sends what has fallen due. */
const TICK_MS = 1;

export async function openLoop(
  origin: string,
  requests: readonly OpenLoopRequest[],
  options: { rate: number; seconds: number; connections: number },
): Promise<OpenLoopSlice> {
  const url = new URL(origin);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, maxFreeSockets: options.connections });
  const slice: OpenLoopSlice = { latencies: [], sent: 0, non2xx: 0, errors: 0, late: 0, seconds: options.seconds };
  const total = Math.round(options.rate * options.seconds);
  const intervalMs = 1000 / options.rate;
  let answered = 0;
  let done: () => void = () => undefined;
  const allAnswered = new Promise<void>((resolve) => (done = resolve));
  const answer = () => {
    answered++;
    if (answered === total) done();
  };

  const send = (scheduledAt: number, spec: OpenLoopRequest) => {
    slice.sent++;
    const req = request(
      { host: url.hostname, port: url.port, path: spec.path, method: spec.method ?? "GET", headers: spec.headers ?? {}, agent },
      (res) => {
        res.on("data", () => undefined);
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) slice.latencies.push(performance.now() - scheduledAt);
          else slice.non2xx++;
          answer();
        });
        res.on("error", () => {
          slice.errors++;
          answer();
        });
      },
    );
    req.on("error", () => {
      slice.errors++;
      answer();
    });
    req.end();
  };

  const start = performance.now();
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
      for (; next < due; next++) send(start + next * intervalMs, requests[next % requests.length] ?? { path: "/" });
      if (next < total) setTimeout(tick, TICK_MS);
      else resolve();
    };
    tick();
  });
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    allAnswered.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), DRAIN_MS))),
  ]);
  clearTimeout(timer);
  if (!drained) slice.late = total - answered;
  slice.errors += slice.late;
  agent.destroy();
  return slice;
}
