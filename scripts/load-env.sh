# Sourced by the other scripts: exports every variable of the root .env, creating it first.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -e "$root/.env" ] || bash "$root/scripts/make-env.sh"
set -a
# shellcheck disable=SC1091
. "$root/.env"
set +a
