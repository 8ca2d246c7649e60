#!/usr/bin/env bash
# The viewers' load (scripts/load-viewers.sh) with Debian's nginx as a caching reverse proxy
# in front: installs nginx-light from Debian's packages if absent, then runs
# scripts/load-viewers.sh with NGINX=1 (its own config, cache and logs in a temp dir, on a
# loopback port, stopped by its PID), which reports how many full-segment requests reached
# the origin. Same arguments and variables as scripts/load-viewers.sh.
#   VOTES=1000000 CACHE=/tmp/mufakat-load scripts/load-nginx.sh target/release/mufakat 1000 log 20
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  echo "load-nginx: installing nginx-light from Debian's packages" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null
fi
export PATH="$PATH:/usr/sbin"
NGINX=1 exec scripts/load-viewers.sh "$@"
