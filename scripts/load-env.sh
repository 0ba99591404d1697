# shellcheck shell=bash
# Sourced by the other scripts: exports every variable of the root .env, creating it first.
# The caller's environment wins, as with dotenv and Compose: a variable already set (even to the
# empty string) keeps its value, so `DATABASE_URL=... make migrate` uses the URL given. Later
# lines of .env that refer to such a variable (${POSTGRES_PASSWORD}) see the caller's value too.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -e "$root/.env" ] || bash "$root/scripts/make-env.sh"
set -a
# The .env is data that make-env.sh writes, not a script to check. Each `NAME=value` line becomes
# `[ -n "${NAME+x}" ] || NAME=value`: the value, quotes and all, is read by bash exactly as before,
# and only assigned when NAME is not set yet.
# shellcheck source=/dev/null
. <(sed -E 's/^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)=/[ -n "${\2+x}" ] || \2=/' "$root/.env")
set +a
