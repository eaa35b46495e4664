#!/usr/bin/env bash
# mind1024 dse three ways on one small space — the local pool, mpirun -np 3
# (rank 0 hands out points, two ranks run them as processes of their own), and
# two --shard runs merged by --resume — must give the same points.csv
# (the wall-time column apart). Skipped (77) without mpirun.
#   dse_mpi_test.sh MIND1024
set -euo pipefail
bin=$1
command -v mpirun >/dev/null || { echo "mpirun not found: skipped"; exit 77; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cat >"$work/space.yaml" <<'YAML'
format: mind1024-dse/1
workload: {net: recall, side: 8, load: 6, rule: storkey}
space:
  wbits: [2, 8]
  abits: [12]
  lanes: [2]
  order: [sync, perm]
  n_max: [64]
faults: {kind: plus, rates: [0, 0.05], repeats: 2}
YAML
common=(--cache "${MIND1024_TEST_CACHE:-$work/cache}" --no-progress --model reference)
"$bin" dse "$work/space.yaml" --out "$work/local" "${common[@]}" >/dev/null
# As root, in a container, on two cores (../shared/notes/dse-facts.md).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
mpirun --oversubscribe --bind-to none --mca btl self,vader -np 3 \
  "$bin" dse "$work/space.yaml" --out "$work/mpi" "${common[@]}" >/dev/null
"$bin" dse "$work/space.yaml" --out "$work/s0" --shard 0/2 "${common[@]}" >/dev/null
"$bin" dse "$work/space.yaml" --out "$work/s1" --shard 1/2 "${common[@]}" >/dev/null
mkdir -p "$work/merged"
cat "$work/s0/points.jsonl" "$work/s1/points.jsonl" >"$work/merged/points.jsonl"
"$bin" dse "$work/space.yaml" --out "$work/merged" --resume "${common[@]}" >"$work/merged.txt"
grep -q "0 measured in this run" "$work/merged.txt" || { echo "the merge ran points again:"; cat "$work/merged.txt"; exit 1; }
strip() { python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows: r.pop("point_seconds")
print(len(rows)); [print(sorted(r.items())) for r in rows]' "$1"; }
strip "$work/local/points.csv" >"$work/local.txt"
for run in mpi merged; do
  strip "$work/$run/points.csv" >"$work/$run.cmp"
  diff "$work/local.txt" "$work/$run.cmp" >/dev/null || { echo "$run differs from the local run:"; diff "$work/local.txt" "$work/$run.cmp" | head; exit 1; }
done
grep -q '"mpi_ranks": 3' "$work/mpi/dse.json" || { echo "dse.json does not record 3 ranks"; exit 1; }
echo "same points: local, mpirun -np 3 and two shards merged ($(head -1 "$work/local.txt") rows)"
