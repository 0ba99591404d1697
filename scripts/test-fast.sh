#!/usr/bin/env bash
# make test-fast: the everyday loop. Lint, typecheck, and every unit test (`*.unit.test.ts`: no
# database, no browser, no built program), all Jest projects in one run. `make test` is the gate.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1

step() { echo; echo "== $*"; }
[ -d node_modules ] || { step "npm ci"; npm ci || exit 1; }
failed=()
# Lint makes the Prisma clients and the packages' declarations it reads (kept when fresh).
step "lint"
LINT_CACHE=1 bash scripts/lint.sh || failed+=(lint)
step "typecheck"
{ npm run --silent typecheck --workspaces --if-present && node_modules/.bin/tsc -p tests; } || failed+=(typecheck)
step "unit tests"
for project in packages/* migrator api web tests/*; do
  [ -f "$project/jest.config.js" ] || continue
  (cd "$project" && "$root/node_modules/.bin/jest" --ci --passWithNoTests --testPathPatterns '\.unit\.test\.ts$' "$@") || failed+=("$project")
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "test-fast failed: ${failed[*]}" >&2
  exit 1
fi
