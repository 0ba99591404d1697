#!/usr/bin/env bash
# A local PostgreSQL cluster that speaks TLS only, built from the machine's own binaries.
# Used by `make db` (the developer's cluster under .data/postgres) and by the test suites
# (throw-away clusters in temporary folders, on free ports).
#
#   pg-tls.sh start DIR PORT [--no-ssl] [--password PW] [--createdb]
#                                                         init on first use, start, print the URL
#   pg-tls.sh stop DIR                                    fast shutdown (no-op when not running)
#   pg-tls.sh url DIR                                     print the URL of an initialised cluster
#   pg-tls.sh certs DIR                                   only make the CA and server certificate
#   pg-tls.sh superuser DIR SQL                           run SQL as the bootstrap superuser, through
#                                                         the cluster's own socket (bootstrap and tests)
#
# The URL printed carries sslmode=require and the cluster's own CA as sslrootcert, so
# node-postgres verifies the server certificate (localhost / 127.0.0.1) against it.
# --no-ssl makes a plaintext-only cluster for the negative tests. --createdb lets the role create
# databases (Prisma's `migrate dev` makes a shadow database; make migration uses it).
#
# Roles: `postgres` is the bootstrap superuser, reachable only through the cluster's own unix socket
# (pg_hba), used here and nowhere else. The URL's role, `authbridge`, owns the database and is no
# superuser: the migrator's role. It has CREATEROLE because the migrator creates and updates the
# services' roles (migrator/src/roles); the services never connect as it.
set -euo pipefail

die() { echo "pg-tls: $*" >&2; exit 1; }

find_bindir() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ]; then echo "$PG_BIN"; return; fi
  local d
  for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return; fi
  cat >&2 <<'MSG'
pg-tls: no PostgreSQL server binaries found (initdb, pg_ctl).
  Debian/Ubuntu: sudo apt-get install -y postgresql      macOS: brew install postgresql@16
  Or skip the local cluster: put a Neon URL (with sslmode=require) in DATABASE_URL in .env.
MSG
  exit 1
}

# The server refuses to run as root: as root, run it as the postgres user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

make_certs() {
  local dir=$1 tls="$1/tls"
  [ -f "$tls/server.crt" ] && return
  command -v openssl >/dev/null || die "openssl is needed to make the local certificates"
  mkdir -p "$tls"
  openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 3650 \
    -subj "/CN=authbridge local CA" -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
  openssl req -new -nodes -newkey rsa:2048 -sha256 -subj "/CN=localhost" \
    -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,DNS:db,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n' >"$tls/ext.cnf"
  openssl x509 -req -sha256 -days 3650 -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" \
    -CAcreateserial -extfile "$tls/ext.cnf" -out "$tls/server.crt" 2>/dev/null
  rm -f "$tls/server.csr" "$tls/ext.cnf" "$tls/ca.srl"
  chmod 600 "$tls/server.key" "$tls/ca.key"
  chmod 644 "$tls/ca.crt" "$tls/server.crt"
}

url_of() {
  local dir=$1
  [ -f "$dir/port" ] || die "$dir is not an initialised cluster (run: make db)"
  local port pw q
  port=$(cat "$dir/port"); pw=$(cat "$dir/password")
  if [ -f "$dir/plaintext" ]; then q="sslmode=disable"; else q="sslmode=require&sslrootcert=$dir/tls/ca.crt"; fi
  echo "postgresql://authbridge:$pw@127.0.0.1:$port/authbridge?$q"
}

cmd_start() {
  local dir="" port="" ssl=on pw="" createdb=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --no-ssl) ssl=off ;;
      --password) pw=$2; shift ;;
      --createdb) createdb=" CREATEDB" ;;
      *) if [ -z "$dir" ]; then dir=$1; elif [ -z "$port" ]; then port=$1; else die "unexpected argument $1"; fi ;;
    esac
    shift
  done
  if [ -z "$dir" ] || [ -z "$port" ]; then die "usage: pg-tls.sh start DIR PORT [--no-ssl] [--password PW] [--createdb]"; fi
  local bin; bin=$(find_bindir)
  mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    [ -n "$pw" ] || pw=$(openssl rand -hex 16)
    [[ "$pw" =~ ^[A-Za-z0-9._~-]+$ ]] || die "the database password may hold only URL-safe characters [A-Za-z0-9._~-]"
    printf '%s' "$pw" >"$dir/password"; chmod 600 "$dir/password"
    echo "$port" >"$dir/port"
    # A failing make_certs stops here (set -e); it must never fall through to a plaintext cluster.
    if [ "$ssl" = on ]; then make_certs "$dir"; else touch "$dir/plaintext"; fi
    mkdir -p "$dir/data" "$dir/run"
    if [ "$(id -u)" = 0 ]; then
      as_owner true; chown -R postgres "$dir"; chmod 755 "$dir"
      runuser -u postgres -- test -x "$dir" \
        || die "the postgres user cannot reach $dir: a parent folder is closed to it (chmod o+x it, or use another folder)"
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=reject \
      -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "port = $port"
      echo "unix_socket_directories = '$dir/run'"
      echo "password_encryption = 'scram-sha-256'"
      echo "max_connections = 200"
      echo "fsync = off"            # throw-away development data: speed over crash safety
      echo "synchronous_commit = off"
      if [ "$ssl" = on ]; then
        echo "ssl = on"
        echo "ssl_cert_file = '$dir/tls/server.crt'"
        echo "ssl_key_file = '$dir/tls/server.key'"
        echo "ssl_min_protocol_version = 'TLSv1.2'"
      else
        echo "ssl = off"
      fi
    } | as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
    if [ "$ssl" = on ]; then
      printf '%s\n' "local all postgres trust" \
        "hostssl all all 127.0.0.1/32 scram-sha-256" "hostssl all all ::1/128 scram-sha-256" \
        "hostnossl all all 0.0.0.0/0 reject" "hostnossl all all ::/0 reject"
    else
      printf '%s\n' "local all postgres trust" \
        "host all all 127.0.0.1/32 scram-sha-256" "host all all ::1/128 scram-sha-256"
    fi | as_owner tee "$dir/data/pg_hba.conf" >/dev/null
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 start >/dev/null \
      || { tail -20 "$dir/postgres.log" >&2; die "the server did not start"; }
    as_owner "$bin/psql" -h "$dir/run" -p "$port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
      -c "CREATE ROLE authbridge LOGIN CREATEROLE PASSWORD '$pw'$createdb" -c "CREATE DATABASE authbridge OWNER authbridge" >/dev/null
  else
    if ! as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 start >/dev/null \
        || { tail -20 "$dir/postgres.log" >&2; die "the server did not start (is port $(cat "$dir/port") taken?)"; }
    fi
    # Clusters made before the migrator created the services' roles: the owner gains CREATEROLE.
    as_owner "$bin/psql" -h "$dir/run" -p "$(cat "$dir/port")" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
      -c "ALTER ROLE authbridge CREATEROLE" >/dev/null
  fi
  url_of "$dir"
}

cmd_stop() {
  local dir=${1:?usage: pg-tls.sh stop DIR}
  [ -f "$dir/data/PG_VERSION" ] || return 0
  local bin; bin=$(find_bindir)
  if as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null
  fi
}

cmd_superuser() {
  local dir=${1:?usage: pg-tls.sh superuser DIR SQL} statement=${2:?usage: pg-tls.sh superuser DIR SQL}
  local bin; bin=$(find_bindir)
  dir=$(cd "$dir" && pwd)
  as_owner "$bin/psql" -h "$dir/run" -p "$(cat "$dir/port")" -U postgres -d authbridge -qAt -v ON_ERROR_STOP=1 -c "$statement"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  superuser) shift; cmd_superuser "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  url) shift; url_of "$(cd "${1:?usage: pg-tls.sh url DIR}" && pwd)" ;;
  certs) shift; mkdir -p "$1"; make_certs "$(cd "$1" && pwd)" ;;
  *) die "usage: pg-tls.sh start|stop|url|certs|superuser ..." ;;
esac
