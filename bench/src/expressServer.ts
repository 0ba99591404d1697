// The Express reference: Express 5 (the api's own version) with the one route GET
// /api/:userId/tasks and no middleware at all: no request id or log line, no helmet, no cors, no
// validation middleware, no error handler. The route does what the floor's does (host.ts: the same
// token and session check, pool, statement and page shape, through @authbridge/api/lib) and
// answers with res.json, as the api's route does.
// So the api over this is what the project's own middleware costs, and this over the floor is
// what Express itself costs. Run as its own process (servers.ts), with the api's variables.
import { createServer } from "node:http";
import express from "express";
import { type Send, hostRuntime, ready, servePage, stopOnSigterm, withCaller } from "./host";

const host = hostRuntime();
const { deps } = host;

const app = express();
// As the api's app: no X-Powered-By, no ETag hash of every response.
app.disable("x-powered-by");
app.set("etag", false);
app.get("/healthz", (_req, res) => {
  res.status(ready(deps) ? 200 : 503).json({ status: ready(deps) ? "pass" : "fail" });
});
app.get("/api/:userId/tasks", (req, res) => {
  const send: Send = (status, body) => {
    res.status(status).json(body);
  };
  withCaller(deps, req.headers.authorization, req.params.userId, send, (userId) => servePage(deps, userId, req.query, send));
});

const server = createServer(app).listen(host.port, "127.0.0.1");
stopOnSigterm(server, host);
