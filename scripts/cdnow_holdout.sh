#!/usr/bin/env bash
# The CDNOW holdout in the mirror world (docs/validation.md): ingests the CDNOW sample with
# the 39-week calibration, validates BG/NBD on it, runs scenarios/cdnow_holdout.yaml with
# seeds 1..SEEDS and prints the simulated cumulative repeat purchases for weeks 40-78
# beside the actual ones (BTYD's published tracking curve).
# usage: scripts/cdnow_holdout.sh [SEEDS]   (after scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-5}
mirror=build/release/bin/mirror
data=../shared/data/cdnow
$mirror ingest --format cdnow --input $data/CDNOW_sample.txt --out results/cdnow_sample.h5 \
  --calibration-end 1997-09-30 --quiet > /dev/null
$mirror validate --model btyd results/cdnow_sample.h5 | head -3
daily() {  # the simulated purchases per day of the control arm, one number per line
  h5dump -d /arms/no_action/daily/conversions -y -w 0 "$1" |
    sed -n '/DATA {/,/}/p' | tr -d 'DATA{} ' | tr ',' '\n' | grep -v '^$'
}
for seed in $(seq 1 "$seeds"); do
  $mirror run scenarios/cdnow_holdout.yaml --seed "$seed" --out "results/cdnow_holdout_$seed.h5" --quiet
  daily "results/cdnow_holdout_$seed.h5" > "results/cdnow_holdout_$seed.days"
done
# Weekly cumulative, starting from the 2,457 calibration repeat purchases (week 39).
paste results/cdnow_holdout_*.days | awk -v seeds="$seeds" '
  { for (i = 1; i <= NF; ++i) total[i] += $i
    if (NR % 7 == 0) { week = 39 + NR / 7; for (i = 1; i <= NF; ++i) at[week, i] = 2457 + total[i] } }
  END { for (w = 40; w <= 78; ++w) { s = 0; for (i = 1; i <= NF; ++i) s += at[w, i]; mean[w] = s / NF
        lo = hi = at[w, 1]; for (i = 2; i <= NF; ++i) { if (at[w, i] < lo) lo = at[w, i]; if (at[w, i] > hi) hi = at[w, i] }
        low[w] = lo; high[w] = hi } 
        for (w = 40; w <= 78; ++w) printf "%d %.1f %d %d\n", w, mean[w], low[w], high[w] }' > results/cdnow_holdout.sim
echo "week  actual  simulated mean (min-max over $seeds seeds)"
join <(tail -n +2 $data/BTYD_cdnowSummary_cu_tracking.csv | tr ',' ' ' | sort -k1,1) \
     <(sort -k1,1 results/cdnow_holdout.sim) | sort -n |
  awk '$1 % 13 == 0 || $1 == 40 || $1 == 78 { printf "%4d  %6d  %8.1f (%d-%d)\n", $1, $2, $3, $4, $5 }'
awk 'END { printf "holdout repeat purchases: actual 1882, simulated %.1f (%+.1f%%)\n", $2 - 2457, 100 * ($2 - 2457 - 1882) / 1882 }' results/cdnow_holdout.sim
rm -f results/cdnow_holdout_*.days
