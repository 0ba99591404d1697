// GET /openapi.json: the api's description, public (it holds no secret), built once at start-up.
import { createHash } from "node:crypto";
import { Router } from "express";
import { buildOpenApiDocument } from "../contract/document";

export function openApiRouter(): Router {
  const body = JSON.stringify(buildOpenApiDocument());
  // The app turns automatic ETags off; this one costs one hash at start-up, and revalidation a 304.
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  const router = Router();
  router.get("/openapi.json", (_req, res) => {
    res.set({ "Cache-Control": "public, max-age=300", ETag: etag }).type("application/json").send(body);
  });
  return router;
}
