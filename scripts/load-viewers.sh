#!/usr/bin/env bash
# Votes and viewers on a 100,000-vote conversation (BENCHMARKS.md, "Viewers"): writes a
# synthetic Pol.is export (2,000 participants x 300 statements, 40 voting at a time in random
# orders), imports it into a fresh SQLite file with <mufakat>, reopens it, serves it on
# 127.0.0.1, runs the load generator (one voter every 100 ms, VIEWERS pages syncing on every
# votes event by SYNC = log | votes), prints the server's CPU seconds, and stops the server.
#   scripts/load-viewers.sh [mufakat binary] [viewers] [sync] [seconds]
# To compare with an older server, pass its binary and SYNC=votes (the load generator is
# this tree's).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/mufakat}; viewers=${2:-30}; sync=${3:-log}; seconds=${4:-20}
cargo build --release -q -p mufakat-server --example load
dir=$(mktemp -d)
trap 'kill ${server:-0} 2>/dev/null; wait ${server:-0} 2>/dev/null; rm -rf "$dir"' EXIT
mkdir "$dir/export"
python3 - "$dir/export" <<'PY'
import random, sys
random.seed(7)
out = sys.argv[1]
P, S, N = 2000, 300, 100_000
with open(f'{out}/comments.csv', 'w') as f:
    f.write('timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n')
    for s in range(S):
        f.write(f'{1600000000000 + s},x,{s},0,0,0,1,"Statement {s} about the {["city", "park", "bus"][s % 3]} budget"\n')
orders, votes, online, nextp, t = {}, [], list(range(40)), 40, 1600000000000
while len(votes) < N:
    k = random.randrange(len(online)); p = online[k]
    o = orders.setdefault(p, random.sample(range(S), S))
    if o and random.random() < 0.98:
        s = o.pop(); g = (p % 2) == (s % 2); r = random.randrange(10)
        v = (1 if g else -1) if r < 6 else (0 if r < 8 else (-1 if g else 1))
        t += 100
        votes.append((t, s, p, v))
    else:
        online[k] = nextp % P; nextp += 1
with open(f'{out}/votes.csv', 'w') as f:
    f.write('timestamp,datetime,comment-id,voter-id,vote\n')
    for (t, s, p, v) in votes:
        f.write(f'{t},x,{s},{p},{v}\n')
PY
"$bin" import --id big --database-url "sqlite://$dir/b.sqlite" "$dir/export" >/dev/null
# An import is closed and (before the fix of its participant counter) needs the counter set.
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('UPDATE conversations SET closed = 0, next_participant = (SELECT MAX(id) + 1 FROM participants)'); c.commit()" "$dir/b.sqlite"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
RUST_LOG=warn "$bin" serve --addr "127.0.0.1:$port" --database-url "sqlite://$dir/b.sqlite" --dist /nonexistent \
  --no-demo --rate-per-address 0 --rate-per-participant 0 >"$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do grep -q "mufakat is running" "$dir/server.log" && break; sleep 0.1; done
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
before=$(cpu)
target/release/examples/load --base "http://127.0.0.1:$port" --conversation big --participants 100 --rate 10 \
  --seconds "$seconds" --viewers "$viewers" --sync "$sync"
after=$(cpu)
awk -v a="$after" -v b="$before" -v t="$(getconf CLK_TCK)" 'BEGIN { printf "server_cpu_s=%.2f\n", (a - b) / t }'
echo "load average: $(cut -d' ' -f1 /proc/loadavg)"
