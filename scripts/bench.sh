#!/usr/bin/env bash
# make bench: builds what is missing or stale (api, migrator), then runs the harness in bench/.
# Flags go to the harness: `bash scripts/bench.sh --help`, or `make bench BENCH_ARGS="--duration 5"`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

[ -d node_modules ] || { echo "bench: run npm ci first (or make test)" >&2; exit 1; }

# A build is stale when any of its sources is newer than its entry point.
stale() { [ ! -f "$1/dist/$2" ] || [ -n "$(find "$1/src" -name '*.ts' -newer "$1/dist/$2" -print -quit)" ]; }

[ -d api/src/generated/prisma ] || npm run generate -w api >/dev/null
stale packages/contract index.js && npm run build -w packages/contract >/dev/null
stale migrator main.js && { echo "bench: building the migrator" >&2; npm run build -w migrator >/dev/null; }
stale api server.js && { echo "bench: building the api" >&2; npm run build -w api >/dev/null; }

# swc only strips the harness's types; a harness that does not typecheck does not run.
node_modules/.bin/tsc -p bench

# BENCH_ARGS is a list of flags, split on whitespace.
read -r -a bench_args <<<"${BENCH_ARGS:-}"
exec node -r ./bench/register.js bench/src/main.ts "${bench_args[@]}" "$@"
