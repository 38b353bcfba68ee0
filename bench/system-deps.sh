#!/usr/bin/env bash
# Installs wrk (the HTTP load generator used by bench/pages.py) when it is missing.
set -euo pipefail
command -v wrk >/dev/null 2>&1 && exit 0
echo "Installing the Debian package wrk for the benchmark"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Please install as root: apt-get install wrk" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null
