#!/usr/bin/env bash
# Votes and viewers against two `mufakat serve` processes on one PostgreSQL (BENCHMARKS.md,
# "Viewers"): starts a throw-away cluster (scripts/with-postgres.sh), imports the synthetic
# export of scripts/synthetic-export.py (VOTES votes, default 100,000) and reopens it, starts
# two servers on 127.0.0.1, runs the load generator with participants and viewers split
# across both (RATE votes/s by PARTICIPANTS voters; LOAD_FLAGS adds flags), then checks that
# both processes serve the same log, byte for byte in every segment, and that its length is
# the imported votes plus the votes acknowledged. Stops both servers by PID.
#   scripts/load-two-processes.sh [mufakat binary] [viewers] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MUFAKAT_TEST_POSTGRES_URL:-}" ]; then
  exec scripts/with-postgres.sh "$0" "$@"
fi
bin=${1:-target/release/mufakat}; viewers=${2:-100}; seconds=${3:-20}
votes=${VOTES:-100000}
url=$MUFAKAT_TEST_POSTGRES_URL
# LOAD_BIN=<path>: the load generator (default target/release/examples/load, built when missing).
gen=${LOAD_BIN:-target/release/examples/load}
say() { printf '[load-two-processes %s] %s\n' "$(date +%T)" "$*" >&2; }
if [ ! -x "$gen" ]; then
  say "building the load generator ($gen): minutes on a shared machine"
  nice -n 19 cargo build --release -q -p mufakat-server --example load
fi
dir=$(mktemp -d)
trap 'for p in ${servers:-}; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT
say "writing the synthetic export ($votes votes)"
scripts/synthetic-export.py "$dir/export" "$votes"
started=$(date +%s)
"$bin" import --id big --database-url "$url" "$dir/export" >/dev/null
echo "imported $votes votes in $(( $(date +%s) - started )) s"
psql -q "$url" -c "UPDATE conversations SET closed = false WHERE id = 'big'"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
servers=""; bases=()
for i in 1 2; do
  port=$(free_port)
  RUST_LOG=warn "$bin" serve --addr "127.0.0.1:$port" --database-url "$url" --dist /nonexistent \
    --no-demo --rate-per-address 0 --rate-per-participant 0 ${SERVER_FLAGS:-} >"$dir/server$i.log" 2>&1 &
  servers="$servers $!"
  bases+=("http://127.0.0.1:$port")
  for _ in $(seq 1 600); do grep -q "mufakat is running" "$dir/server$i.log" && break; sleep 0.1; done
done
cpu() { local t=0; for p in $servers; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
before=$(cpu)
say "running the load generator (joins and log loads first, then $seconds s measured)"
out=$(timeout $(( seconds + 600 )) "$gen" --base "${bases[0]}" --base "${bases[1]}" --conversation big \
  --participants "${PARTICIPANTS:-100}" --rate "${RATE:-10}" --seconds "$seconds" --viewers "$viewers" ${LOAD_FLAGS:-})
after=$(cpu)
echo "$out"
awk -v a="$after" -v b="$before" -v t="$(getconf CLK_TCK)" 'BEGIN { printf "servers_cpu_s=%.2f\n", (a - b) / t }'
acked=$(echo "$out" | sed -n 's/.*votes_total=\([0-9]*\).*/\1/p')
sleep 2
python3 - "$((votes + acked))" "${bases[@]}" <<'PY'
import hashlib, json, sys, urllib.request
expected, bases = int(sys.argv[1]), sys.argv[2:]
def get(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read()
api = "/api/v1/conversations/big/log"
# A segment past a process's tail makes it read the store first, so ask for the last one
# by the expected length: both then hold every entry.
size = 65536
last = expected // size
digests = []
for b in bases:
    segs = [hashlib.sha256(get(f"{b}{api}/{s}")).hexdigest() for s in range(last + 1)]
    head = json.loads(get(b + api))
    digests.append(segs)
    print(f"{b}: next_seq={head['next_seq']} segments={len(segs)}")
    assert head["next_seq"] == expected, f"{b}: log length {head['next_seq']} != imported + acknowledged {expected}"
assert digests[0] == digests[1], "the two processes serve different logs"
print(f"logs identical on both processes: {last + 1} segments, {expected} entries = imported + acknowledged")
PY
echo "load average: $(cut -d' ' -f1 /proc/loadavg)"
