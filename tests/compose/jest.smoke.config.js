/** make test-compose (scripts/compose.sh smoke): the real stack. Not a jest.config.js, so make test leaves it out. */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  testMatch: ["<rootDir>/**/*.smoke.ts"],
  testTimeout: 60_000,
};
