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
# envalid's one dependency is tslib; server-only is the marker config.ts imports.
mkdir "$out/check-env/node_modules"
for package in envalid tslib server-only; do
  cp -R "$root/node_modules/$package" "$out/check-env/node_modules/$package"
done
