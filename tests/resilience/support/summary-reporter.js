// Writes test-results/resilience/summary.json after the run: every case with its Jest status and
// duration, merged with the counts the case recorded itself (support/record.ts). docs/RESILIENCE.md
// is rendered from that file (render-report.js), so the report's numbers are the suite's own.
const fs = require("node:fs");
const path = require("node:path");
const { recordsFile, repoRoot, summaryFile } = require("./paths");

function readRecords() {
  if (!fs.existsSync(recordsFile)) return [];
  return fs
    .readFileSync(recordsFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

function mergeRecords(records) {
  const byTest = new Map();
  for (const { test, counts, details } of records) {
    const entry = byTest.get(test) ?? { counts: {}, details: {} };
    for (const [name, n] of Object.entries(counts)) entry.counts[name] = (entry.counts[name] ?? 0) + n;
    Object.assign(entry.details, details);
    byTest.set(test, entry);
  }
  return byTest;
}

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const recorded = mergeRecords(readRecords());
    const cases = [];
    for (const file of results.testResults) {
      for (const t of file.testResults) {
        const own = recorded.get(t.fullName) ?? { counts: {}, details: {} };
        cases.push({
          file: path.relative(repoRoot, file.testFilePath),
          name: t.fullName,
          status: t.status,
          durationMs: t.duration ?? null,
          counts: own.counts,
          details: own.details,
        });
      }
      if (file.testExecError)
        cases.push({
          file: path.relative(repoRoot, file.testFilePath),
          name: "(file failed to run)",
          status: "failed",
          counts: {},
          details: { error: String(file.testExecError.message).slice(0, 500) },
        });
    }
    const summary = {
      finishedAt: new Date().toISOString(),
      durationMs: Date.now() - results.startTime,
      ci: process.env.CI === "true",
      node: process.version,
      cores: require("node:os").availableParallelism(),
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests,
      cases,
    };
    fs.mkdirSync(path.dirname(summaryFile), { recursive: true });
    fs.writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
  }
}

module.exports = SummaryReporter;
