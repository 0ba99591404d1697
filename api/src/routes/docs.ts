// GET /docs: a page to browse and try /openapi.json, Swagger UI from the swagger-ui-dist package
// (served from node_modules: nothing is fetched from anywhere else, at run time or in the browser).
import path from "node:path";
import { Router } from "express";

const assetsDir = path.dirname(require.resolve("swagger-ui-dist/package.json"));
const ASSETS = new Set(["swagger-ui.css", "swagger-ui-bundle.js"]);

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>authbridge api</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="docs"></div><script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body>
</html>
`;
// validatorUrl null: Swagger UI would otherwise send the document to a public validator.
const INIT = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#docs", validatorUrl: null, deepLinking: false });\n`;

// Only this origin's scripts, styles and requests. Swagger UI sets styles through the DOM (not
// blocked by CSP) and shows its icons as data: images.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export function docsRouter(): Router {
  const router = Router();
  router.get("/docs", (_req, res) => {
    res.set({ "Content-Security-Policy": CSP, "Cache-Control": "no-cache" }).type("html").send(PAGE);
  });
  router.get("/docs/init.js", (_req, res) => {
    res.set("Cache-Control", "public, max-age=300").type("js").send(INIT);
  });
  router.get("/docs/:asset", (req, res, next) => {
    if (!ASSETS.has(req.params.asset)) return next();
    res.sendFile(path.join(assetsDir, req.params.asset), { maxAge: "1d" });
  });
  return router;
}
