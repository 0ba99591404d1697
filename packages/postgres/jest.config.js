/** postgres: the URL rules as pure functions, the TLS check and pool settings against real PostgreSQL clusters. */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  testTimeout: 120_000,
};
