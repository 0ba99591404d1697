# shellcheck shell=bash
# Sourced by the other scripts: exports every variable of the root .env, creating it first
# (AUTHBRIDGE_ENV_FILE names another file, which must exist: the compose tests' throw-away stacks).
# The caller's environment wins, as with dotenv and Compose: a variable already set (even to the
# empty string) keeps its value, so `DATABASE_URL=... make migrate` uses the URL given. Later
# lines of .env that refer to such a variable (${POSTGRES_PASSWORD}) see the caller's value too.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
env_file=${AUTHBRIDGE_ENV_FILE:-$root/.env}
if [ ! -e "$env_file" ]; then
  [ -z "${AUTHBRIDGE_ENV_FILE:-}" ] || { echo "$env_file does not exist (AUTHBRIDGE_ENV_FILE)" >&2; exit 1; }
  bash "$root/scripts/make-env.sh"
fi
set -a
# The .env is data that make-env.sh writes, not a script to check. Each `NAME=value` line becomes
# `[ -n "${NAME+x}" ] || NAME=value`: the value, quotes and all, is read by bash exactly as before,
# and only assigned when NAME is not set yet.
# shellcheck source=/dev/null
. <(sed -E 's/^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)=/[ -n "${\2+x}" ] || \2=/' "$env_file")
set +a
