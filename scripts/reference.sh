#!/usr/bin/env bash
# mufakat side by side with red-dwarf, the reference Python implementation of the Pol.is
# math: groups (ARI against Pol.is's own group-id), time, peak memory, representative and
# consensus statements, as markdown tables (BENCHMARKS.md, "Side by side with the reference
# implementation"). Not part of the test command.
#   scripts/reference.sh            # MUFAKAT_POLIS_DATA, default ../shared/data/polis
#   REPEAT=5 WARMUP=1 REBUILD=1 scripts/reference.sh
#   scripts/reference.sh --speed [export-dir]   # reading speed: both whole processes,
#       alternating, REPEAT (default 10) times; the export default is the largest folder
#       (BENCHMARKS.md, "Reading speed"); BASE=<other mufakat binary> times it in the same
#       rotation, for a before/after in one run
# Makes tools/reference-venv (git-ignored) with red-dwarf 0.4.0 and the versions pinned in
# bench/reference/requirements.txt, and builds target/release/mufakat if it is missing
# (REBUILD=1 rebuilds it anyway).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${MUFAKAT_POLIS_DATA:-../shared/data/polis}
if [ ! -d "$data" ]; then
  echo "skipping the reference comparison: no Pol.is data folder at $data (set MUFAKAT_POLIS_DATA)"
  exit 0
fi

venv=tools/reference-venv
req=bench/reference/requirements.txt
if [ ! -x "$venv/bin/python" ]; then
  if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "red-dwarf 0.4.0 needs Python 3.10 or newer; python3 is $(python3 --version 2>&1)" >&2
    exit 1
  fi
  python3 -m venv "$venv"
fi
if ! cmp -s "$req" "$venv/installed-requirements.txt"; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$venv/installed-requirements.txt"
fi

bin=target/release/mufakat
if [ ! -x "$bin" ] || [ -n "${REBUILD:-}" ]; then
  cargo build --release -p mufakat-server --bin mufakat
fi
echo "mufakat: $bin, built $(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC') (REBUILD=1 to rebuild)" >&2

# Silences pydantic's warning about red-dwarf's models on every import.
export PYTHONWARNINGS=ignore
if [ "${1:-}" = "--speed" ]; then
  # The largest export folder by the size of its files, unless one is named.
  dir=${2:-$(du -s "$data"/*/ | sort -n | tail -1 | cut -f2)}
  exec "$venv/bin/python" bench/reference/speed.py --bin "$bin" ${BASE:+--base "$BASE"} \
    --repeat "${REPEAT:-10}" "${dir%/}"
fi
exec "$venv/bin/python" bench/reference/compare.py --data "$data" --bin "$bin" \
  --repeat "${REPEAT:-5}" --warmup "${WARMUP:-1}"
