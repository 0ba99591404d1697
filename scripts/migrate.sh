#!/usr/bin/env bash
# make migrate: applies the committed migrations to DIRECT_URL (when set) or DATABASE_URL of the
# root .env, with the migrator program (built first when missing or older than its sources).
set -euo pipefail
. "$(dirname "$0")/load-env.sh"
cd "$root"
main=migrator/dist/main.js
if [ ! -f "$main" ] || [ -n "$(find migrator/src -name '*.ts' -not -path '*/generated/*' -newer "$main" -print -quit)" ]; then
  npm run build -w migrator >/dev/null
fi
exec node "$main"
