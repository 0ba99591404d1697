// The web's process entry, `node server.js` in the standalone output (scripts/standalone.sh puts
// Next's own server beside it as next-server.js): every request's X-Forwarded-For gets its socket
// peer before Next reads it, from the first request on, then Next's server starts as usual.
import { createRequire } from "node:module";
import path from "node:path";
import { recordSocketPeers } from "./lib/socketPeer";

recordSocketPeers();
// Loaded only after the hook is installed: a static import would be hoisted above it. A synchronous
// require keeps Next's server starting in this same tick, and a load error throwing right here.
createRequire(__filename)(path.join(__dirname, "..", "next-server.js"));
