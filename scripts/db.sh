#!/usr/bin/env bash
# make db: starts (idempotently) the developer's TLS-only PostgreSQL under .data/postgres.
set -euo pipefail
. "$(dirname "$0")/load-env.sh"
url=$(bash "$root/scripts/pg-tls.sh" start "$root/.data/postgres" "${DB_PORT:-5433}" --password "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is empty in .env}")
echo "PostgreSQL (TLS only) is running on 127.0.0.1:${DB_PORT:-5433}, data in .data/postgres"
echo "DATABASE_URL=\"$url\""
