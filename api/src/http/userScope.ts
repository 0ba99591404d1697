// Everything under /api/:userId belongs to the token's subject. Resources are mounted here and
// nowhere else, so the ownership rule is applied once, before any resource code, database access
// or body parsing (the order is always 401, then 403, then 400); a resource cannot forget it.
import { type RequestHandler, Router } from "express";
import { authOf } from "../auth/requireAuth";
import { forbidden } from "./errors";

const requireOwner: RequestHandler<{ userId: string }> = (req, _res, next) => {
  // "/api/<segment>" alone names no resource: leave it to the 404 handler.
  if (req.path === "/") return next("router");
  if (req.params.userId !== authOf(req).userId) return next(forbidden());
  next();
};

/** Mounts resource routers (paths relative to /api/:userId) behind the ownership rule. */
export function userScope(...resources: Router[]): Router {
  const router = Router();
  router.use("/:userId", requireOwner, ...resources);
  return router;
}
