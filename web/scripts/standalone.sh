#!/usr/bin/env bash
# After next build: the standalone output leaves the static assets out (Next expects a CDN to
# serve them). Copy them beside server.js so .next/standalone/web runs as it is, here and in the image.
# Next opens its port before instrumentation.ts runs, so the environment check (src/checkEnv.ts,
# compiled with config.ts) goes beside server.js too, with the few packages it needs: it runs first.
set -euo pipefail
web=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$web/.." && pwd)
cd "$web"
out=.next/standalone/web
rm -rf "$out/.next/static" "$out/check-env"
cp -R .next/static "$out/.next/static"
"$root/node_modules/.bin/tsc" -p tsconfig.check-env.json
cp -R .next/check-env "$out/check-env"
rm "$out/check-env/.tsbuildinfo"
# server.js becomes our entry (src/server.ts: it records each connection's peer in X-Forwarded-For
# before Next reads the request, so no client picks its own rate-limit key); Next's own server
# becomes next-server.js, which the entry starts. Whatever runs `node server.js` gets both.
entry='require("./check-env/server.js");'
[ "$(cat "$out/server.js")" = "$entry" ] || mv "$out/server.js" "$out/next-server.js"
echo "$entry" >"$out/server.js"
# envalid's one dependency is tslib; server-only is the marker config.ts imports.
mkdir "$out/check-env/node_modules"
for package in envalid tslib server-only; do
  cp -R "$root/node_modules/$package" "$out/check-env/node_modules/$package"
done
# config.ts's database URL rules and environment rules: node_modules holds only links to these
# workspace packages. (pino, which service-kit's logger loads, is in the traced node_modules.)
for package in postgres service-kit; do
  mkdir -p "$out/check-env/node_modules/@authbridge/$package"
  cp -R "$root/packages/$package/package.json" "$root/packages/$package/dist" "$out/check-env/node_modules/@authbridge/$package/"
done
