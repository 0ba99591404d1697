// A fresh run: no logs, counts or secret values left over from an earlier one.
const fs = require("node:fs");
const path = require("node:path");
const { logsDir, recordsFile, secretsFile } = require("./paths");

module.exports = async function globalSetup() {
  fs.rmSync(logsDir, { recursive: true, force: true });
  fs.rmSync(recordsFile, { force: true });
  fs.rmSync(path.dirname(secretsFile), { recursive: true, force: true });
  fs.mkdirSync(logsDir, { recursive: true });
  fs.mkdirSync(path.dirname(secretsFile), { recursive: true, mode: 0o700 });
};
