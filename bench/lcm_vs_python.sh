#!/bin/sh
# The LCM kernel (C++), a batched LibTorch C++ loop and the same GRUCell + head in
# python3-torch, back to back on the same weights, inputs and sizes. Needs a release build
# (cmake --build --preset release) and python3-torch (scripts/setup.sh --bench).
# usage: bench/lcm_vs_python.sh [ROWS] [STEPS] [HIDDEN]
set -eu
rows=${1:-100000}
steps=${2:-20}
hidden=${3:-32}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${MIRROR_BUILD:-$root/build/release}/bin/lcm_speed
[ -x "$bin" ] || { echo "no $bin: build first (cmake --build --preset release)" >&2; exit 2; }
/usr/bin/python3 -c 'import torch' 2>/dev/null ||
  { echo "python3-torch is missing: scripts/setup.sh --bench (apt-get install python3-torch)" >&2; exit 2; }
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT

"$bin" --rows "$rows" --steps "$steps" --hidden "$hidden" --save "$data" | tee "$data/cpp.txt"
/usr/bin/python3 "$root/bench/lcm_python.py" --rows "$rows" --steps "$steps" --hidden "$hidden" \
  --data "$data" | tee "$data/python.txt"

# rows/s: the second-to-last field of the C++ table lines, the second-to-last of python's.
rate() { grep "^$2" "$data/$1" | awk '{print $(NF-1)}'; }
kernel2=$(rate cpp.txt "C++ kernel, 2 threads")
kernel1=$(rate cpp.txt "C++ kernel, 1 thread ")
torch2=$(rate cpp.txt "LibTorch loop, 2 threads")
py1=$(rate python.txt "python3-torch loop, 1 thread:")
py2=$(rate python.txt "python3-torch loop, 2 threads:")
awk -v k2="$kernel2" -v k1="$kernel1" -v t2="$torch2" -v p1="$py1" -v p2="$py2" 'BEGIN {
  best = p1 > p2 ? p1 : p2
  printf "\nrows/s: C++ kernel %.0f (2 threads), %.0f (1 thread); LibTorch C++ %.0f; python3-torch best %.0f\n", k2, k1, t2, best
  printf "C++ kernel (2 threads) / python3-torch (best of 1 and 2 threads): %.2fx\n", k2 / best
  printf "C++ kernel (1 thread) / python3-torch (1 thread): %.2fx\n", k1 / p1
  printf "LibTorch C++ loop (2 threads) / python3-torch (best): %.2fx\n", t2 / best
}'
