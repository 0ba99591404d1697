// The api's app with each of its middleware timed: createApp's public wrapMiddleware option with
// the bench's LayerClock, on the api's runtime (host.ts), so `make bench` can split a tasks
// request into layers without any timer in the app the server runs. The totals are served on a
// port of their own (LAYERS_PORT), never on the app's.
import { createServer } from "node:http";
import { createApp } from "@authbridge/api/lib";
import { hostRuntime, ready, stopOnSigterm } from "./host";
import { LayerClock } from "./layerClock";

const host = hostRuntime();
const clock = new LayerClock();
const app = createApp(host.deps, { wrapMiddleware: (name, handler) => clock.timed(name, handler) });
const server = createServer(app).listen(host.port, "127.0.0.1");
stopOnSigterm(server, host);

const port = Number(process.env.LAYERS_PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error("layered api: LAYERS_PORT is missing");
createServer((_req, res) => {
  res.writeHead(ready(host.deps) ? 200 : 503, { "content-type": "application/json" });
  res.end(JSON.stringify({ listening: ready(host.deps), layers: clock.stats(), tokenCache: host.deps.verifier.cacheStats() }));
}).listen(port, "127.0.0.1");
