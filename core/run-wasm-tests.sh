#!/usr/bin/env bash
# Runs mufakat-core's browser test (wasm32 in headless Chrome) and checks that the
# analysis gives the same groups as natively. Needs wasm-bindgen-test-runner 0.2.130
# (cargo install wasm-bindgen-cli --version 0.2.130) and /usr/bin/chromedriver.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_USE_BROWSER=1
cargo test -p mufakat-core --target wasm32-unknown-unknown --test browser_parity
