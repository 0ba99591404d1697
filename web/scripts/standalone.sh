#!/usr/bin/env bash
# After next build: the standalone output leaves the static assets out (Next expects a CDN to
# serve them). Copy them beside server.js so .next/standalone/web runs as it is, here and in the image.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.next/standalone/web
rm -rf "$out/.next/static"
cp -R .next/static "$out/.next/static"
