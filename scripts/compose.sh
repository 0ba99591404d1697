#!/usr/bin/env bash
# The Docker Compose stack of docker-compose.yml, behind the Makefile:
#   compose.sh up       make up: build, start, return once every service is healthy (migrator: done)
#   compose.sh down     make down: remove the containers, keep the database volume
#   compose.sh down-v   make down-v: remove the containers and the volumes (database, its CA)
#   compose.sh logs     make logs: follow the logs
#   compose.sh ps       make ps: the services and their health
#   compose.sh smoke    make test-compose: a real throw-away stack where a Docker engine runs, else a skip
# AUTHBRIDGE_ENV_FILE (default: the root .env) and COMPOSE_PROJECT_NAME select another env file
# and project; the smoke test uses them for its throw-away stack.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

die() { echo "compose: $*" >&2; exit 1; }

# Minimums: Compose v2.20 for depends_on.required (Compose v1, `docker-compose` 1.x, knows neither
# that nor `up --wait`); Docker Engine 20.10 (API 1.41). Engine 25 (API 1.44) is the first that
# takes healthcheck.start_interval.
MIN_COMPOSE=2.20.0
MIN_API=1.41
START_INTERVAL_API=1.44
# Compose 2.24.4 is the first with both `!reset` and `!override` (docker-compose.eddsa.yml).
EDDSA_COMPOSE=2.24.4

at_least() { printf '%s\n%s\n' "$1" "$2" | sort -V -C; }

# Why Compose cannot run here, or nothing when it can.
compose_problem() {
  command -v docker >/dev/null 2>&1 || { echo "Docker is not installed"; return; }
  local version api
  version=$(docker compose version --short 2>/dev/null) \
    || { echo "Docker Compose v2 is not installed (the 'docker compose' plugin; docker-compose 1.x cannot run this file)"; return; }
  version=${version#v}
  at_least "$MIN_COMPOSE" "${version%%-*}" \
    || { echo "Docker Compose $version is too old (2.20 or newer is needed)"; return; }
  api=$(docker version --format '{{.Server.APIVersion}}' 2>/dev/null) \
    || { echo "the Docker engine is not reachable (is the daemon running, and may this user use it?)"; return; }
  at_least "$MIN_API" "$api" \
    || echo "Docker Engine $(docker version --format '{{.Server.Version}}') (API $api) is too old (Engine 20.10 or newer is needed)"
}

require_compose() {
  local problem; problem=$(compose_problem)
  [ -z "$problem" ] || die "$problem.
  Without Docker, 'make dev' runs the same stack natively (PostgreSQL binaries and Node >= 20.12)."
}

load_env() {
  # The caller's environment wins over the file, as everywhere (COMPOSE_PROFILES and COMPOSE_FILE
  # included); what is exported is what Compose interpolates (COMPOSE_DATABASE_URL's ${POSTGRES_PASSWORD}).
  # shellcheck source=load-env.sh
  . "$root/scripts/load-env.sh"
  export AUTHBRIDGE_ENV_FILE=$env_file
}

# Which files, by Compose's own rules, so that `make up` runs what `docker compose up` would:
# COMPOSE_FILE when set (the caller's or the env file's), else docker-compose.yml and, when it
# exists, docker-compose.override.yml beside it. Right after docker-compose.yml go fast health
# polling during start-up (docker-compose.start-interval.yml) where the engine takes it (Compose
# refuses the whole project on older engines) and, with ACCESS_TOKEN_ALG=EdDSA, the EdDSA
# order and environment (docker-compose.eddsa.yml), so an override still has the last word.
compose_files_chosen=false
choose_compose_files() {
  local separator=${COMPOSE_PATH_SEPARATOR:-:} base=$root/docker-compose.yml after_base=() files=() chosen=() file api version
  api=$(docker version --format '{{.Server.APIVersion}}' 2>/dev/null || echo 0)
  at_least "$START_INTERVAL_API" "$api" && after_base+=("$root/docker-compose.start-interval.yml")
  if [ "${ACCESS_TOKEN_ALG:-}" = EdDSA ]; then
    version=$(docker compose version --short 2>/dev/null || echo 0); version=${version#v}
    at_least "$EDDSA_COMPOSE" "${version%%-*}" \
      || die "ACCESS_TOKEN_ALG=EdDSA needs Docker Compose $EDDSA_COMPOSE or newer (docker-compose.eddsa.yml uses !reset), not $version"
    after_base+=("$root/docker-compose.eddsa.yml")
  fi
  if [ -n "${COMPOSE_FILE:-}" ]; then
    IFS=$separator read -r -a files <<<"$COMPOSE_FILE"
  else
    files=("$base")
    [ -f "$root/docker-compose.override.yml" ] && files+=("$root/docker-compose.override.yml")
  fi
  for file in "${files[@]}"; do
    chosen+=("$file")
    if [ "$(realpath -m "$file")" = "$base" ]; then chosen+=("${after_base[@]}"); fi
  done
  COMPOSE_FILE=$(IFS=$separator; echo "${chosen[*]}")
  export COMPOSE_FILE
  compose_files_chosen=true
}

compose() {
  $compose_files_chosen || choose_compose_files
  docker compose --env-file "$env_file" "$@"
}

# The in-network URL and the local db go together: one without the other points the containers
# at a database that is not there.
check_database_switch() {
  if [[ ",${COMPOSE_PROFILES:-}," == *,localdb,* ]]; then
    local variable
    for variable in COMPOSE_DATABASE_URL COMPOSE_WEB_DATABASE_URL COMPOSE_API_DATABASE_URL; do
      [ -n "${!variable:-}" ] || die "COMPOSE_PROFILES starts the local db but $variable is empty in $env_file:
  copy its line from .env.example (the containers cannot use the 127.0.0.1 URLs of native processes)."
    done
  elif [[ "${COMPOSE_DATABASE_URL:-}" == *@db:* ]]; then
    die "COMPOSE_DATABASE_URL points at the local db container, but COMPOSE_PROFILES does not start it:
  for Neon empty both COMPOSE_PROFILES and COMPOSE_DATABASE_URL in $env_file."
  fi
}

# After a failed `up`: the last log lines of each service that exited non-zero, is unhealthy or
# keeps restarting (a service waiting on a failed one was never started and has none).
report_failure() {
  local service state code health failing=()
  while IFS=$'\t' read -r service state code health; do
    if { [ "$state" = exited ] && [ "$code" != 0 ]; } || [ "$health" = unhealthy ] \
      || [ "$state" = restarting ] || [ "$state" = dead ]; then
      failing+=("$service")
    fi
  done < <(compose ps -a --format '{{.Service}}{{"\t"}}{{.State}}{{"\t"}}{{.ExitCode}}{{"\t"}}{{.Health}}' 2>/dev/null)
  [ ${#failing[@]} -gt 0 ] || mapfile -t failing < <(compose ps -a --services 2>/dev/null)
  for service in "${failing[@]}"; do
    echo >&2
    echo "--- $service: last 40 log lines" >&2
    compose logs --no-color --no-log-prefix --tail 40 "$service" >&2 || true
  done
  echo >&2
  echo "compose: the stack did not come up healthy (see above; 'make logs' follows every service)" >&2
}

cmd_up() {
  require_compose
  load_env
  check_database_switch
  if ! compose up -d --build --wait; then
    report_failure
    exit 1
  fi
  echo
  echo "authbridge is up (make ps, make logs, make down):"
  echo "  web:        ${BETTER_AUTH_URL:-http://localhost:${WEB_PORT:-3000}}"
  local api=${API_URL:-http://localhost:${API_PORT:-8000}}
  echo "  api health: ${api%/}/healthz"
}

cmd_smoke() {
  local problem; problem=$(compose_problem)
  if [ -n "$problem" ]; then
    echo "test-compose: skipped: $problem"
    return 0
  fi
  "$root/node_modules/.bin/jest" --ci --config "$root/tests/compose/jest.smoke.config.js"
}

case "${1:-}" in
  up) cmd_up ;;
  down) require_compose; load_env; compose down --remove-orphans ;;
  down-v) require_compose; load_env; compose down --volumes --remove-orphans ;;
  logs) require_compose; load_env; compose logs --follow --tail 100 ;;
  ps) require_compose; load_env; compose ps -a ;;
  smoke) cmd_smoke ;;
  *) die "usage: compose.sh up|down|down-v|logs|ps|smoke" ;;
esac
