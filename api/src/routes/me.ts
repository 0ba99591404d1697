import { Router } from "express";
import { authOf } from "../auth/requireAuth";
import type { UserService } from "../services/users";

export function meRouter(users: UserService): Router {
  const router = Router();
  router.get("/me", async (req, res) => {
    res.json(await users.byId(authOf(req).userId));
  });
  // Authentication alone, no database: what the benchmark's auth-only case measures.
  router.get("/whoami", (req, res) => {
    res.json({ userId: authOf(req).userId });
  });
  return router;
}
