// Benchmark-only routes, mounted only when BENCH=1.
import { Router } from "express";
import type { CacheStats } from "../auth/tokenCache";
import type { LayerTotals } from "../http/layerClock";

export interface BenchStats {
  tokenCache: () => CacheStats;
  /** Self time of each timed middleware since start. */
  layers: () => Record<string, LayerTotals>;
}

export function benchRouter(stats: BenchStats): Router {
  const router = Router();
  // The ceiling: the same app's middleware, no authentication, no work.
  router.get("/baseline", (_req, res) => {
    res.json({ ok: true });
  });
  router.get("/stats", (_req, res) => {
    res.json({ tokenCache: stats.tokenCache(), layers: stats.layers() });
  });
  return router;
}
