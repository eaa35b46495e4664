#!/usr/bin/env bash
# Yosys synthesis statistics of the RTL neuron unit (rtl/neuron_unit.v) for
# WBITS in {4, 8, 16} x LANES in {4, 16, 64}, ABITS 24, plus the LFSR
# (rtl/lfsr32.v): generic `synth` cells by type and total, and `synth_ice40`
# cells (SB_LUT4, SB_CARRY, flip-flops). Writes a CSV and prints a table.
#
#   scripts/synth_rtl.sh [--out results/rtl_synth.csv] [--jobs 2] [--timeout 180]
#
# CSV columns: design,wbits,abits,lanes,flow,cell,count. For each design and
# flow, one row per cell type, a row with cell "_total" (all cells) and one
# with cell "_seconds" (Yosys wall time). A run that exceeds --timeout seconds
# gets a "_timeout" row instead and is left out of the table.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/results/rtl_synth.csv
jobs=2
limit=180
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --timeout) limit=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "synth_rtl.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done
command -v yosys >/dev/null || { echo "synth_rtl.sh: yosys not found (apt-get install yosys)" >&2; exit 1; }

abits=24
wbits_list="4 8 16"
lanes_list="4 16 64"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_one TAG TOP FLOW "HIERARCHY ARGS"
run_one() {
  local tag=$1 top=$2 flow=$3 chp=$4 cmd
  case $flow in
    generic) cmd="synth -top $top" ;;
    ice40) cmd="synth_ice40 -top $top" ;;
  esac
  local t0 t1
  t0=$(date +%s.%N)
  if timeout "$limit" yosys -q -l "$tmp/$tag.$flow.log" -p \
      "read_verilog -sv $root/rtl/neuron_unit.v $root/rtl/lfsr32.v; hierarchy -check -top $top $chp; $cmd; tee -q -o $tmp/$tag.$flow.stat stat" \
      >/dev/null 2>&1; then
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }' >"$tmp/$tag.$flow.time"
  else
    echo "timeout" >"$tmp/$tag.$flow.time"
  fi
}

designs=()
for w in $wbits_list; do
  for l in $lanes_list; do
    designs+=("nu_w${w}_l${l}|neuron_unit|$w|$abits|$l|-chparam WBITS $w -chparam ABITS $abits -chparam LANES $l")
  done
done
designs+=("lfsr32|lfsr32|||| ")

echo "synth_rtl.sh: ${#designs[@]} designs x 2 flows, $jobs parallel jobs, timeout ${limit}s each" >&2
running=0
for d in "${designs[@]}"; do
  IFS='|' read -r tag top w a l chp <<<"$d"
  for flow in generic ice40; do
    run_one "$tag" "$top" "$flow" "$chp" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
      wait -n || true
      running=$((running - 1))
    fi
  done
done
wait || true

# Cell counts from Yosys' `stat` text: the indented "TYPE COUNT" lines after
# "Number of cells".
cells() {
  awk '/Number of cells:/ { on = 1; next }
       on && NF == 2 && $2 ~ /^[0-9]+$/ { print $1 "," $2; next }
       on { on = 0 }' "$1"
}
total() { awk '/Number of cells:/ { print $4; exit }' "$1"; }
count_of() {  # file regex -> sum of counts of matching cell types
  cells "$1" | awk -F, -v re="$2" '$1 ~ re { s += $2 } END { print s + 0 }'
}

mkdir -p "$(dirname "$out")"
csv=$tmp/out.csv
echo "design,wbits,abits,lanes,flow,cell,count" >"$csv"
table=$tmp/table.txt
printf "%-10s %5s %5s %5s | %8s %6s %8s | %8s %8s %6s %9s | %s\n" \
  design WBITS ABITS LANES cells FFs XOR+XNOR SB_LUT4 SB_CARRY FFs LUT4/lane "time generic/ice40 (s)" >"$table"
for d in "${designs[@]}"; do
  IFS='|' read -r tag top w a l chp <<<"$d"
  row_ok=1
  for flow in generic ice40; do
    t=$(cat "$tmp/$tag.$flow.time" 2>/dev/null || echo timeout)
    if [ "$t" = timeout ]; then
      echo "$top,$w,$a,$l,$flow,_timeout,$limit" >>"$csv"
      row_ok=0
      continue
    fi
    cells "$tmp/$tag.$flow.stat" | sed "s/^/$top,$w,$a,$l,$flow,/" >>"$csv"
    echo "$top,$w,$a,$l,$flow,_total,$(total "$tmp/$tag.$flow.stat")" >>"$csv"
    echo "$top,$w,$a,$l,$flow,_seconds,$t" >>"$csv"
  done
  if [ "$row_ok" = 1 ]; then
    g=$tmp/$tag.generic.stat
    i=$tmp/$tag.ice40.stat
    lut=$(count_of "$i" '^SB_LUT4$')
    per_lane=-
    [ -n "$l" ] && per_lane=$(awk -v a="$lut" -v b="$l" 'BEGIN { printf "%.0f", a / b }')
    printf "%-10s %5s %5s %5s | %8s %6s %8s | %8s %8s %6s %9s | %s / %s\n" \
      "$top" "${w:--}" "${a:--}" "${l:--}" "$(total "$g")" "$(count_of "$g" 'DFF')" "$(count_of "$g" '^\$_X(N)?OR_$')" \
      "$lut" "$(count_of "$i" '^SB_CARRY$')" "$(count_of "$i" '^SB_DFF')" "$per_lane" \
      "$(cat "$tmp/$tag.generic.time")" "$(cat "$tmp/$tag.ice40.time")" >>"$table"
  else
    printf "%-10s %5s %5s %5s | timed out after %ss (see CSV)\n" "$top" "${w:--}" "${a:--}" "${l:--}" "$limit" >>"$table"
  fi
done
mv "$csv" "$out"
cat "$table"
echo "synth_rtl.sh: wrote $out" >&2
