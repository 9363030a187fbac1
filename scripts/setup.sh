#!/usr/bin/env bash
# Installs everything mirrorworld needs from Debian 12 packages, then configures and builds
# the release preset. Safe to run again: packages already present are not reinstalled.
# usage: scripts/setup.sh [--bench] [PRESET]   (default: release)
#   --bench also installs python3-torch, for bench/lcm_vs_python.sh only (not needed to build
#   or test, and slow to install: keep it out of CI).
set -euo pipefail
cd "$(dirname "$0")/.."
bench=0
if [ "${1:-}" = "--bench" ]; then
  bench=1
  shift
fi
preset=${1:-release}

packages=(
  build-essential cmake ninja-build git pkg-config
  libcaf-dev libtorch-dev libopenblas0-pthread
  libhdf5-dev hdf5-tools libyaml-cpp-dev libboost-program-options-dev libssl-dev
  liblzma-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
if [ "$bench" -eq 1 ]; then packages+=(python3-torch); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

cmake --preset "$preset"
cmake --build --preset "$preset"
