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

# Each workspace's build makes what it imports first (Prisma client, workspace packages: tsc -b)
# and keeps whatever is fresh, so building them all builds each thing once.
step "build"
built=$(npm run build --workspaces --if-present 2>&1) || { echo "$built"; exit 1; }
grep '^prisma: ' <<<"$built" | sort -u # says so when a client was made without Prisma's engine
# A lint finding fails the run at the end, after every suite has run, like a failed project.
failed_projects=()
step "lint"
bash scripts/lint.sh || failed_projects+=(lint)
step "typecheck"
npm run typecheck --workspaces --if-present && node_modules/.bin/tsc -p tests || exit 1

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
