/** api: token, middleware and routes against a real TLS PostgreSQL, plus the built server's start-up. */
module.exports = {
  testEnvironment: "node",
  // jose (the independent token minter in the tests) ships ESM only: let swc compile it too.
  transform: { "^.+\\.(t|j)s$": ["@swc/jest"] },
  transformIgnorePatterns: ["/node_modules/(?!jose/)"],
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  // Every answer a test receives is checked against api/openapi.json.
  setupFilesAfterEnv: ["<rootDir>/test/support/checkResponses.ts"],
  testTimeout: 60_000,
};
