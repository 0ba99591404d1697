#!/usr/bin/env bash
# make test: generate the Prisma clients, typecheck and build every workspace, then run each
# Jest project in turn. Every project runs even when an earlier one fails; the exit code is
# non-zero when anything failed, and the last line sums up the whole run.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export NEXT_TELEMETRY_DISABLED=1

step() { echo; echo "== $*"; }
[ -d node_modules ] || { step "npm ci"; npm ci || exit 1; }

step "generate Prisma clients"
generated=$(npm run generate --workspaces --if-present 2>&1) || { echo "$generated"; exit 1; }
grep '^prisma: ' <<<"$generated" | sort -u # says so when the client was made without Prisma's engine
step "typecheck"
npm run typecheck --workspaces --if-present && node_modules/.bin/tsc -p tests || exit 1
step "build"
npm run build --workspaces --if-present || exit 1

results="$root/test-results"
rm -rf "$results"; mkdir -p "$results"
failed_projects=()
for project in migrator api web tests/*; do
  [ -f "$project/jest.config.js" ] || continue
  step "jest: $project"
  if ! (cd "$project" && "$root/node_modules/.bin/jest" --ci --json --outputFile="$results/$(basename "$project").json" "$@"); then
    failed_projects+=("$project")
  fi
done

node -e '
  const fs = require("fs"), path = require("path"), dir = process.argv[1];
  let passed = 0, failed = 0, skipped = 0;
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith(".json"))) {
    const r = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
    skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results"

if [ ${#failed_projects[@]} -gt 0 ]; then
  echo "failed: ${failed_projects[*]}" >&2
  exit 1
fi
