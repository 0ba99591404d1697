#!/usr/bin/env node
// Sums the Jest JSON reports that scripts/test.sh writes (one per project) into the closing
// line CI reads: "N passed, N failed, N skipped". A suite that crashed before running its tests
// counts as one failure, so a broken file never reads as a clean run.
const fs = require("fs");
const path = require("path");

const dir = process.argv[2];
if (!dir) {
  console.error("usage: summarise-results.js DIR_WITH_JEST_JSON_REPORTS");
  process.exit(2);
}
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of fs.readdirSync(dir).filter((name) => name.endsWith(".json"))) {
  const report = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests + report.numRuntimeErrorTestSuites;
  skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
