// Benchmark-only routes (issue 7), mounted only when BENCH=1.
import { Router } from "express";
import type { CacheStats } from "../auth/tokenCache";

export function benchRouter(cacheStats: () => CacheStats): Router {
  const router = Router();
  // The ceiling: the same app's middleware, no authentication, no work.
  router.get("/baseline", (_req, res) => {
    res.json({ ok: true });
  });
  router.get("/stats", (_req, res) => {
    res.json({ tokenCache: cacheStats() });
  });
  return router;
}
