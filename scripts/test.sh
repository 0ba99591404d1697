#!/usr/bin/env bash
# make test: lint, generate the Prisma clients, typecheck and build every workspace, then run each
# Jest project in turn. Every project runs even when an earlier one fails; the exit code is
# non-zero when anything failed, and the last line sums up the whole run.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
export NEXT_TELEMETRY_DISABLED=1

step() { echo; echo "== $*"; }
[ -d node_modules ] || { step "npm ci"; npm ci || exit 1; }

step "generate Prisma clients"
generated=$(npm run generate --workspaces --if-present 2>&1) || { echo "$generated"; exit 1; }
grep '^prisma: ' <<<"$generated" | sort -u # says so when the client was made without Prisma's engine
# Lint needs the generated clients (its rules read their types). A finding fails the run at the
# end, after every suite has run, like a failed project.
failed_projects=()
step "lint"
bash scripts/lint.sh || failed_projects+=(lint)
step "typecheck"
npm run typecheck --workspaces --if-present && node_modules/.bin/tsc -p tests || exit 1
step "build"
npm run build --workspaces --if-present || exit 1

results="$root/test-results"
rm -rf "$results"; mkdir -p "$results"
for project in packages/* migrator api web tests/*; do
  [ -f "$project/jest.config.js" ] || continue
  step "jest: $project"
  if ! (cd "$project" && "$root/node_modules/.bin/jest" --ci --json --outputFile="$results/$(basename "$project").json" "$@"); then
    failed_projects+=("$project")
  fi
done

node scripts/summarise-results.js "$results"

if [ ${#failed_projects[@]} -gt 0 ]; then
  echo "failed: ${failed_projects[*]}" >&2
  exit 1
fi
