/**
 * Resilience and security suite: faults, load and hostile input against the BUILT
 * services (api/dist, web/.next/standalone, migrator/dist) and throw-away TLS PostgreSQL clusters.
 * Run alone: `cd tests/resilience && ../../node_modules/.bin/jest` (after building the workspaces).
 * One file at a time (each starts its own services); the log audit runs last (sequencer.js).
 */
module.exports = {
  testEnvironment: "node",
  // jose 6 ships ESM only; swc turns it into CommonJS like our own files (Node 20 cannot require ESM).
  transform: { "^.+\\.[tj]s$": ["@swc/jest"] },
  transformIgnorePatterns: ["/node_modules/(?!jose/)"],
  testMatch: ["<rootDir>/**/*.test.ts"],
  testTimeout: 90_000,
  maxWorkers: 1,
  testSequencer: "<rootDir>/sequencer.js",
  globalSetup: "<rootDir>/support/global-setup.js",
  setupFilesAfterEnv: ["<rootDir>/support/listen.ts"],
  reporters: ["default", "<rootDir>/support/summary-reporter.js"],
};
