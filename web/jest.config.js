/**
 * web: unit tests, the web+api cross-verification against real services and a real TLS
 * PostgreSQL, and the browser run. Needs `npm run build -w web -w api -w migrator` first
 * (make test does it). One file at a time: each stack is a database and two servers.
 */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  testTimeout: 120_000,
  maxWorkers: 1,
};
