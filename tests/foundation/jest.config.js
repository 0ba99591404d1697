/** Foundation: .env generation and the local TLS PostgreSQL machinery (scripts/). */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  testMatch: ["<rootDir>/**/*.test.ts"],
  testTimeout: 60_000,
};
