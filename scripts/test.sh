#!/usr/bin/env bash
# Every check mufakat has, in the order that fails fastest.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
