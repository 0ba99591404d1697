// The web's process entry: `node server.js` in the standalone folder (scripts/standalone.sh compiles
// it there, in place of the server.js Next writes), `serve.sh dev` with --dev. One program: the
// environment is refused before anything listens (Next's own server opens its port before
// instrumentation.ts runs), then our node:http server, which owns each socket, appends the socket
// peer to X-Forwarded-For and hands the request to Next's request handler (a custom server, as
// Next documents it).
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import next from "next";
import { configOrExit } from "./lib/configOrExit";
import { FORWARDED_FOR, appendPeer } from "./lib/socketPeer";

const dev = process.argv.includes("--dev");

if (!dev) {
  // What Next's standalone server.js does before starting Next, and what web/test/headers.test.ts
  // checks after every Next upgrade: serve the build beside this file, as a production build, with
  // the configuration `next build` resolved (next.config.ts is not in the standalone folder).
  process.chdir(__dirname);
  const manifest = JSON.parse(readFileSync(path.join(__dirname, ".next", "required-server-files.json"), "utf8")) as { config: unknown };
  // Written before anything reads them (React picks its production build by NODE_ENV on load).
  Object.assign(process.env, { NODE_ENV: "production", __NEXT_PRIVATE_STANDALONE_CONFIG: JSON.stringify(manifest.config) });
}

const config = configOrExit();
const app = next({ dev, dir: process.cwd(), hostname: config.hostname, port: config.port });
const handle = app.getRequestHandler();

app
  .prepare()
  .then(() => {
    createServer((request, response) => {
      const chain = appendPeer(request.headers[FORWARDED_FOR], request.socket.remoteAddress);
      if (chain) request.headers[FORWARDED_FOR] = chain;
      else Reflect.deleteProperty(request.headers, FORWARDED_FOR);
      // Next answers its own errors; this is for one that escapes it, as Next's own server does.
      handle(request, response).catch((error: unknown) => {
        console.error(error);
        if (!response.headersSent) response.statusCode = 500;
        response.end();
      });
    }).listen(config.port, config.hostname);
  })
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
