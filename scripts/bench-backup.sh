#!/usr/bin/env bash
# Backup figures for BENCHMARKS.md ("Backups"): the time and size of `mufakat backup` on the
# demo store and on a VOTES-vote store (default 1,000,000: scripts/synthetic-export.py
# imported with `mufakat import`), and the vote latency of a steady load (RATE votes/s,
# default 200) over SECONDS (default 20) with and without a backup started in the middle.
# Loopback only; the servers are this script's and stopped by their PIDs.
#   scripts/bench-backup.sh [mufakat binary]
# STORE=<file.sqlite> starts from a copy of an existing big store instead of importing one.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/mufakat}; votes=${VOTES:-1000000}; rate=${RATE:-200}; seconds=${SECONDS_RUN:-20}
# NO_BUILD=1: use the binaries as they are (e.g. to measure an older build).
[ -n "${NO_BUILD:-}" ] || cargo build --release -q -p mufakat-server --example load
dir=$(mktemp -d)
server=0
# Only a server this script started, by its PID (0 means none: `kill 0` would hit the group).
trap '[ "$server" -ne 0 ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
serve() { # serve <db>: starts the server in the background, sets $server and $base
  local port; port=$(free_port)
  RUST_LOG=warn "$bin" serve --addr "127.0.0.1:$port" --database-url "sqlite://$1" --dist /nonexistent \
    --rate-per-address 0 --rate-per-participant 0 >"$dir/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do grep -q "mufakat is running" "$dir/server.log" && break; sleep 0.1; done
  base="http://127.0.0.1:$port"
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=0; }
backup() { # backup <db> <out>: prints "seconds bytes"
  local t0 t1; t0=$(date +%s.%N)
  "$bin" backup --database-url "sqlite://$1" --out "$2" >/dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v s="$(stat -c %s "$2")" 'BEGIN { printf "%.2f s, %.1f MB\n", b - a, s / 1e6 }'
}

# The demo: a fresh store loads it at start.
serve "$dir/demo.sqlite"; stop
echo "demo store ($(stat -c %s "$dir/demo.sqlite") bytes): backup $(backup "$dir/demo.sqlite" "$dir/demo.backup")"

# The big store.
if [ -n "${STORE:-}" ]; then
  cp "$STORE" "$dir/big.sqlite"
else
  scripts/synthetic-export.py "$dir/export" "$votes"
  "$bin" import --id big --database-url "sqlite://$dir/big.sqlite" "$dir/export" >/dev/null
  rm -rf "$dir/export"
fi
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('UPDATE conversations SET closed = 0'); c.commit()" "$dir/big.sqlite"
rows=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM votes').fetchone()[0])" "$dir/big.sqlite")
echo "big store ($rows votes, $(stat -c %s "$dir/big.sqlite") bytes): idle backup $(backup "$dir/big.sqlite" "$dir/idle.backup")"

serve "$dir/big.sqlite"
# The first request loads the conversation into memory (bounded wait).
for _ in $(seq 1 60); do curl -sf -o /dev/null --max-time 60 "$base/api/v1/conversations/big" && break; sleep 1; done
load() {
  target/release/examples/load --base "$base" --conversation big --participants 100 --rate "$rate" --seconds "$seconds"
}
echo "votes at $rate/s for $seconds s, no backup:"
load | grep -o 'votes=[0-9]*.*errors=[0-9]*'
echo "votes at $rate/s for $seconds s, a backup started after $((seconds / 2)) s:"
load > "$dir/load.out" &
loader=$!
sleep $((seconds / 2 + 3))
echo "  backup under load: $(backup "$dir/big.sqlite" "$dir/busy.backup")"
wait $loader
grep -o 'votes=[0-9]*.*errors=[0-9]*' "$dir/load.out"
stop
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load average $(cut -d' ' -f1 /proc/loadavg)"
