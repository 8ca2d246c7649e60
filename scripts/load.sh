#!/usr/bin/env bash
# Measures the vote path: builds the release server and the load generator, starts
# `mufakat serve` on a fresh store on 127.0.0.1 (rate limits off: all load comes from one
# address), runs server/examples/load.rs against the demo conversation, stops the server.
#   scripts/load.sh sqlite   [participants] [seconds]
#   scripts/load.sh postgres [participants] [seconds]   (uses scripts/with-postgres.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}; participants=${2:-1000}; seconds=${3:-20}
cargo build --release -q -p mufakat-server --bin mufakat --example load

if [ "$backend" = postgres ] && [ -z "${MUFAKAT_TEST_POSTGRES_URL:-}" ]; then
  exec scripts/with-postgres.sh "$0" "$@"
fi

dir=$(mktemp -d)
case "$backend" in
  sqlite) url="sqlite://$dir/load.sqlite" ;;
  postgres) url="$MUFAKAT_TEST_POSTGRES_URL" ;;
  *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
RUST_LOG=warn target/release/mufakat serve --addr "127.0.0.1:$port" --database-url "$url" --dist /nonexistent \
  --rate-per-address 0 --rate-per-participant 0 ${SERVER_FLAGS:-} >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
  grep -q "mufakat is running" "$dir/server.log" && break
  sleep 0.1
done
echo "backend=$backend $(nproc) cores"
target/release/examples/load --base "http://127.0.0.1:$port" --conversation demo \
  --participants "$participants" --seconds "$seconds" --rate "${RATE:-10000}"
