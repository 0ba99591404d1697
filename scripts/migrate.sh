#!/usr/bin/env bash
# make migrate: applies the committed migrations to DIRECT_URL (when set) or DATABASE_URL, from the
# caller's environment or else the root .env, with the migrator program.
set -euo pipefail
# .env's DIRECT_URL is the direct host of .env's database: when the caller names another database
# with DATABASE_URL alone, it must not send the migrations back to .env's.
caller_database=${DATABASE_URL+set}
caller_direct=${DIRECT_URL+set}
. "$(dirname "$0")/load-env.sh"
if [ -n "$caller_database" ] && [ -z "$caller_direct" ] && [ -n "${DIRECT_URL:-}" ]; then
  echo "migrate: DATABASE_URL comes from your environment; DIRECT_URL of .env is not used"
  unset DIRECT_URL
fi
cd "$root"
main=migrator/dist/main.js
# Built (with what it imports, tsc -b) when missing or older than its sources.
if [ ! -f "$main" ] || [ -n "$(find migrator/src -name '*.ts' -not -path '*/generated/*' -newer "$main" -print -quit)" ]; then
  npm run --silent build -w migrator
fi
exec node "$main"
