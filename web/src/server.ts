// The web's process entry, `node server.js` in the standalone output (scripts/standalone.sh puts
// Next's own server beside it as next-server.js): every request's X-Forwarded-For gets its socket
// peer before Next reads it, from the first request on, then Next's server starts as usual.
import path from "node:path";
import { recordSocketPeers } from "./lib/socketPeer";

recordSocketPeers();
require(path.join(__dirname, "..", "next-server.js"));
