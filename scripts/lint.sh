#!/usr/bin/env bash
# make lint: ESLint (type-aware) on every TypeScript and JavaScript file, Prettier's check of the
# formatting, and shellcheck on every shell script. Each runs even when an earlier one fails; the
# exit code is non-zero when any found something.
#   scripts/lint.sh         check only (make lint, make test)
#   scripts/lint.sh --fix   apply ESLint's automatic fixes, then Prettier's formatting (make format)
# LINT_CACHE=1 (make test-fast) keeps ESLint's and Prettier's caches in node_modules/.cache: a file
# unchanged since a clean run is not read again. ESLint's cache cannot see a type that changed in
# another file, so the gate (make test, CI) always lints without it.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
fix=false
case "${1:-}" in
  "") ;;
  --fix) fix=true ;;
  *) echo "usage: scripts/lint.sh [--fix]" >&2; exit 2 ;;
esac

command -v shellcheck >/dev/null || { echo "lint: shellcheck is missing (Debian/Ubuntu: apt-get install shellcheck)" >&2; exit 1; }
# The type-aware rules read the Prisma clients' types and the workspace packages' declarations
# (packages/*/dist): both are made here when missing or stale (each step keeps what is fresh).
npm run generate --workspaces --if-present >/dev/null || exit 1
node_modules/.bin/tsc -b web/tsconfig.build.json || exit 1

eslint_cache=() prettier_cache=()
if [ "${LINT_CACHE:-}" = 1 ]; then
  eslint_cache=(--cache --cache-location node_modules/.cache/authbridge-lint/eslint)
  prettier_cache=(--cache --cache-location node_modules/.cache/authbridge-lint/prettier)
fi
failed=()
if $fix; then
  # ESLint first: some of its fixes (array types, optional chains) leave lines Prettier rewraps.
  echo "== eslint --fix"
  node_modules/.bin/eslint --fix . || failed+=(eslint)
  echo "== prettier --write"
  node_modules/.bin/prettier --write --log-level warn . || failed+=(prettier)
else
  echo "== eslint"
  node_modules/.bin/eslint "${eslint_cache[@]}" --max-warnings 0 . || failed+=(eslint)
  echo "== prettier --check"
  node_modules/.bin/prettier "${prettier_cache[@]}" --check --log-level warn . || failed+=(prettier)
fi
echo "== shellcheck"
mapfile -t scripts < <(git ls-files '*.sh' .ci/run)
shellcheck "${scripts[@]}" || failed+=(shellcheck)

if [ ${#failed[@]} -gt 0 ]; then
  $fix && echo "lint: what is left needs a hand fix" >&2 || echo "lint failed: ${failed[*]} (make format fixes what can be fixed automatically)" >&2
  exit 1
fi
echo "lint: clean"
