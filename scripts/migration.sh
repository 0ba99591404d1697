#!/usr/bin/env bash
# make migration NAME=<what>: writes migrator/prisma/migrations/<UTC yyyymmddhhmmss>_<what>/migration.sql
# for the change made to migrator/prisma/schema.prisma, checks on a throw-away TLS cluster that the
# committed migrations plus the new one apply, and prints what it wrote. docs/MIGRATIONS.md.
#
# Where Prisma's native schema engine is installed: `prisma migrate dev --create-only` against a
# throw-away cluster (it replays the committed migrations into a shadow database). Where it is not
# (its download host is unreachable), Prisma 6.19's Wasm engine (pinned in tools/prisma-wasm)
# diffs the committed schema (git HEAD) against the working one: the same SQL Prisma would write.
#
# Overrides (the tests use them, never on the real files): MIGRATION_SCHEMA (the changed schema),
# MIGRATION_FROM_SCHEMA (the schema the committed migrations produce; default: git HEAD's),
# MIGRATIONS_DIR (default: the migrations folder beside the schema).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "migration: $*" >&2; exit 1; }

name=${1:-}
[[ "$name" =~ ^[a-z][a-z0-9_]{0,62}$ ]] \
  || die "NAME must be snake_case: a lower-case letter, then lower-case letters, digits or _ (at most 63), e.g. make migration NAME=add_task_priority"
schema=$(realpath "${MIGRATION_SCHEMA:-$root/migrator/prisma/schema.prisma}")
migrations=$(realpath "${MIGRATIONS_DIR:-$(dirname "$schema")/migrations}")
[ -f "$schema" ] || die "no schema at $schema"
[ -d "$migrations" ] || die "no migrations folder at $migrations"
if compgen -G "$migrations/*_$name/" >/dev/null; then die "a migration named $name exists already: choose another NAME"; fi

work=$(mktemp -d)
chmod 755 "$work" # the cluster's server runs as the postgres user when this runs as root
cleanup() { bash "$root/scripts/pg-tls.sh" stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

port=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
echo "migration: starting a throw-away TLS PostgreSQL on 127.0.0.1:$port"
url=$(bash "$root/scripts/pg-tls.sh" start "$work/pg" "$port" --createdb)
stamp=$(date -u +%Y%m%d%H%M%S)
target="$migrations/${stamp}_$name"

if [ -n "${PRISMA_SCHEMA_ENGINE_BINARY:-}" ] || compgen -G "$root/node_modules/@prisma/engines/schema-engine-*" >/dev/null; then
  echo "migration: Prisma's native engine: prisma migrate dev --create-only"
  before=$(ls "$migrations")
  (cd "$root/migrator" && DATABASE_URL="$url" DIRECT_URL="$url" MIGRATIONS_DIR="$migrations" \
    "$root/node_modules/.bin/prisma" migrate dev --create-only --name "$name" --schema "$schema")
  made=$(comm -13 <(echo "$before") <(ls "$migrations"))
  [ -n "$made" ] || die "no schema change: the schema and the committed migrations already agree (nothing written)"
  target="$migrations/$made"
else
  echo "migration: Prisma's native engine is not installed; diffing with Prisma 6.19's Wasm engine"
  wasm="$root/tools/prisma-wasm/node_modules"
  [ -f "$wasm/prisma/build/index.js" ] || die "tools/prisma-wasm is not installed: run npm ci (or npm install) at the repository root"
  if [ -n "${MIGRATION_FROM_SCHEMA:-}" ]; then
    cp "$MIGRATION_FROM_SCHEMA" "$work/from.prisma"
  else
    relative=$(realpath --relative-to="$root" "$schema")
    # The committed schema is what the committed migrations produce only if nothing is pending.
    [ -z "$(git -C "$root" status --porcelain -- "$migrations")" ] \
      || die "uncommitted changes under $(realpath --relative-to="$root" "$migrations"): commit each migration with its schema change first"
    git -C "$root" show "HEAD:$relative" >"$work/from.prisma" || die "$relative is not in git HEAD: set MIGRATION_FROM_SCHEMA"
  fi
  cp "$schema" "$work/to.prisma"
  # Prisma 6 reads neither Prisma 7's generator options nor a datasource without a url: drop the
  # generators (they do not shape the database) and let the datasource read URL.
  for file in "$work/from.prisma" "$work/to.prisma"; do
    awk '/^generator [A-Za-z0-9_]+ *\{/ { skip = 1 } !skip { print } skip && /^\}/ { skip = 0 }' "$file" \
      | awk '{ print } /^datasource / { ds = 1 } ds && /^ *provider *=/ { print "  url      = env(\"URL\")"; ds = 0 }' >"$file.tmp"
    mv "$file.tmp" "$file"
  done
  cat >"$work/prisma.config.ts" <<EOF
import { defineConfig } from "$wasm/prisma/config";
import { PrismaPg } from "$wasm/@prisma/adapter-pg";

export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: "to.prisma",
  adapter: async () => new PrismaPg({ connectionString: process.env.URL }),
});
EOF
  status=0
  (cd "$work" && URL="$url" PRISMA_HIDE_UPDATE_MESSAGE=1 PRISMA_SCHEMA_ENGINE_BINARY="$(type -P true)" PRISMA_QUERY_ENGINE_LIBRARY="$work/to.prisma" \
    node "$wasm/prisma/build/index.js" migrate diff --from-schema-datamodel from.prisma --to-schema-datamodel to.prisma \
    --script --exit-code >"$work/migration.sql" 2>"$work/prisma.log") || status=$?
  case $status in
    0) die "no schema change: $(realpath --relative-to="$root" "$schema") describes the same database as the committed migrations (nothing written)" ;;
    2) ;;
    *) grep -v '^Loaded Prisma config' "$work/prisma.log" >&2; die "prisma migrate diff failed (exit $status)" ;;
  esac
  mkdir -p "$target"
  cp "$work/migration.sql" "$target/migration.sql"
fi

# The committed migrations and the new one, applied in order by the migrator's own runner.
[ -f "$root/migrator/dist/main.js" ] || npm run build -w migrator >/dev/null
if ! DATABASE_URL="$url" MIGRATE_RUNNER=builtin MIGRATIONS_DIR="$migrations" LOG_LEVEL=warn node "$root/migrator/dist/main.js" >"$work/apply.log" 2>&1; then
  cat "$work/apply.log" >&2
  rm -rf "$target"
  die "the new migration does not apply on top of the committed ones (removed it); see above"
fi
echo "migration: wrote $(realpath --relative-to="$PWD" "$target/migration.sql") (applies cleanly after the committed migrations):"
echo
cat "$target/migration.sql"
