// GET /openapi.json: the api's description, public (it holds no secret), built once at start-up
// (app.ts hands the document in, so this declaration does not depend on the routes it describes).
import { createHash } from "node:crypto";
import { routeOf } from "../http/route";

export interface PublishedDocument {
  body: string;
  etag: string;
}

export function publish(document: object): PublishedDocument {
  const body = JSON.stringify(document);
  // The app turns automatic ETags off; this one costs one hash at start-up, and revalidation a 304.
  return { body, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"` };
}

export const openApiDocument = routeOf<PublishedDocument>()({
  method: "get",
  path: "/openapi.json",
  summary: "This document",
  bearer: false,
  request: {},
  responses: {
    200: { description: "The OpenAPI 3.1 document", content: { "application/json": { schema: { type: "object" } } } },
    304: { description: "Not modified (If-None-Match matched the ETag)" },
  },
  handler: ({ body, etag }, _input, _req, res) => {
    res.set({ "Cache-Control": "public, max-age=300", ETag: etag }).type("application/json").send(body);
  },
});
