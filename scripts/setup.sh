#!/usr/bin/env bash
# Installs what mufakat needs to build, run and test, and nothing else.
# Idempotent: each tool is checked (by version where it matters) before anything is installed,
# so a machine that already has everything passes through in seconds.
#
#   scripts/setup.sh          tools to build and run (wasm target, Trunk, wasm-bindgen-cli)
#   scripts/setup.sh --test   also what the tests need (Chromium, npm packages, PostgreSQL,
#                             schemathesis in tools/schemathesis-venv)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock (pinned with `=` in app/Cargo.toml).
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

sudo_if_needed() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
  if [[ $apt_updated -eq 0 ]]; then
    sudo_if_needed apt-get update -qq
    apt_updated=1
  fi
  # RUNLEVEL=1: packages' scripts do not start their services (nginx on port 80, the
  # system's PostgreSQL); the tests start their own, on loopback, and stop them.
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq "$@" >/dev/null
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  # Without --locked: the tool's lock file can name a crate version this registry does not serve.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [[ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]]; then
  say "installing trunk $TRUNK_VERSION (several minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi

# wasm-opt shrinks the app's wasm (app/index.html data-wasm-opt; Trunk.toml pins the version).
# Binaryen from npm: Debian's 108 corrupts the externref table export wasm-bindgen emits.
if [[ "$(tools/binaryen/node_modules/.bin/wasm-opt --version 2>/dev/null || true)" != "wasm-opt version 132 "* ]]; then
  say "installing binaryen 132 (wasm-opt) from npm into tools/binaryen"
  (cd tools/binaryen && npm ci --no-audit --no-fund --silent)
fi

if [[ $want_test -eq 1 ]]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian's chromium and chromium-driver"
    apt_install chromium chromium-driver
  fi
  # scripts/with-postgres.sh asks python3 for a free port.
  if ! command -v python3 >/dev/null; then
    say "installing Debian's python3"
    apt_install python3
  fi
  # The deployment test (tests/browser/deploy.test.mjs) runs nginx with a self-signed
  # certificate and checks the systemd unit.
  if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
    say "installing Debian's nginx-light"
    apt_install nginx-light
  fi
  if ! command -v openssl >/dev/null; then
    say "installing Debian's openssl"
    apt_install openssl
  fi
  if ! command -v systemd-analyze >/dev/null; then
    say "installing Debian's systemd (for systemd-analyze verify)"
    apt_install systemd
  fi
  # The offline browser test reads the SQLite vote history with the sqlite3 tool.
  if ! command -v sqlite3 >/dev/null; then
    say "installing Debian's sqlite3"
    apt_install sqlite3
  fi
  if ! command -v pg_ctlcluster >/dev/null && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    say "installing Debian's postgresql"
    apt_install postgresql
  fi
  # scripts/api-fuzz.sh runs schemathesis (PyPI) from a venv, at the versions pinned in
  # tools/api-fuzz/requirements.txt; the copy in the venv says what it holds.
  fuzz_venv=tools/schemathesis-venv
  fuzz_req=tools/api-fuzz/requirements.txt
  if ! cmp -s "$fuzz_req" "$fuzz_venv/installed-requirements.txt"; then
    if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
      say "installing Debian's python3-venv"
      apt_install python3-venv
    fi
    say "installing schemathesis into $fuzz_venv ($(grep -m1 '^schemathesis==' "$fuzz_req"))"
    [[ -x "$fuzz_venv/bin/pip" ]] || python3 -m venv "$fuzz_venv"
    "$fuzz_venv/bin/pip" install --quiet --disable-pip-version-check -r "$fuzz_req"
    cp "$fuzz_req" "$fuzz_venv/installed-requirements.txt"
  fi
  if [[ ! -d tests/browser/node_modules ]] || [[ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]]; then
    say "installing npm packages for the browser tests"
    (cd tests/browser && npm ci --no-audit --no-fund --silent)
  fi
fi
