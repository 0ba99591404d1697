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
# awk, not sed: the values hold characters (& / +) that sed would read as syntax.
SECRET=$secret DB_PASSWORD=$db_password DB_URL=$database_url awk '
  /^BETTER_AUTH_SECRET=/ { print "BETTER_AUTH_SECRET=\"" ENVIRON["SECRET"] "\""; next }
  /^POSTGRES_PASSWORD=/  { print "POSTGRES_PASSWORD=" ENVIRON["DB_PASSWORD"]; next }
  /^DATABASE_URL=/       { print "DATABASE_URL=\"" ENVIRON["DB_URL"] "\""; next }
  { print }
' "$root/.env.example" >"$env_file"
echo "wrote .env (fresh BETTER_AUTH_SECRET and POSTGRES_PASSWORD; DATABASE_URL points at the local TLS cluster of 'make db')"
