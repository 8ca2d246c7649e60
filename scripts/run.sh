#!/usr/bin/env bash
# Builds the app and the server in release mode and starts `mufakat serve` on the embedded
# SQLite store (default data/mufakat.sqlite; override with --database-url or DATABASE_URL).
# An empty store gets the demo conversation. Extra arguments go to `mufakat serve`.
# The first moderator, `admin`, is created on first run with MUFAKAT_ADMIN_PASSWORD (or
# --admin-password-file); without either, a development password is set and printed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-app.sh
cargo build --release -p mufakat-server
if [ -z "${MUFAKAT_ADMIN_PASSWORD:-}" ] && [[ " $* " != *" --admin-password-file"* ]]; then
  export MUFAKAT_ADMIN_PASSWORD=mufakat-dev
  echo "moderator console: /admin, user admin, password $MUFAKAT_ADMIN_PASSWORD (a development default," \
       "used only if the store has no moderator yet; set MUFAKAT_ADMIN_PASSWORD to choose your own)"
fi
exec target/release/mufakat serve "$@"
