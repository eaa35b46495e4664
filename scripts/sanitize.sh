#!/usr/bin/env bash
# scripts/sanitize.sh       AddressSanitizer + UBSan build of everything in build-asan/ (RTL
#                           off: the verilated code is generated), then every test (ctest).
#                           About 10 minutes on 2 cores; not part of CI.
# scripts/sanitize.sh ci    the subset CI runs after ctest (scripts/setup.sh test): only the
#                           targets of the reference model, fixed point, the chip (registers,
#                           known answers, golden equivalence, engine), data, learning, link,
#                           link server, twin, child-job, platform, GDB stub and board tests
#                           (the fast cases), in build-asan-ci/; a test case per process
#                           where SystemC elaborates (as ctest runs them), else a binary each.
# Any ASan, LeakSanitizer or UBSan report fails the run (-fno-sanitize-recover=all,
# halt_on_error). How SystemC's coroutines are made to agree with ASan, and the one
# expected skip (NpyDeathTest.OutOfMemoryNamesTheFile): docs/results.md, "Test suite".
# Environment: MIND1024_ASAN_BUILD_DIR, MIND1024_JOBS (nproc), MIND1024_DATA.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JOBS=${MIND1024_JOBS:-$(nproc)}
mode=full
case "${1:-}" in
  -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  ci) mode=ci ;;
  "") ;;
  *) echo "sanitize.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
# detect_stack_use_after_return stays off (GCC's default): its fake stacks do not
# follow SystemC's coroutine switches.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export MIND1024_DATA=${MIND1024_DATA:-$ROOT/data/mnist}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
gen=(); command -v ninja >/dev/null && gen=(-G Ninja)

if [ "$mode" = full ]; then
  BUILD=${MIND1024_ASAN_BUILD_DIR:-$ROOT/build-asan}
  cmake -S "$ROOT" -B "$BUILD" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIND1024_RTL=OFF \
    -DCMAKE_CXX_FLAGS="$SAN" -DCMAKE_C_FLAGS="$SAN" -DCMAKE_EXE_LINKER_FLAGS="$SAN" >/dev/null
  cmake --build "$BUILD" -j "$JOBS"
  ctest --test-dir "$BUILD" -j "$JOBS" --output-on-failure
  exit 0
fi

# ---- ci: a build of its own with only what the subset needs (-O1, line tables; the test
# sources at -O0: they compile in a fraction of the time, what they test stays at -O1).
BUILD=${MIND1024_ASAN_BUILD_DIR:-$ROOT/build-asan-ci}
# BINARY[:GTEST_FILTER][@whole]. @whole: no SystemC kernel, so the whole binary runs in
# one process (a process per case costs ASan's start-up each time); the filters keep
# the fast cases (the slow ones run in the full build: scripts/sanitize.sh).
TESTS=(tests/sysc/fixed_point_test@whole tests/sysc/reference_model_test@whole
  tests/sysc/register_file_test tests/sysc/known_answer_test
  "tests/sysc/golden_equivalence_test:Configs/GoldenEquivalence.ChipMatchesReferenceModel/0:Configs/GoldenEquivalence.ChipMatchesReferenceModel/3:Configs/GoldenEquivalence.ChipMatchesReferenceModel/7:GoldenEquivalenceBadInput.*:GoldenEquivalenceTiming.BusTimeAndRunTimeAddUp"
  tests/sysc/engine/run_engine_test@whole tests/sysc/engine/field_kernels_test@whole
  tests/sysc/engine/incremental_fields_test@whole
  tests/host/data/idx_reader_test@whole tests/host/data/npy_test@whole
  tests/host/learning/learning_rules_test@whole tests/host/learning/quantizer_test@whole
  tests/host/link/frame_test@whole tests/host/link/link_socket_test@whole
  tests/host/twin/float_twin_test@whole tests/host/study/runner_test@whole
  tests/host/report/result_cache_test@whole tests/host/report/output_set_test@whole
  tests/host/board/board_test tests/host/board/in_process_transport_test tests/host/board/polling_test
  tests/host/board/board_mock_test@whole tests/host/board/firmware_driver_mock_test@whole
  tests/sysc/board/platform_test tests/sysc/board/link_server_inproc_test
  "tests/sysc/board/gdb_stub_test:-*RealGdb*@whole")
log() { printf '[sanitize] %s\n' "$*" >&2; }
cmake -S "$ROOT" -B "$BUILD" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DMIND1024_RTL=OFF -DMIND1024_FIRMWARE=OFF \
  -DMIND1024_TEST_COMPILE_OPTIONS=-O0 \
  -DCMAKE_CXX_FLAGS="$SAN" -DCMAKE_C_FLAGS="$SAN" -DCMAKE_EXE_LINKER_FLAGS="$SAN" >/dev/null
path_of() { local t=${1%@whole}; echo "${t%%:*}"; }
filter_of() { local t=${1%@whole}; [[ "$t" == *:* ]] && echo "${t#*:}" || echo "*"; }
targets=(); for t in "${TESTS[@]}"; do targets+=("$(basename "$(path_of "$t")")"); done
cmake --build "$BUILD" --target "${targets[@]}" -j "$JOBS"

export MIND1024_SOURCE_DIR="$ROOT" MIND1024_BINARY_DIR="$BUILD"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# One process per test case (SystemC elaborates once per process), JOBS at a time.
run_case() {  # BINARY CASE
  local f; f="$out/$(basename "$1").$(printf '%s' "$2" | tr -c 'A-Za-z0-9_.' '_').log"
  if "$1" --gtest_filter="$2" >"$f" 2>&1; then rm -f "$f"; else echo "FAILED $(basename "$1") $2" >>"$out/failed"; fi
}
export -f run_case; export out
cases=0
for t in "${TESTS[@]}"; do
  bin="$BUILD/$(path_of "$t")"; filter=$(filter_of "$t")
  "$bin" --gtest_list_tests --gtest_filter="$filter" > "$out/list" || { log "$t: listing its tests failed"; exit 1; }
  n=$(awk '/^  / {n++} END {print n+0}' "$out/list")
  [ "$n" -gt 0 ] || { log "$t: no test cases"; exit 1; }
  cases=$((cases + n))
  if [[ "$t" == *@whole ]]; then
    printf '%s\0%s\0' "$bin" "$filter"
  else
    awk '/^[^ ]/ {s=$1} /^  / {print s $1}' "$out/list" | while read -r c; do printf '%s\0%s\0' "$bin" "$c"; done
  fi
done > "$out/cases"
xargs -0 -n 2 -P "$JOBS" bash -c 'run_case "$0" "$1"' < "$out/cases"
total=$cases
if [ -s "$out/failed" ]; then
  cat "$out/failed" >&2
  for f in "$out"/*.log; do log "---- ${f##*/}"; grep -E 'ERROR|SUMMARY|runtime error|Failure|FAILED' "$f" | head -20 >&2 || true; done
  log "$(wc -l < "$out/failed") of $total test cases failed under ASan+UBSan"
  exit 1
fi
log "$total test cases of ${#TESTS[@]} binaries passed under ASan+UBSan"
