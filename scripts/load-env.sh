# shellcheck shell=bash
# Sourced by the other scripts: exports every variable of the root .env, creating it first.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -e "$root/.env" ] || bash "$root/scripts/make-env.sh"
set -a
# The .env is data that make-env.sh writes, not a script to check.
# shellcheck source=/dev/null
. "$root/.env"
set +a
