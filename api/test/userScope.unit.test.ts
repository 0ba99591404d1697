// The ownership rule lives in one place: any resource router mounted under /api/:userId gets it,
// without the resource doing anything. A new router that forgets about ownership is still guarded.
import express, { Router } from "express";
import request from "supertest";
import { requireAuth } from "../src/auth/requireAuth";
import { createTokenVerifier } from "../src/auth/tokenVerifier";
import { deriveTokenKeys } from "../src/auth/tokenKey";
import { errorHandler, notFoundHandler } from "../src/http/errorHandler";
import { requestContext } from "../src/http/requestContext";
import { userScope } from "../src/http/userScope";
import { createSessionRegistry } from "../src/sessions/registry";
import { API_ORIGIN, VECTOR_SECRET, WEB_ORIGIN, captureLogger, tokenFor, sessionOf } from "./helpers";
import { fixtureRoute } from "./support/openapiCheck";

const reached: string[] = [];

/** A resource written as carelessly as possible: no ownership check of its own. */
function carelessRouter(): Router {
  const router = Router();
  router.get("/notes", (req, res) => {
    reached.push(req.originalUrl);
    res.json({ notes: [] });
  });
  router.post("/notes", express.json(), (req, res) => {
    reached.push(req.originalUrl);
    res.status(201).json({ note: req.body as unknown });
  });
  return router;
}

// This app's own resource: not the api's, so not in its document.
fixtureRoute(/^\/api\/user-a\/notes$/);

const verifier = createTokenVerifier({
  keys: deriveTokenKeys([{ version: 1, value: VECTOR_SECRET }]),
  issuer: WEB_ORIGIN,
  audience: API_ORIGIN,
  clockToleranceSeconds: 5,
  ttlSeconds: 900,
  cacheSize: 0,
});
// Ownership is the subject here, not sessions: user A's one session is alive, read from memory.
const sessions = createSessionRegistry({
  lookup: (sessionId) => Promise.resolve(sessionId === sessionOf("user-a") ? { userId: "user-a", expiresAtMs: Date.now() + 3_600_000 } : null),
  maxEntries: 16,
});
const app = express();
app.use(requestContext(captureLogger().logger));
app.use("/api", requireAuth(verifier, sessions), userScope(carelessRouter()));
app.use(notFoundHandler);
app.use(errorHandler);

const asUserA = `Bearer ${tokenFor("user-a")}`;

beforeEach(() => {
  reached.length = 0;
});

test("a new router mounted under the user scope answers its owner", async () => {
  const res = await request(app).get("/api/user-a/notes").set("Authorization", asUserA);
  expect(res.status).toBe(200);
  expect(reached).toEqual(["/api/user-a/notes"]);
});

test("another user's path is refused with 403 before the router runs, for reads and writes", async () => {
  for (const req of [
    request(app).get("/api/user-b/notes"),
    request(app).post("/api/user-b/notes").send({ text: "x" }),
    request(app).get("/api/user-b/notes/../notes"),
    request(app).get("/api/USER-A/notes"),
  ]) {
    const res = await req.set("Authorization", asUserA);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: "forbidden", message: "this resource belongs to another user" } });
  }
  expect(reached).toEqual([]);
});

test("401 comes before 403: no token, no ownership answer", async () => {
  const res = await request(app).get("/api/user-b/notes");
  expect(res.status).toBe(401);
  expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
  expect(reached).toEqual([]);
});

test("a path naming no resource is a 404, not an ownership answer", async () => {
  expect((await request(app).get("/api/user-b").set("Authorization", asUserA)).status).toBe(404);
});
