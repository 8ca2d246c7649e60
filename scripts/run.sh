#!/usr/bin/env bash
# Builds the app and the server in release mode and starts `mufakat serve` on the embedded
# SQLite store (default data/mufakat.sqlite; override with --database-url or DATABASE_URL).
# An empty store gets the demo conversation. Extra arguments go to `mufakat serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-app.sh
cargo build --release -p mufakat-server
exec target/release/mufakat serve "$@"
