/** migrator: the built program (dist/main.js) against real throw-away PostgreSQL clusters. */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  testTimeout: 120_000,
};
