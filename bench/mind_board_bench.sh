#!/usr/bin/env bash
# mind_board_bench: the controller CPU's speed on the virtual board, in
# simulated instructions per second of host time (not a test: figures only).
#   bench/mind_board_bench.sh [--repeats N] [--build DIR] [--json FILE]
# Runs firmware/bench/bench_compute (a 4-instruction ALU loop, 800 M instructions)
# and bench_device (a chip register write every 10 instructions, 100 M
# instructions) N times each through mind-board --stats and prints the median,
# min and max, and the ratio of the median to the issue's targets
# (200 M/s compute, 50 M/s device loop).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build REPEATS=5 JSON=""
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) REPEATS=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --json) JSON=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "mind_board_bench: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$REPEATS" in ''|*[!0-9]*|0) echo "mind_board_bench: --repeats wants a positive integer" >&2; exit 2 ;; esac
BOARD=$BUILD/sysc/board/mind-board FW=$BUILD/firmware
for f in "$BOARD" "$FW/bench_compute.elf" "$FW/bench_device.elf"; do
  [ -e "$f" ] || { echo "mind_board_bench: $f is missing: build first (scripts/setup.sh build)" >&2; exit 2; }
done
[ -z "$JSON" ] || : > "$JSON" || { echo "mind_board_bench: cannot write $JSON" >&2; exit 2; }

declare -A target=([compute]=200 [device]=50)
results=()
for kind in compute device; do
  rates=()
  for ((k = 1; k <= REPEATS; k++)); do
    line=$("$BOARD" --firmware "$FW/bench_$kind.elf" --stats 2>&1 >/dev/null | grep 'stats:')
    rate=$(sed -E 's/.* ([0-9.]+) M instructions\/s.*/\1/' <<<"$line")
    rates+=("$rate")
    printf '[bench] %s loop, run %d/%d: %s M instructions/s\n' "$kind" "$k" "$REPEATS" "$rate" >&2
  done
  sorted=$(printf '%s\n' "${rates[@]}" | sort -g)
  median=$(awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}' <<<"$sorted")
  min=$(head -1 <<<"$sorted") max=$(tail -1 <<<"$sorted")
  ratio=$(awk -v m="$median" -v t="${target[$kind]}" 'BEGIN {printf "%.2f", m / t}')
  printf '%-8s loop: median %7.1f M instructions/s (min %s, max %s, %d runs), %sx the target of %d M/s\n' \
    "$kind" "$median" "$min" "$max" "$REPEATS" "$ratio" "${target[$kind]}"
  results+=("\"$kind\": {\"median_mips\": $median, \"min_mips\": $min, \"max_mips\": $max, \"runs\": $REPEATS, \"target_mips\": ${target[$kind]}, \"ratio_to_target\": $ratio}")
done
if [ -n "$JSON" ]; then
  {
    printf '{"bench": "mind_board_bench", "version": "%s", "host": "%s", "nproc": %s, ' \
      "$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)" "$(uname -m)" "$(nproc)"
    (IFS=,; printf '%s' "${results[*]}")
    printf '}\n'
  } > "$JSON"
  echo "[bench] wrote $JSON" >&2
fi
