#!/usr/bin/env bash
# make openapi: regenerate api/openapi.json from the api's zod schemas, then the TypeScript types
# the web's client is typed with (packages/api-types/src/openapi.ts). Commit both.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build -w api
node api/scripts/write-openapi.js
node_modules/.bin/openapi-typescript api/openapi.json --output packages/api-types/src/openapi.ts
npm run build -w packages/api-types >/dev/null
