#!/usr/bin/env bash
# Generates one service's Prisma client from the shared schema (migrator/prisma/schema.prisma).
#   scripts/prisma-generate.sh web|migrator (the api uses no Prisma)
# Every build runs this first, so a fresh clone builds with one command; a client already made
# from the same schema by the same Prisma is kept (the stamp), so no entry point generates twice.
# Prisma asks for its native schema engine even to generate, and downloads it from its own
# binary host, which some networks block while the npm registry is reachable. Generation does
# not really use the engine, so where it is missing any executable stands in for it.
set -euo pipefail
generator=${1:?usage: prisma-generate.sh web|migrator}
root=$(cd "$(dirname "$0")/.." && pwd)
output="$root/$generator/src/generated/prisma"
stamp="$output/.generated-from"
source_id=$(cat "$root/migrator/prisma/schema.prisma" "$root/node_modules/prisma/package.json" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$source_id" ]; then
  exit 0
fi
if [ -z "${PRISMA_SCHEMA_ENGINE_BINARY:-}" ] && ! ls "$root"/node_modules/@prisma/engines/schema-engine-* >/dev/null 2>&1; then
  echo "prisma: native schema engine not installed (its download host is unreachable); generating the client without it"
  export PRISMA_SCHEMA_ENGINE_BINARY
  PRISMA_SCHEMA_ENGINE_BINARY=$(type -P true)
fi
cd "$root/migrator"
"$root/node_modules/.bin/prisma" generate --generator "$generator"
echo "$source_id" >"$stamp"
