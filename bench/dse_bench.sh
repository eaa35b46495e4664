#!/usr/bin/env bash
# Design-space exploration throughput: one space run twice with the classifier
# and the areas cached — the local pool (--jobs 2) and mpirun -np 3 (two ranks
# running points) — points per minute of each and their ratio, and whether the
# two wrote the same points.csv (the wall-time column apart).
#   bench/dse_bench.sh [SPACE] [--build DIR]     (default examples/dse/architect.yaml)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
space=$root/examples/dse/architect.yaml build=$root/build
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) space=$1; shift ;;
  esac
done
bin=$build/host/cli/mind1024
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
echo "[dse_bench] warming the cache (training, Yosys)" >&2
"$bin" dse "$space" --out "$work/warm" --cache "$work/cache" --no-progress >/dev/null
now() { date +%s.%N; }
t0=$(now); "$bin" dse "$space" --out "$work/local" --cache "$work/cache" --jobs 2 --no-progress >/dev/null; t1=$(now)
command -v mpirun >/dev/null || { echo "mpirun not found: local only"; }
mpirun --oversubscribe --bind-to none --mca btl self,vader -np 3 \
  "$bin" dse "$space" --out "$work/mpi" --cache "$work/cache" --no-progress >/dev/null; t2=$(now)
points=$(($(wc -l <"$work/local/points.jsonl")))
same=no
cmp <(cut -d, -f1-26 "$work/local/points.csv") <(cut -d, -f1-26 "$work/mpi/points.csv") >/dev/null && same=yes
awk -v p="$points" -v a="$t0" -v b="$t1" -v c="$t2" -v s="$same" 'BEGIN {
  l = b - a; m = c - b;
  printf "points %d\nlocal --jobs 2: %.1f s, %.1f points/min\nmpirun -np 3:   %.1f s, %.1f points/min\n", p, l, 60 * p / l, m, 60 * p / m;
  printf "mpi / local throughput: %.2f\nsame points.csv: %s\n", l / m, s }'
