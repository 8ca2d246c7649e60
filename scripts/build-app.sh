#!/usr/bin/env bash
# Builds the app into dist/ with Trunk, offline. wasm-opt (binaryen 132 from npm, installed by
# scripts/setup.sh into tools/binaryen) goes first on PATH so Trunk uses it and downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tools/binaryen/node_modules/.bin:$PATH"
# The participant app first (Trunk empties dist/), then the moderator console and projector,
# the same app with the `console` feature, into dist/console (served under /admin and /p).
trunk build --release --offline "$@"
trunk build --release --offline --dist dist/console --public-url /console/ "$@" app/console.html
# The server sends a file's .gz to browsers that accept gzip (ServeDir's precompressed_gzip):
# compressed once here, at the best level, instead of at every request.
find dist -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' \) \
  -exec gzip -9 -k -f -n {} +
