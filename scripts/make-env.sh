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
hex16() { node -e 'process.stdout.write(require("crypto").randomBytes(16).toString("hex"))'; }
db_password=$(hex16)
web_password=$(hex16)
api_password=$(hex16)
db_port=$(sed -n 's/^DB_PORT=//p' "$root/.env.example")
# The local cluster of `make db`: role:password@ it, verified against its own CA.
local_url() { echo "postgresql://$1:$2@127.0.0.1:$db_port/authbridge?sslmode=require&sslrootcert=$root/.data/postgres/tls/ca.crt"; }
umask 077
# awk, not sed: the values hold characters (& / +) that sed would read as syntax.
SECRET=$secret DB_PASSWORD=$db_password WEB_PASSWORD=$web_password API_PASSWORD=$api_password \
  DB_URL=$(local_url authbridge "$db_password") WEB_URL=$(local_url authbridge_web "$web_password") \
  API_URL=$(local_url authbridge_api "$api_password") awk '
  /^BETTER_AUTH_SECRET=/    { print "BETTER_AUTH_SECRET=\"" ENVIRON["SECRET"] "\""; next }
  /^POSTGRES_PASSWORD=/     { print "POSTGRES_PASSWORD=" ENVIRON["DB_PASSWORD"]; next }
  /^WEB_DATABASE_PASSWORD=/ { print "WEB_DATABASE_PASSWORD=" ENVIRON["WEB_PASSWORD"]; next }
  /^API_DATABASE_PASSWORD=/ { print "API_DATABASE_PASSWORD=" ENVIRON["API_PASSWORD"]; next }
  /^DATABASE_URL=/          { print "DATABASE_URL=\"" ENVIRON["DB_URL"] "\""; next }
  /^WEB_DATABASE_URL=/      { print "WEB_DATABASE_URL=\"" ENVIRON["WEB_URL"] "\""; next }
  /^API_DATABASE_URL=/      { print "API_DATABASE_URL=\"" ENVIRON["API_URL"] "\""; next }
  { print }
' "$root/.env.example" >"$env_file"
echo "wrote .env (fresh BETTER_AUTH_SECRET and database passwords; the owner's, the web's and the api's URLs point at the local TLS cluster of 'make db')"
