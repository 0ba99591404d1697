/**
 * web: unit tests, the web+api cross-verification against real services and a real TLS
 * PostgreSQL, and the browser run. Needs `npm run build -w web -w api -w migrator` first
 * (make test does it). One file at a time: each stack is a database and two servers.
 */
const path = require("node:path");

module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  // Server modules import "server-only", which throws outside React's server build; unit tests
  // load them as Next's server does (its "react-server" export is an empty module).
  moduleNameMapper: { "^server-only$": path.join(path.dirname(require.resolve("server-only")), "empty.js") },
  testTimeout: 120_000,
  maxWorkers: 1,
};
