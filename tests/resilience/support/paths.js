// Where one run of the suite keeps what it produces. Shared by the Jest-side helpers (TypeScript),
// the global setup and the summary reporter (plain JS, loaded by Jest untransformed).
const os = require("node:os");
const path = require("node:path");

const repoRoot = path.resolve(__dirname, "..", "..", "..");
// The EdDSA run (scripts/test.sh's second run) keeps its own, beside the HS256 run's.
const runDir = path.join(repoRoot, "test-results", process.env.ACCESS_TOKEN_ALG === "EdDSA" ? "resilience-eddsa" : "resilience");
// Another checkout's run on the same machine (same user) must not wipe or read this one's secrets.
const checkout = require("node:crypto").createHash("sha256").update(repoRoot).digest("hex").slice(0, 12);

module.exports = {
  repoRoot,
  runDir,
  /** Every line every service wrote, one file per process. */
  logsDir: path.join(runDir, "logs"),
  /** One JSON object per line: the counts each case reports (requests, faults, inputs, failures). */
  recordsFile: path.join(runDir, "records.jsonl"),
  /** What docs/RESILIENCE.md is rendered from. */
  summaryFile: path.join(runDir, "summary.json"),
  /**
   * The secret values the run used (for the log audit). Outside test-results, which CI may upload,
   * private to this user and this checkout; the audit deletes it.
   */
  secretsFile: path.join(os.tmpdir(), `authbridge-${path.basename(runDir)}-${process.getuid?.() ?? "user"}-${checkout}`, "secrets.jsonl"),
};
