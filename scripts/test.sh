#!/usr/bin/env bash
# Every check mufakat has: formatting, lints, unit and integration tests, the wasm builds,
# and the browser end-to-end tests against the real server. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step names the disk left where target/ is written: a full disk is the first thing to rule
# out when a clean-clone run fails (CI runs on a machine that a session has used before).
step() {
  printf '\n\033[1m==> %s\033[0m (%s)\n' "$*" "$(df -h . | awk 'NR == 2 { print $4 " free" }')"
}

# Incremental caches only pay off when the same crate is rebuilt again and again; on a fresh
# clone (CI) they only take disk. Developers iterating can set CARGO_INCREMENTAL=1.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

step "setup"
scripts/setup.sh --test

step "format"
cargo fmt --all --check

step "lint (native crates, then the app for wasm32)"
cargo clippy --workspace --exclude mufakat-app --all-targets -- -D warnings
cargo clippy -p mufakat-app --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p mufakat-app --target wasm32-unknown-unknown --features console -- -D warnings

step "unit and integration tests (store, API and durability tests on SQLite and a throw-away PostgreSQL)"
scripts/with-postgres.sh cargo test --workspace --exclude mufakat-app

step "the live API against its OpenAPI (schemathesis: no 5xx, no undocumented status)"
cargo build -p mufakat-server
scripts/api-fuzz.sh

step "mufakat-core for wasm32, and its analysis in headless Chromium"
cargo build -p mufakat-core --target wasm32-unknown-unknown
core/run-wasm-tests.sh

step "the app, built by Trunk"
scripts/build-app.sh

step "browser end-to-end tests"
cargo build -p mufakat-server
(cd tests/browser && npm test)
