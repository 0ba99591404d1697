// These suites write as fast as they can, one user at a time, to stress what they are about (the
// pool, parsing, rotation). The api's per-user write limit (WRITE_RATE_LIMIT, default 120 per
// minute; api/test/limits.test.ts proves it) would answer most of those writes 429 and hide that.
export const UNLIMITED_WRITES = { WRITE_RATE_LIMIT: "1000000" } as const;
