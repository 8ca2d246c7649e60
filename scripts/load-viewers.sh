#!/usr/bin/env bash
# Votes and viewers on a large conversation (BENCHMARKS.md, "Viewers"): writes a synthetic
# Pol.is export (VOTES votes, default 100,000, by VOTES / 50 participants on 300 statements,
# 40 voting at a time in random orders; VOTES=1000000 is the issue's 20,000 x 300), imports
# it into a fresh SQLite file with <mufakat>, reopens it, serves it on 127.0.0.1, runs the
# load generator (RATE votes/s, default 10, by PARTICIPANTS voters, default 100; VIEWERS pages
# syncing on every votes event by SYNC = log | votes; LOAD_FLAGS adds flags), prints the
# server's CPU seconds, and stops the server.
#   scripts/load-viewers.sh [mufakat binary] [viewers] [sync] [seconds]
# FIRST_BYTE=1: instead, times a cold process's first byte of segment 0 of the log: a first
# process serves the log once and is stopped (as a restart: the store keeps what it wrote,
# e.g. the log's full segments), then a new one is timed from its start.
# NGINX=1: Debian's nginx as a caching proxy in front (scripts/load-nginx.sh installs it).
# SERVER_FLAGS adds flags to `mufakat serve`.
# CACHE=<dir> keeps the imported file there (one per votes and binary path) and starts every run from
# a copy of it (a 1M-vote import takes minutes). To compare with an older server, pass its
# binary and SYNC=votes (the load generator is this tree's).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/mufakat}; viewers=${2:-30}; sync=${3:-log}; seconds=${4:-20}
votes=${VOTES:-100000}
[ -n "${FIRST_BYTE:-}" ] || cargo build --release -q -p mufakat-server --example load
dir=$(mktemp -d)
trap 'kill ${server:-0} 2>/dev/null; wait ${server:-0} 2>/dev/null; rm -rf "$dir"' EXIT
cached=${CACHE:+$CACHE/$votes-$(realpath "$bin" | md5sum | cut -c1-8).sqlite}
if [ -n "$cached" ] && [ -f "$cached" ]; then
  cp "$cached" "$dir/b.sqlite"
else
scripts/synthetic-export.py "$dir/export" "$votes"
"$bin" import --id big --database-url "sqlite://$dir/b.sqlite" "$dir/export" >/dev/null
# An import is closed: reopen it.
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('UPDATE conversations SET closed = 0'); c.commit()" "$dir/b.sqlite"
rm -rf "$dir/export"
if [ -n "$cached" ]; then mkdir -p "$CACHE"; cp "$dir/b.sqlite" "$cached"; fi
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
if [ -n "${FIRST_BYTE:-}" ]; then
  # The process before the restart: loads the log, serves segment 0, writes what it keeps.
  port=$(free_port)
  RUST_LOG=warn "$bin" serve --addr "127.0.0.1:$port" --database-url "sqlite://$dir/b.sqlite" --dist /nonexistent \
    --no-demo >"$dir/first.log" 2>&1 &
  server=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/api/v1/conversations/big/log/0"; do sleep 0.1; done
  # Full segments kept in the store (a server without vote_log_segments: none), 60 s at most.
  full=$(( votes / 65536 ))
  for _ in $(seq 1 120); do
    kept=$(python3 -c "import sqlite3,sys
try: print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM vote_log_segments').fetchone()[0])
except sqlite3.Error: print(-1)" "$dir/b.sqlite")
    [ "$kept" -ge "$full" ] || [ "$kept" -lt 0 ] && break
    sleep 0.5
  done
  echo "segments kept in the store before the restart: $kept of $full"
  kill "$server"; wait "$server" 2>/dev/null || true
fi
port=$(free_port)
t0=$(date +%s.%N)
RUST_LOG=warn "$bin" serve --addr "127.0.0.1:$port" --database-url "sqlite://$dir/b.sqlite" --dist /nonexistent \
  --no-demo --rate-per-address 0 --rate-per-participant 0 ${SERVER_FLAGS:-} >"$dir/server.log" 2>&1 &
server=$!
if [ -n "${FIRST_BYTE:-}" ]; then
  # A cold process: from its start to the first byte of segment 0 of the log.
  log0="http://127.0.0.1:$port/api/v1/conversations/big/log/0"
  until ttfb=$(curl -sf -o /dev/null -H 'accept-encoding: gzip' -w '%{time_starttransfer}' "$log0"); do
    sleep 0.02
  done
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v r="$ttfb" \
    'BEGIN { printf "first_byte_from_start_s=%.3f first_byte_of_the_request_s=%.3f\n", b - a, r }'
  exit 0
fi
for _ in $(seq 1 600); do grep -q "mufakat is running" "$dir/server.log" && break; sleep 0.1; done
base="http://127.0.0.1:$port"
if [ -n "${NGINX:-}" ]; then
  # Debian's nginx as a caching reverse proxy in front, on its own loopback port, with its
  # own config, cache and logs in $dir; stopped by its PID on exit.
  nport=$(free_port)
  mkdir -p "$dir/nginx/cache" "$dir/nginx/tmp"
  cat >"$dir/nginx/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
$( [ "$(id -u)" -eq 0 ] && echo "user root;" )
events { worker_connections 8192; }
http {
  log_format origin '\$upstream_cache_status \$upstream_addr \$status "\$request_uri"';
  access_log $dir/nginx/access.log origin;
  client_body_temp_path $dir/nginx/tmp/body;
  proxy_temp_path $dir/nginx/tmp/proxy;
  proxy_cache_path $dir/nginx/cache levels=1:2 keys_zone=log:10m max_size=512m inactive=1h use_temp_path=off;
  upstream origin { server 127.0.0.1:$port; keepalive 256; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host \$host;
  server {
    listen 127.0.0.1:$nport;
    # The vote log: full segments are immutable and cached; the tail is no-cache (passed).
    location ~ ^/api/v1/conversations/[^/]+/log/ {
      proxy_pass http://origin;
      proxy_cache log;
      proxy_cache_lock on;
      proxy_cache_lock_timeout 30s;
      add_header X-Cache-Status \$upstream_cache_status;
    }
    location ~ ^/api/v1/conversations/[^/]+/events\$ {
      proxy_pass http://origin;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
    location / { proxy_pass http://origin; }
  }
}
NGINX
  nginx -e "$dir/nginx/error.log" -c "$dir/nginx/nginx.conf" -p "$dir/nginx" >"$dir/nginx/stderr.log" 2>&1 &
  nginx_pid=$!
  trap 'kill ${nginx_pid:-0} 2>/dev/null; wait ${nginx_pid:-0} 2>/dev/null; kill ${server:-0} 2>/dev/null; wait ${server:-0} 2>/dev/null; rm -rf "$dir"' EXIT
  for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$nport/api/v1/conversations/big/log" && break; sleep 0.1; done
  base="http://127.0.0.1:$nport"
fi
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
before=$(cpu)
target/release/examples/load --base "$base" --conversation big --participants "${PARTICIPANTS:-100}" \
  --rate "${RATE:-10}" --seconds "$seconds" --viewers "$viewers" --sync "$sync" --server-pid "$server" ${LOAD_FLAGS:-}
after=$(cpu)
awk -v a="$after" -v b="$before" -v t="$(getconf CLK_TCK)" 'BEGIN { printf "server_cpu_s=%.2f\n", (a - b) / t }'
if [ -n "${METRICS_PORT:-}" ]; then
  # The vote writer's batches (SERVER_FLAGS="--metrics-addr 127.0.0.1:$METRICS_PORT"): their
  # count, mean size and mean commit time over the whole run.
  curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | awk '
    /^mufakat_writer_batch_votes_sum/ { vs = $2 } /^mufakat_writer_batch_votes_count/ { n = $2 }
    /^mufakat_writer_commit_seconds_sum/ { cs = $2 }
    END { if (n > 0) printf "writer_batches=%d mean_batch_votes=%.0f mean_commit_ms=%.1f\n", n, vs / n, 1000 * cs / n }'
fi
if [ -n "${NGINX:-}" ]; then
  # Requests for full segments (no ?since) and whether each reached the origin.
  awk '$4 ~ /\/log\/[0-9]+"$/ { n++; if ($2 != "-") o++ } END { printf "nginx_full_segment_requests=%d reached_origin=%d\n", n, o }' "$dir/nginx/access.log"
  awk '$4 ~ /\/log\/[0-9]+"$/ && $2 != "-" { print $4 }' "$dir/nginx/access.log" | sort | uniq -c | sort -rn | head -20
  echo "nginx cache statuses: $(awk '{print $1}' "$dir/nginx/access.log" | sort | uniq -c | tr '\n' ' ')"
fi
echo "load average: $(cut -d' ' -f1 /proc/loadavg)"
