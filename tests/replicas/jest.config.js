/**
 * Several web and api processes on one database, and the client address the web's rate limit
 * counts against (directly and behind an appending reverse proxy). Runs the BUILT programs in
 * production mode: `npm run build -w web -w api -w migrator` first (make test does it).
 */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  testMatch: ["<rootDir>/**/*.test.ts"],
  testTimeout: 120_000,
  maxWorkers: 1,
};
