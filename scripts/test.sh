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

# The second run: the token, revocation, replicas and FastAPI suites (and the log audit) once more
# with ACCESS_TOKEN_ALG=EdDSA, the same files, each reading its mode from the environment
# (docs/TOKENS.md). The test kit starts every service in that mode.
eddsa_suites=(
  "web test/cross.test.ts test/fastapi.test.ts"
  "tests/replicas replicas.test.ts"
  "tests/resilience revocation.test.ts rotation.test.ts logs.test.ts"
)
for entry in "${eddsa_suites[@]}"; do
  read -r project files <<<"$entry"
  step "jest: $project (ACCESS_TOKEN_ALG=EdDSA)"
  # shellcheck disable=SC2086 # files is a list of paths
  if ! (cd "$project" && ACCESS_TOKEN_ALG=EdDSA "$root/node_modules/.bin/jest" --ci --json --outputFile="$results/$(basename "$project")-eddsa.json" "$@" $files); then
    failed_projects+=("$project (EdDSA)")
  fi
done

node scripts/summarise-results.js "$results"

if [ ${#failed_projects[@]} -gt 0 ]; then
  echo "failed: ${failed_projects[*]}" >&2
  exit 1
fi
