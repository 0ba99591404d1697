#!/usr/bin/env bash
# Creates .env from .env.example with fresh secrets and local defaults. Never overwrites.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
env_file="$root/.env"
if [ -e "$env_file" ]; then
  echo ".env already exists; left as it is (delete it to make a new one)"
  exit 0
fi
secret=$(node -e 'process.stdout.write(require("crypto").randomBytes(48).toString("base64"))')
db_password=$(node -e 'process.stdout.write(require("crypto").randomBytes(16).toString("hex"))')
db_port=$(sed -n 's/^DB_PORT=//p' "$root/.env.example")
database_url="postgresql://authbridge:$db_password@127.0.0.1:$db_port/authbridge?sslmode=require&sslrootcert=$root/.data/postgres/tls/ca.crt"
umask 077
sed -e "s|^BETTER_AUTH_SECRET=.*|BETTER_AUTH_SECRET=\"$secret\"|" \
    -e "s|^POSTGRES_PASSWORD=.*|POSTGRES_PASSWORD=$db_password|" \
    -e "s|^DATABASE_URL=.*|DATABASE_URL=\"$database_url\"|" \
    "$root/.env.example" >"$env_file"
echo "wrote .env (fresh BETTER_AUTH_SECRET and POSTGRES_PASSWORD; DATABASE_URL points at the local TLS cluster of 'make db')"
