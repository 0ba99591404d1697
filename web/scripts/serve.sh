#!/usr/bin/env bash
# npm run dev|start -w web: the web app natively, fed by the root .env, the same file the api
# reads, so both derive the same token key. `start` runs the standalone server the image runs;
# `dev` runs the same process entry (src/server.ts) with Next's development server behind it.
# Either refuses a bad environment before anything listens.
set -euo pipefail
web=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../../scripts/load-env.sh
. "$web/../scripts/load-env.sh"
cd "$web"
export NEXT_TELEMETRY_DISABLED=1 PORT="${WEB_PORT:-3000}"
case "${1:-}" in
  dev)
    "$root/node_modules/.bin/tsc" -p tsconfig.server.json --outDir .next/dev-server
    exec node .next/dev-server/server.js --dev ;;
  start)
    [ -f .next/standalone/web/server.js ] || { echo "web: not built; run npm run build -w web" >&2; exit 1; }
    # The server binds HOSTNAME, which some shells and every container set to the machine name.
    HOSTNAME=0.0.0.0 exec node .next/standalone/web/server.js ;;
  *) echo "usage: serve.sh dev|start" >&2; exit 2 ;;
esac
