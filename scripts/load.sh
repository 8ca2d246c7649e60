#!/usr/bin/env bash
# Measures the vote path: builds the release server and the load generator, starts
# `mufakat serve` on a fresh store on 127.0.0.1 (rate limits off: all load comes from one
# address), runs server/examples/load.rs against the demo conversation, stops the server.
#   scripts/load.sh sqlite   [participants] [seconds]
#   scripts/load.sh postgres [participants] [seconds]   (uses scripts/with-postgres.sh)
# VIEWERS=30 adds 30 pages that sync on every votes event (SYNC=log, the vote log's new
# entries; SYNC=votes, GET /votes as pages did before the log).
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
echo "backend=$backend $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
before=$(cpu)
out=$(target/release/examples/load --base "http://127.0.0.1:$port" --conversation demo \
  --participants "$participants" --seconds "$seconds" --rate "${RATE:-10000}" \
  --viewers "${VIEWERS:-0}" --sync "${SYNC:-log}")
after=$(cpu)
echo "$out"
# The server's own CPU time per acknowledged vote (joins included): a figure that holds even
# when other work shares the machine.
total=$(echo "$out" | sed -n 's/.*votes_total=\([0-9]*\).*/\1/p')
ticks=$(getconf CLK_TCK)
awk -v a="$after" -v b="$before" -v n="$total" -v t="$ticks" \
  'BEGIN { s = (a - b) / t; printf "server_cpu_s=%.2f server_cpu_us_per_vote=%.1f\n", s, (n > 0 ? s * 1e6 / n : 0) }'
echo "load average after: $(cut -d' ' -f1 /proc/loadavg)"
