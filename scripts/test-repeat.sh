#!/usr/bin/env bash
# make test-repeat SUITE=<jest project dir or test file> N=<runs> [BUSY=1]: runs one Jest suite N
# times in a row and counts the runs that failed, to prove a suite does not flake. BUSY=1 keeps one
# core busy meanwhile with a bounded busy loop (ended with the runs). Each run's output is kept in
# test-results/repeat/. Uses what is built: run `make test` (or the workspace builds) first for
# suites that start the built programs.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
suite=${SUITE:?usage: make test-repeat SUITE=<jest project dir or test file> N=<runs> [BUSY=1]}
runs=${N:-10}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "N must be a positive whole number" >&2; exit 2; }
target=$(cd "$root" && realpath -e -- "$suite" 2>/dev/null) || { echo "SUITE not found: $suite" >&2; exit 2; }

# The Jest project: the suite itself when it is a folder, else the nearest folder above the file
# that has a jest.config.js.
project=$target
[ -d "$project" ] || project=$(dirname "$project")
while [ ! -f "$project/jest.config.js" ]; do
  if [ "$project" = "$root" ] || [ "$project" = / ]; then
    echo "no jest.config.js above $suite" >&2
    exit 2
  fi
  project=$(dirname "$project")
done
files=()
[ -f "$target" ] && files=("$target")

busy_pid=
stop_busy() { [ -z "$busy_pid" ] || kill "$busy_pid" 2>/dev/null; }
trap stop_busy EXIT
if [ "${BUSY:-}" = 1 ]; then
  # Bounded even if this script is killed before it can stop it: at most 6 hours.
  node -e 'const end = Date.now() + 6 * 3600e3; while (Date.now() < end) {}' &
  busy_pid=$!
  echo "busy loop on one core: pid $busy_pid"
fi

logs="$root/test-results/repeat"
mkdir -p "$logs"
name=$(basename "${target%.test.ts}")
passed=0
failed=0
# Stopped early (Ctrl-C, a deadline): the runs that finished are still counted and recorded.
# (Signal the script, not its process group, and the run under way finishes first.)
interrupted=0
trap 'interrupted=1' INT TERM
for ((i = 1; i <= runs && !interrupted; i++)); do
  log="$logs/$name-$i.log"
  started=$SECONDS
  if (cd "$project" && "$root/node_modules/.bin/jest" --ci "${files[@]}") >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "run $i/$runs: passed ($((SECONDS - started)) s)"
  else
    failed=$((failed + 1))
    echo "run $i/$runs: FAILED ($((SECONDS - started)) s), output in ${log#"$root"/}"
    grep -E '^\s+● ' "$log" | sort -u | head -5
  fi
done
planned=$runs
if [ "$interrupted" = 1 ]; then
  runs=$((passed + failed))
  echo "stopped after $runs of $planned runs"
fi
echo "$runs runs: $passed passed, $failed failed"
# One line per series, for docs/RESILIENCE.md (tests/resilience/render-report.js).
SUITE_NAME=${target#"$root"/} RUNS=$runs PLANNED=$planned PASSED=$passed FAILED=$failed BUSY_CORE=${BUSY:-} SECONDS_TAKEN=$SECONDS node -e '
  const e = process.env;
  const series = { suite: e.SUITE_NAME, runs: +e.RUNS, planned: +e.PLANNED, passed: +e.PASSED, failed: +e.FAILED, busy: e.BUSY_CORE === "1",
    cores: require("node:os").availableParallelism(), finishedAt: new Date().toISOString(), seconds: +e.SECONDS_TAKEN };
  require("node:fs").appendFileSync(process.argv[1], JSON.stringify(series) + "\n");
' "$logs/series.jsonl"
[ "$failed" -eq 0 ]
