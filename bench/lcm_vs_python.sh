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

"$bin" --rows "$rows" --steps "$steps" --hidden "$hidden" --save "$data" | tee "$data/cpu.txt"
/usr/bin/python3 "$root/bench/lcm_python.py" --rows "$rows" --steps "$steps" --hidden "$hidden" \
  --data "$data" | tee "$data/python.txt"

# Wall-clock rows/s and rows per CPU-second (CPU time of all threads; steadier than wall
# time on a shared machine) of each line.
wall() { grep "^$2" "$data/$1" | awk -v f="$3" '{print $(NF - f)}'; }
k1=$(wall cpu.txt "C++ kernel, 1 thread " 3); k1c=$(wall cpu.txt "C++ kernel, 1 thread " 1)
k2=$(wall cpu.txt "C++ kernel, 2 threads" 3); k2c=$(wall cpu.txt "C++ kernel, 2 threads" 1)
t2=$(wall cpu.txt "LibTorch loop, 2 threads" 3)
p1=$(wall python.txt "python3-torch loop, 1 thread:" 6); p1c=$(wall python.txt "python3-torch loop, 1 thread:" 1)
p2=$(wall python.txt "python3-torch loop, 2 threads:" 6)
awk -v k1="$k1" -v k1c="$k1c" -v k2="$k2" -v k2c="$k2c" -v t2="$t2" -v p1="$p1" -v p1c="$p1c" -v p2="$p2" 'BEGIN {
  best = p1 > p2 ? p1 : p2
  printf "\nwall rows/s: C++ kernel %.0f (2 threads), LibTorch C++ %.0f (2 threads), python3-torch %.0f (best of 1 and 2 threads)\n", k2, t2, best
  printf "C++ kernel / python3-torch, 2 threads against the best python, wall: %.2fx\n", k2 / best
  printf "C++ kernel / python3-torch, 1 thread each, rows per CPU-second: %.2fx (%.0f against %.0f)\n", k1c / p1c, k1c, p1c
  printf "LibTorch C++ loop / python3-torch, 2 threads against the best python, wall: %.2fx\n", t2 / best
}'
