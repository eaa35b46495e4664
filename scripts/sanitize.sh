#!/usr/bin/env bash
# Builds the project with AddressSanitizer and UBSan in build-asan/ (RTL off: the
# verilated code is generated) and runs every test. Not part of CI: it takes about
# 10 minutes on 2 cores. Expected failures and why: docs/results.md, "Test suite".
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${MIND1024_ASAN_BUILD_DIR:-$ROOT/build-asan}
case "${1:-}" in -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIND1024_RTL=OFF \
  -DCMAKE_CXX_FLAGS="$SAN" -DCMAKE_C_FLAGS="$SAN" -DCMAKE_EXE_LINKER_FLAGS="$SAN" >/dev/null
cmake --build "$BUILD" -j "$(nproc)"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} MIND1024_DATA=${MIND1024_DATA:-$ROOT/data/mnist} \
  ctest --test-dir "$BUILD" -j "$(nproc)" --output-on-failure
