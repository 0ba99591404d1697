#!/usr/bin/env bash
# make dev: the whole stack natively, in the foreground: local db (when .env points at it),
# migrations, then api and web side by side. Ctrl-C (or either process ending) stops all.
set -euo pipefail
. "$(dirname "$0")/load-env.sh"
cd "$root"
export NEXT_TELEMETRY_DISABLED=1

[ -d node_modules ] || npm ci
case "$DATABASE_URL" in
  *@127.0.0.1:"${DB_PORT:-5433}"/* | *@localhost:"${DB_PORT:-5433}"/*) bash scripts/db.sh >/dev/null ;;
  *) echo "dev: DATABASE_URL is not the local cluster; not starting it" ;;
esac
bash scripts/migrate.sh
# The api's build makes what it imports (the packages the web shares) before either starts, so the
# two never build one package at the same time; the web's dev start then finds them fresh.
npm run --silent build -w api

trap 'trap - INT TERM EXIT; kill 0 2>/dev/null; wait' INT TERM EXIT
npm run --silent start -w api &
npm run --silent dev -w web &
echo "dev: web on ${BETTER_AUTH_URL}, api on ${API_URL} (Ctrl-C stops both)"
wait -n
