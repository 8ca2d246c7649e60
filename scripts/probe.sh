#!/usr/bin/env bash
# Hostile-client figures (SECURITY.md, BENCHMARKS.md): a login storm's memory and a slowloris,
# each against a fresh `mufakat serve` (release build, fresh SQLite, 127.0.0.1) started and
# stopped here, with server/examples/probe.rs as the client.
#   scripts/probe.sh logins 200 [--clients]   # N concurrent wrong logins for `admin`
#   scripts/probe.sh slowloris 500 [60]       # N one-byte connections, watched for S seconds
#   NOFILE=256 scripts/probe.sh slowloris 300 # the server under `ulimit -n 256`
# BIN=/path/to/mufakat measures another build (e.g. an older commit's) with the same client;
# SERVER_FLAGS adds flags. --clients sends each login from its own X-Forwarded-For address
# (the server trusts 127.0.0.1 as its proxy for the run): a botnet, not one address.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?logins or slowloris}; count=${2:-200}; shift 2 || true
cargo build --release -q -p mufakat-server --example probe
bin=${BIN:-target/release/mufakat}
[ -n "${BIN:-}" ] || cargo build --release -q -p mufakat-server --bin mufakat

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
extra=()
if [ "$mode" = logins ] && [ "${1:-}" = --clients ]; then extra=(--trusted-proxies 127.0.0.1); fi
# The server gets its own open-file limit when NOFILE is set (the probe keeps this shell's).
MUFAKAT_ADMIN_PASSWORD='the-right-passphrase' RUST_LOG=warn \
  bash -c 'ulimit -n "${NOFILE:-$(ulimit -n)}"; exec "$@"' _ "$bin" serve --addr "127.0.0.1:$port" \
  --database-url "sqlite://$dir/probe.sqlite" --dist /nonexistent "${extra[@]}" ${SERVER_FLAGS:-} \
  >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
  grep -qs "mufakat is running" "$dir/server.log" && break
  sleep 0.1
done
echo "$(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg), server $(basename "$bin") open files $(awk '/Max open files/ {print $4}' /proc/$server/limits)"
case "$mode" in
  logins) target/release/examples/probe logins --addr "127.0.0.1:$port" --pid "$server" --count "$count" "$@" ;;
  slowloris) target/release/examples/probe slowloris --addr "127.0.0.1:$port" --count "$count" --seconds "${1:-60}" ;;
  *) echo "mode: logins or slowloris" >&2; exit 2 ;;
esac
echo "server log lines with \"Too many open files\": $(grep -c "Too many open files" "$dir/server.log" || true)"
