// Path ownership: /api/:userId/... belongs to the token's subject, checked before any database
// access and before the body is even read (so the order is always 401, then 403, then 400).
import type { RequestHandler } from "express";
import { forbidden } from "../http/errors";
import { authOf } from "./requireAuth";

export const requireOwner: RequestHandler<{ userId: string }> = (req, _res, next) => {
  if (req.params.userId !== authOf(req).userId) return next(forbidden());
  next();
};
