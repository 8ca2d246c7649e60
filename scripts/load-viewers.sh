#!/usr/bin/env bash
# Votes and viewers on a large conversation (BENCHMARKS.md, "Viewers"): writes a synthetic
# Pol.is export (VOTES votes, default 100,000, by VOTES / 50 participants on 300 statements,
# 40 voting at a time in random orders; VOTES=1000000 is the issue's 20,000 x 300), imports
# it into a fresh SQLite file with <mufakat>, reopens it, serves it on 127.0.0.1, runs the
# load generator (RATE votes/s, default 10, by PARTICIPANTS voters, default 100; VIEWERS pages
# syncing on every votes event by SYNC = log | votes; LOAD_FLAGS adds flags), prints the
# server's CPU seconds, and stops the server.
#   scripts/load-viewers.sh [mufakat binary] [viewers] [sync] [seconds]
# BASE=<other mufakat binary>: side by side. The same scenario runs with BASE first, then
# with <mufakat binary>, back to back on the same data, and one table compares them (the
# load average beside each run). This is how BENCHMARKS.md's before/after pairs are made:
#   BASE=/path/to/main/mufakat VOTES=1000000 CACHE=/tmp/mufakat-load RATE=2000 \
#     PARTICIPANTS=1000 scripts/load-viewers.sh target/release/mufakat 1000 log 15
# BASE_LOAD_FLAGS: the generator's flags for the BASE run instead of LOAD_FLAGS (e.g.
# "--old-page": viewers sync as pages did before the closed range and the random wait).
# FIRST_BYTE=1: instead, times a cold process's first byte of segment 0 of the log: a first
# process serves the log once and is stopped (as a restart: the store keeps what it wrote,
# e.g. the log's full segments), then a new one is timed from its start (with BASE: both).
# STATS=1: instead, times the moderator dashboard's GET …/admin/conversations/big/stats five
# times on the loaded conversation (WAIT seconds after its load, default 5).
# NGINX=1: Debian's nginx as a caching proxy in front (scripts/load-nginx.sh installs it).
# SERVER_FLAGS adds flags to `mufakat serve`; METRICS_PORT=<port> with SERVER_FLAGS=
# "--metrics-addr 127.0.0.1:<port>" prints the vote writer's batches and commit times.
# CACHE=<dir> keeps the synthetic export (per VOTES) and each binary's import of it (per
# VOTES and the binary's contents) there, and starts every run from a copy (writing 1M votes
# of CSV and importing them takes a while).
# LOAD_BIN=<path>: the load generator to run (default target/release/examples/load, built
# first when missing: building it rebuilds the server library in release, minutes on a
# shared machine, so build it once and pass LOAD_BIN when timing several runs).
# Every phase prints a line on stderr with the time, and each is bounded: the server has
# 60 s to start, the generator (joins, loads and the run) seconds + 300 s.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/mufakat}; viewers=${2:-30}; sync=${3:-log}; seconds=${4:-20}
votes=${VOTES:-100000}
gen=${LOAD_BIN:-target/release/examples/load}
say() { printf '[load-viewers %s] %s\n' "$(date +%T)" "$*" >&2; }
dir=$(mktemp -d)
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
if [ -z "${FIRST_BYTE:-}" ] && [ ! -x "$gen" ]; then
  say "building the load generator ($gen): minutes on a shared machine"
  nice -n 19 cargo build --release -q -p mufakat-server --example load
fi
for b in "$bin" ${BASE:+"$BASE"}; do
  [ -x "$b" ] || { echo "load-viewers: $b is not an executable" >&2; exit 2; }
done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }

# The synthetic export, once (kept in CACHE, keyed by VOTES and the generator's text).
export_dir() {
  local key out
  key=$(md5sum scripts/synthetic-export.py | cut -c1-8)
  if [ -n "${CACHE:-}" ]; then out="$CACHE/export-$votes-$key"; else out="$dir/export"; fi
  if [ ! -f "$out/votes.csv" ]; then
    say "writing the synthetic export ($votes votes)"
    scripts/synthetic-export.py "$out.tmp" "$votes"
    mv "$out.tmp" "$out"
  fi
  echo "$out"
}

# A fresh copy of <binary>'s import of the export, at $2 (kept in CACHE per binary contents).
prepare_db() {
  local b=$1 db=$2 cached="" started
  if [ -n "${CACHE:-}" ]; then
    mkdir -p "$CACHE"
    cached="$CACHE/$votes-$(md5sum <"$b" | cut -c1-8)-$(md5sum scripts/synthetic-export.py | cut -c1-8).sqlite"
  fi
  if [ -n "$cached" ] && [ -f "$cached" ]; then
    cp "$cached" "$db"
    return
  fi
  local export; export=$(export_dir)
  started=$(date +%s)
  say "importing $votes votes with $b"
  "$b" import --id big --database-url "sqlite://$db" "$export" >/dev/null
  # An import is closed: reopen it (python's close also folds the WAL into the file).
  python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('UPDATE conversations SET closed = 0'); c.commit(); c.close()" "$db"
  say "imported in $(( $(date +%s) - started )) s"
  if [ -n "$cached" ]; then cp "$db" "$cached.tmp" && mv "$cached.tmp" "$cached"; fi
}

# Starts `mufakat serve` on $db, on $port when set (else a free one); sets $server.
start_server() {
  local b=$1 db=$2 log=$3
  [ -n "${port:-}" ] || port=$(free_port)
  RUST_LOG=warn "$b" serve --addr "127.0.0.1:$port" --database-url "sqlite://$db" --dist /nonexistent \
    --no-demo --rate-per-address 0 --rate-per-participant 0 ${SERVER_FLAGS:-} >"$log" 2>&1 &
  server=$!
  pids="$pids $server"
}

wait_running() {
  for _ in $(seq 1 600); do grep -q "mufakat is running" "$1" && return 0; sleep 0.1; done
  echo "load-viewers: the server did not start in 60 s:" >&2; tail -5 "$1" >&2; return 1
}

# One run of the scenario with binary $1; its results (key=value) go to $2 and stdout.
run_one() {
  local b=$1 out=$2 db="$dir/run.sqlite" t0 t1 ttfb before after l0
  rm -f "$db" "$db-wal" "$db-shm"
  port=""
  prepare_db "$b" "$db"
  l0=$(loadavg)
  if [ -n "${FIRST_BYTE:-}" ]; then
    # The process before the restart: loads the log, serves segment 0, writes what it keeps.
    start_server "$b" "$db" "$dir/first.log"
    port_first=$port
    say "first process: loading the log"
    until curl -sf -o /dev/null "http://127.0.0.1:$port_first/api/v1/conversations/big/log/0"; do sleep 0.1; done
    # Full segments kept in the store (a server without vote_log_segments: none), 60 s at most.
    local full=$(( votes / 65536 )) kept=0
    for _ in $(seq 1 120); do
      kept=$(python3 -c "import sqlite3,sys
try: print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM vote_log_segments').fetchone()[0])
except sqlite3.Error: print(-1)" "$db")
      [ "$kept" -ge "$full" ] || [ "$kept" -lt 0 ] && break
      sleep 0.5
    done
    echo "segments kept in the store before the restart: $kept of $full" >&2
    stop "$server"
    l0=$(loadavg)
    # The port is chosen before the clock starts (a python start, slow on a loaded machine).
    port=$(free_port)
    t0=$(date +%s.%N)
    start_server "$b" "$db" "$dir/server.log"
    # A cold process: from its start to the first byte of segment 0 of the log.
    local log0="http://127.0.0.1:$port/api/v1/conversations/big/log/0" tl
    until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.01; done
    tl=$(date +%s.%N)
    until ttfb=$(curl -sf -o /dev/null -H 'accept-encoding: gzip' -w '%{time_starttransfer}' "$log0"); do
      sleep 0.02
    done
    t1=$(date +%s.%N)
    stop "$server"
    awk -v a="$t0" -v b="$t1" -v r="$ttfb" -v m="$tl" -v l="$l0→$(loadavg)" \
      'BEGIN { printf "first_byte_from_start_s=%.3f listening_after_s=%.3f first_byte_of_the_request_s=%.3f load_average=%s\n", b - a, m - a, r, l }' | tee "$out"
    return
  fi
  if [ -n "${STATS:-}" ]; then
    # The moderator dashboard's GET …/stats, five times, on the loaded conversation: the
    # first right after the load (WAIT=0 seconds after it, default 5), then back to back.
    echo "load-test-password-1" | "$b" admin create --database-url "sqlite://$db" --username load \
      --password-stdin >/dev/null
    start_server "$b" "$db" "$dir/server.log"
    wait_running "$dir/server.log"
    local api="http://127.0.0.1:$port/api/v1" times="" t
    curl -sf -o /dev/null -c "$dir/jar" -H 'x-mufakat-csrf: 1' -H 'content-type: application/json' \
      -d '{"username":"load","password":"load-test-password-1"}' "$api/admin/login"
    curl -sf -o /dev/null "$api/conversations/big/log"
    sleep "${WAIT:-5}"
    for _ in 1 2 3 4 5; do
      t=$(curl -sf -o /dev/null -b "$dir/jar" -w '%{time_total}' "$api/admin/conversations/big/stats")
      times="$times${times:+,}$t"
    done
    stop "$server"
    echo "stats_s=$times load_average=$l0→$(loadavg)" | tee "$out"
    return
  fi
  start_server "$b" "$db" "$dir/server.log"
  wait_running "$dir/server.log"
  local base="http://127.0.0.1:$port" nginx_pid=""
  if [ -n "${NGINX:-}" ]; then
    # Debian's nginx as a caching reverse proxy in front, on its own loopback port, with its
    # own config, cache and logs in $dir; stopped by its PID.
    local nport; nport=$(free_port)
    rm -rf "$dir/nginx"; mkdir -p "$dir/nginx/cache" "$dir/nginx/tmp"
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
    pids="$pids $nginx_pid"
    for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$nport/api/v1/conversations/big/log" && break; sleep 0.1; done
    base="http://127.0.0.1:$nport"
  fi
  cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
  before=$(cpu)
  say "running the load generator against $b (joins and log loads first, then $seconds s measured)"
  local flags=${LOAD_FLAGS:-}
  if [ -n "${BASE:-}" ] && [ "$b" = "$BASE" ] && [ -n "${BASE_LOAD_FLAGS+set}" ]; then flags=$BASE_LOAD_FLAGS; fi
  say "generator flags: ${flags:-(none)}"
  /usr/bin/time -f "load_generator_cpu_s=%U+%S" -o "$dir/gen-cpu" \
    timeout $(( seconds + 300 )) "$gen" --base "$base" --conversation big --participants "${PARTICIPANTS:-100}" \
    --rate "${RATE:-10}" --seconds "$seconds" --viewers "$viewers" --sync "$sync" --server-pid "$server" \
    $flags | tee "$out"
  after=$(cpu)
  # The generator's own CPU over its whole run (joins and log loads included): it shares
  # the cores with the server.
  awk -F'[=+]' '/load_generator_cpu_s/ { printf "load_generator_cpu_s=%.2f\n", $2 + $3 }' "$dir/gen-cpu" | tee -a "$out"
  awk -v a="$after" -v b="$before" -v t="$(getconf CLK_TCK)" 'BEGIN { printf "server_cpu_s=%.2f\n", (a - b) / t }' | tee -a "$out"
  if [ -n "${METRICS_PORT:-}" ]; then
    # The vote writer's batches: their count, mean size and mean commit time over the run.
    curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | awk '
      /^mufakat_writer_batch_votes_sum/ { vs = $2 } /^mufakat_writer_batch_votes_count/ { n = $2 }
      /^mufakat_writer_commit_seconds_sum/ { cs = $2 }
      /^mufakat_http_request_duration_seconds_sum.*votes"/ && /POST/ { vt += $2 }
      /^mufakat_http_request_duration_seconds_count.*votes"/ && /POST/ { vn += $2 }
      END { if (n > 0) printf "writer_batches=%d mean_batch_votes=%.0f mean_commit_ms=%.1f", n, vs / n, 1000 * cs / n
            if (vn > 0) printf " mean_vote_in_server_ms=%.1f", 1000 * vt / vn
            print "" }' | tee -a "$out"
  fi
  if [ -n "$nginx_pid" ]; then
    stop "$nginx_pid"
    # Requests for full segments (no ?since) and whether each reached the origin.
    awk '$4 ~ /\/log\/[0-9]+"$/ { n++; if ($2 != "-") o++ } END { printf "nginx_full_segment_requests=%d reached_origin=%d\n", n, o }' "$dir/nginx/access.log" | tee -a "$out"
    awk '$4 ~ /\/log\/[0-9]+"$/ && $2 != "-" { print $4 }' "$dir/nginx/access.log" | sort | uniq -c | sort -rn | head -20
    echo "nginx cache statuses: $(awk '{print $1}' "$dir/nginx/access.log" | sort | uniq -c | tr '\n' ' ')"
  fi
  stop "$server"
  # What the server warned about during the run (its log goes with the temp dir).
  local warned; warned=$(grep -c -E 'WARN|ERROR' "$dir/server.log" || true)
  if [ "$warned" -gt 0 ]; then
    echo "server warnings: $warned, the first:" >&2
    grep -E 'WARN|ERROR' "$dir/server.log" | head -5 >&2
  fi
  echo "load_average=$l0→$(loadavg)" | tee -a "$out"
}

if [ -z "${BASE:-}" ]; then
  run_one "$bin" "$dir/result"
  exit 0
fi
say "side by side: BASE $BASE, then $bin"
run_one "$BASE" "$dir/base"
run_one "$bin" "$dir/this"
# One table: a row per binary, a column per figure both runs printed.
python3 - "$BASE" "$dir/base" "$bin" "$dir/this" <<'PY'
import sys
runs = []
for name, path in zip(sys.argv[1::2], sys.argv[2::2]):
    kv = {}
    for line in open(path):
        for word in line.split():
            if "=" in word:
                k, v = word.split("=", 1)
                kv[k] = v
    runs.append((name, kv))
columns = [
    ("first_byte_from_start_s", "first byte from start (s)"), ("listening_after_s", "listening after (s)"),
    ("first_byte_of_the_request_s", "request's first byte (s)"), ("stats_s", "GET …/stats, 5 times (s)"),
    ("page", "page"), ("spread_ms", "wait ≤ ms"),
    ("votes_per_s", "votes/s"), ("p50_ms", "vote p50 ms"), ("p99_ms", "vote p99 ms"),
    ("errors", "vote errors"), ("sync_p50_ms", "sync p50 ms"), ("sync_p99_ms", "sync p99 ms"),
    ("fresh_p50_ms", "event→entries p50 ms"), ("fresh_p99_ms", "event→entries p99 ms"),
    ("sync_bytes_per_sync", "bytes a sync"),
    ("syncs", "syncs"), ("sync_errors", "sync errors"), ("window_server_cpu_s", "server CPU s (window)"),
    ("server_cpu_us_per_vote", "CPU µs/vote"), ("load_generator_cpu_s", "generator CPU s"),
    ("mean_batch_votes", "mean batch"),
    ("mean_commit_ms", "mean commit ms"), ("reached_origin", "origin requests"),
    ("load_average", "load average"),
]
shown = [(k, t) for k, t in columns if any(k in kv for _, kv in runs)]
print()
print("| binary | " + " | ".join(t for _, t in shown) + " |")
print("|---|" + "---:|" * len(shown))
for name, kv in runs:
    print(f"| {name} | " + " | ".join(kv.get(k, "–") for k, _ in shown) + " |")
PY
