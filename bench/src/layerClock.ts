// The time each of the app's middleware spends before it hands the request on, so `make bench`
// can say what every layer costs per request. Only the bench's layered host (layeredApi.ts) uses
// it, through createApp's public wrapMiddleware option: the api the server runs wraps nothing.
import type { RequestHandler } from "express";

export interface LayerTotals {
  calls: number;
  /** Summed self time, in nanoseconds. */
  ns: number;
}

export class LayerClock {
  private readonly totals = new Map<string, LayerTotals>();

  /** The handler, timed from entry to its call of next() (its own work, not the layers after it). */
  timed(name: string, handler: RequestHandler): RequestHandler {
    const totals: LayerTotals = { calls: 0, ns: 0 };
    this.totals.set(name, totals);
    return (req, res, next) => {
      const started = process.hrtime.bigint();
      handler(req, res, (err?: unknown) => {
        totals.calls++;
        totals.ns += Number(process.hrtime.bigint() - started);
        next(err);
      });
    };
  }

  stats(): Record<string, LayerTotals> {
    return Object.fromEntries([...this.totals].map(([name, totals]) => [name, { ...totals }]));
  }
}
