#!/usr/bin/env bash
# make bench: builds the api and the migrator (each build keeps what is fresh), then runs the harness in bench/.
# Flags go to the harness: `bash scripts/bench.sh --help`, or `make bench BENCH_ARGS="--duration 5"`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

[ -d node_modules ] || { echo "bench: run npm ci first (or make test)" >&2; exit 1; }

npm run --silent build -w migrator -w api

# swc only strips the harness's types; a harness that does not typecheck does not run.
node_modules/.bin/tsc -p bench

# BENCH_ARGS is a list of flags, split on whitespace.
read -r -a bench_args <<<"${BENCH_ARGS:-}"
exec node -r ./bench/register.js bench/src/main.ts "${bench_args[@]}" "$@"
