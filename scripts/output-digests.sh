#!/usr/bin/env bash
# SHA-256 of everything `mufakat analyze` writes for each export folder given: the JSON
# (--json), the text summary and every report file (--out). Run it with two binaries and
# diff, to check that a change (e.g. for speed) leaves every output byte-identical:
#   scripts/output-digests.sh old/mufakat ../shared/data/polis/*/ > before.txt
#   scripts/output-digests.sh target/release/mufakat ../shared/data/polis/*/ > after.txt
#   diff before.txt after.txt
# MUFAKAT_THREADS is passed through, so the same diff checks that the thread count of the
# stability resamples changes nothing.
set -euo pipefail
bin=$1
shift
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for dir in "$@"; do
  name=$(basename "$dir")
  printf '%s  %s --json\n' "$("$bin" analyze "$dir" --json 2>/dev/null | sha256sum | cut -c1-64)" "$name"
  printf '%s  %s (summary)\n' "$("$bin" analyze "$dir" 2>/dev/null | sha256sum | cut -c1-64)" "$name"
  rm -rf "$out/files"
  "$bin" analyze "$dir" --out "$out/files" >/dev/null 2>&1
  (cd "$out/files" && sha256sum -- * | sed "s|  |  $name/|")
done
