#!/usr/bin/env bash
# After next build: the standalone output leaves the static assets out (Next expects a CDN to
# serve them). Copy them beside server.js so .next/standalone/web runs as it is, here and in the
# image. Then the process entry (src/server.ts, compiled by tsconfig.server.json) goes in place of
# the server.js Next writes: it refuses a bad environment before it listens, owns the sockets and
# hands each request to Next. The packages it needs are traced into the standalone folder by Next
# itself (serverExternalPackages in next.config.ts).
set -euo pipefail
web=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$web/.." && pwd)
cd "$web"
out=.next/standalone/web
rm -rf "$out/.next/static"
cp -R .next/static "$out/.next/static"
"$root/node_modules/.bin/tsc" -p tsconfig.server.json --outDir "$out"
