#!/usr/bin/env bash
# Builds the app into dist/ with Trunk, offline. wasm-opt (binaryen 132 from npm, installed by
# scripts/setup.sh into tools/binaryen) goes first on PATH so Trunk uses it and downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tools/binaryen/node_modules/.bin:$PATH"
exec trunk build --release --offline "$@"
