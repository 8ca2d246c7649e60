#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL server: installs Debian's PostgreSQL if absent,
# creates a cluster in a temp dir, starts it on 127.0.0.1 and a free port, exports
# MUFAKAT_TEST_POSTGRES_URL (a fresh database `mufakat`), runs the command, then stops the
# cluster by its PID and removes the dir. Works as root (the cluster runs as `postgres`).
#   scripts/with-postgres.sh cargo test -p mufakat-server
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 <command...>" >&2
  exit 2
fi

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

BIN=$(pg_bin || true)
if [ -z "$BIN" ]; then
  echo "with-postgres: installing PostgreSQL from Debian's packages" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  BIN=$(pg_bin)
fi

# As root, run the server as `postgres` (initdb refuses root).
if [ "$(id -u)" -eq 0 ]; then
  AS=(runuser -u postgres --)
else
  AS=()
fi

DIR=$(mktemp -d /tmp/mufakat-pg.XXXXXX)
chmod 755 "$DIR"
[ "$(id -u)" -eq 0 ] && chown postgres: "$DIR"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
PGUSER_NAME=$("${AS[@]}" id -un)

# Stops the cluster we started, by its PID: fast shutdown (SIGINT), then immediate (SIGQUIT),
# 10 s each. The folder is removed only once the server is gone, never under a running one.
cleanup() {
  local pid sig
  if [ -f "$DIR/data/postmaster.pid" ]; then
    pid=$(head -1 "$DIR/data/postmaster.pid")
    for sig in INT QUIT; do
      kill -0 "$pid" 2>/dev/null || break
      kill -"$sig" "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "with-postgres: PostgreSQL (PID $pid) did not stop; its folder $DIR is left in place" >&2
      return
    fi
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT

"${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U "$PGUSER_NAME" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
  || { cat "$DIR/initdb.log" >&2; exit 1; }
"${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=on -c max_connections=200" start >/dev/null \
  || { cat "$DIR/server.log" >&2; exit 1; }
"${AS[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$PGUSER_NAME" mufakat

export MUFAKAT_TEST_POSTGRES_URL="postgres://$PGUSER_NAME@127.0.0.1:$PORT/mufakat"
echo "with-postgres: PostgreSQL on 127.0.0.1:$PORT ($MUFAKAT_TEST_POSTGRES_URL)" >&2
set +e
"$@"
status=$?
set -e
exit $status
