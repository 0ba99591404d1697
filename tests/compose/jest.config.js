/** Compose stack and Dockerfiles, checked without a Docker engine (make test). The real stack: jest.smoke.config.js. */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  testMatch: ["<rootDir>/**/*.test.ts"],
  testTimeout: 30_000,
};
