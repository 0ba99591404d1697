/** api: token, middleware and routes against a real TLS PostgreSQL, plus the built server's start-up. */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  // Every answer a test receives is checked against api/openapi.json.
  setupFilesAfterEnv: ["<rootDir>/test/support/checkResponses.ts"],
  testTimeout: 60_000,
};
