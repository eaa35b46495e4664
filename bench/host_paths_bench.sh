#!/usr/bin/env bash
# host_paths_bench: MNIST images per second on each path to a board, and each
# path's ratio to bare mode in process, measured in one run (not a test).
#   bench/host_paths_bench.sh [--images N] [--repeats R] [--build DIR] [--data DIR] [--json FILE]
# Paths: bare/firmware mode, in process and over a unix socket to a
# `mind-board --listen` started here. Each run is `mind1024 mnist --no-float`
# on the first N test images (training on 6,000); the chip part's images per
# second is what mind1024 reports. Targets (issue 9): firmware in process
# >= 0.5x bare in process, any socket path >= 0.3x.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build IMAGES=2000 REPEATS=3 JSON="" DATA=${MIND1024_DATA:-$ROOT/data/mnist}
while [ $# -gt 0 ]; do
  case "$1" in
    --images) IMAGES=$2; shift 2 ;;
    --repeats) REPEATS=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --json) JSON=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "host_paths_bench: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for v in "$IMAGES" "$REPEATS"; do
  case "$v" in ''|*[!0-9]*|0) echo "host_paths_bench: --images and --repeats want positive integers" >&2; exit 2 ;; esac
done
CLI=$BUILD/host/cli/mind1024 BOARD=$BUILD/sysc/board/mind-board
for f in "$CLI" "$BOARD" "$BUILD/firmware/mind_fw.elf"; do
  [ -e "$f" ] || { echo "host_paths_bench: $f is missing: build first (scripts/setup.sh build)" >&2; exit 2; }
done
[ -e "$DATA/t10k-images-idx3-ubyte" ] || [ -e "$DATA/t10k-images-idx3-ubyte.gz" ] ||
  { echo "host_paths_bench: no MNIST in $DATA (scripts/setup.sh data, or --data DIR)" >&2; exit 2; }
[ -z "$JSON" ] || : > "$JSON" || { echo "host_paths_bench: cannot write $JSON" >&2; exit 2; }

TMP=$(mktemp -d)
BOARD_PID=""
cleanup() { [ -z "$BOARD_PID" ] || kill "$BOARD_PID" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
SOCK=$TMP/board.sock
"$BOARD" --listen "unix:$SOCK" >/dev/null 2>"$TMP/board.log" &
BOARD_PID=$!
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
[ -S "$SOCK" ] || { echo "host_paths_bench: mind-board did not start: $(cat "$TMP/board.log")" >&2; exit 1; }

paths=("inproc bare" "inproc firmware" "unix:$SOCK bare" "unix:$SOCK firmware")
names=(inproc_bare inproc_firmware socket_bare socket_firmware)
declare -A median
results=()
for k in "${!paths[@]}"; do
  read -r board mode <<<"${paths[$k]}"
  rates=()
  for ((r = 1; r <= REPEATS; r++)); do
    rm -rf "$TMP/out"
    "$CLI" mnist --data "$DATA" --limit "$IMAGES" --train-limit 6000 --no-float --no-progress --examples 0 \
      --out "$TMP/out" --board "$board" --mode "$mode" >"$TMP/run.log" 2>&1 ||
      { echo "host_paths_bench: the ${names[$k]} run failed: $(tail -3 "$TMP/run.log")" >&2; exit 1; }
    # The chip part's images per second, from the run's own JSON (not its table, whose layout may change).
    rate=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["images_per_second"])' \
             "$TMP/out/mnist.json")
    rates+=("$rate")
    printf '[bench] %s, run %d/%d: %s images/s\n' "${names[$k]}" "$r" "$REPEATS" "$rate" >&2
  done
  sorted=$(printf '%s\n' "${rates[@]}" | sort -g)
  median[$k]=$(awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}' <<<"$sorted")
  results+=("$k $(head -1 <<<"$sorted") $(tail -1 <<<"$sorted")")
done
printf '%-16s %12s %12s %12s %8s\n' path "median img/s" min max "x bare"
json_rows=()
for row in "${results[@]}"; do
  read -r k min max <<<"$row"
  ratio=$(awk -v m="${median[$k]}" -v b="${median[0]}" 'BEGIN {printf "%.2f", m / b}')
  printf '%-16s %12.1f %12.1f %12.1f %8s\n' "${names[$k]}" "${median[$k]}" "$min" "$max" "$ratio"
  json_rows+=("\"${names[$k]}\": {\"median_images_per_s\": ${median[$k]}, \"min\": $min, \"max\": $max, \"ratio_to_inproc_bare\": $ratio}")
done
if [ -n "$JSON" ]; then
  {
    printf '{"bench": "host_paths_bench", "version": "%s", "images": %s, "train_images": 6000, "repeats": %s, "nproc": %s, ' \
      "$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)" "$IMAGES" "$REPEATS" "$(nproc)"
    (IFS=,; printf '%s' "${json_rows[*]}")
    printf '}\n'
  } > "$JSON"
  echo "[bench] wrote $JSON" >&2
fi
