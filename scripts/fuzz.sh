#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS]   run every libFuzzer harness of tests/fuzz for SECONDS
#                             each (default 10) on a copy of its seed corpus.
# Configures and builds build-fuzz/ (clang-14, -fsanitize=fuzzer,address,undefined;
# only the harnesses and the header generators) when needed, prints executions
# and findings per harness, and exits non-zero on any crash, sanitizer report,
# leak, over-allocation, timeout or broken invariant. Reproducers are kept in
# build-fuzz/findings/<harness>/ (run: build-fuzz/tests/fuzz/fuzz_<harness> FILE).
# Environment: MIND1024_FUZZ_BUILD_DIR (build-fuzz), MIND1024_JOBS (nproc).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${MIND1024_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
JOBS=${MIND1024_JOBS:-$(nproc)}
HARNESSES=(idx_reader npy_reader regmap elf_loader frame_decoder chip_bus)

case "${1:-}" in
  -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
SECONDS_EACH=${1:-10}
[[ "$SECONDS_EACH" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: SECONDS must be a positive integer, not '$SECONDS_EACH' (see --help)" >&2; exit 2; }

log() { printf '[fuzz] %s\n' "$*" >&2; }

# Largest input per harness (IDX: a gzip bomb of 16 KiB is 16 MiB inflated, well
# under -malloc_limit_mb; ELF and frames: a block payload fits).
max_len() {
  case "$1" in
    idx_reader|npy_reader|regmap) echo 16384 ;;
    elf_loader) echo 65536 ;;
    frame_decoder) echo 70000 ;;
    chip_bus) echo 1024 ;;  # up to 256 bus operations
  esac
}

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  command -v clang++-14 >/dev/null || { log "clang++-14 not found: install clang-14 libclang-rt-14-dev (scripts/setup.sh deps)"; exit 1; }
  gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
  log "configuring $BUILD"
  cmake -S "$ROOT" -B "$BUILD" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_C_COMPILER=clang-14 \
    -DMIND1024_FUZZ=ON -DMIND1024_RTL=OFF -DMIND1024_FIRMWARE=OFF -DMIND1024_TESTS=OFF >/dev/null
fi
cmake --build "$BUILD" --target fuzzers -j "$JOBS" >/dev/null || { log "build failed"; cmake --build "$BUILD" --target fuzzers -j 1; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
printf '%-15s %12s %9s %s\n' harness executions findings result
for h in "${HARNESSES[@]}"; do
  bin="$BUILD/tests/fuzz/fuzz_$h"
  mkdir -p "$work/$h" "$BUILD/findings/$h"
  cp "$ROOT/tests/fuzz/corpus/$h/"* "$work/$h/"
  rc=0
  TMPDIR="$work" "$bin" -max_total_time="$SECONDS_EACH" -max_len="$(max_len "$h")" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=64 -detect_leaks=1 -print_final_stats=1 \
    -artifact_prefix="$BUILD/findings/$h/" "$work/$h" >"$work/$h.log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$h.log" | tail -1)
  [ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work/$h.log" | tail -1)
  if [ "$rc" = 0 ]; then
    printf '%-15s %12s %9s %s\n' "$h" "${execs:-?}" 0 ok
  else
    failed=1
    printf '%-15s %12s %9s %s\n' "$h" "${execs:-?}" 1 "FAILED (exit $rc)"
    grep -E 'ERROR|SUMMARY|runtime error|invariant|over-allocation|artifact|Test unit written' "$work/$h.log" | head -20 >&2 || true
    cp "$work/$h.log" "$BUILD/findings/$h/last.log"
    log "$h: full log in $BUILD/findings/$h/last.log"
  fi
done
exit "$failed"
