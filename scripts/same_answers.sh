#!/usr/bin/env bash
# Same answers: runs slices of every chip command with two mind1024 binaries
# (e.g. a release's and today's) and compares what they wrote, provenance and
# wall times apart. Or, with --golden, compares today's binary with the
# normalized outputs kept in tests/host/cli/golden/ (made by the old binary).
#
#   scripts/same_answers.sh OLD_MIND1024 NEW_MIND1024 [WORKDIR]
#   scripts/same_answers.sh --record OLD_MIND1024 GOLDEN_DIR   write GOLDEN_DIR
#   scripts/same_answers.sh --golden NEW_MIND1024 GOLDEN_DIR    compare with it
#
# Needs the MNIST set (MIND1024_DATA or data/mnist) and a layered network:
# MIND1024_TRAIN (mind1024-train, default beside NEW/OLD) trains a small one.
# Exit 0 when every file agrees; each difference is named.
set -euo pipefail
trap 'echo "same_answers.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${MIND1024_DATA:-$ROOT/data/mnist}
PY=/usr/bin/python3
NORMALIZE="$ROOT/scripts/normalize_outputs.py"

# The slices: small enough for CI (about a minute each binary on 2 cores), every command.
run_slices() {  # BIN OUT
  local bin=$1 out=$2 net=$3
  mkdir -p "$out"
  local train=(--data "$DATA" --train-limit 2000 --limit 150 --tune-epochs 2 --attractor-epochs 1 --protos 10 --no-progress)
  "$bin" mnist "${train[@]}" --examples 2 --out "$out/mnist" >"$out/mnist.txt" 2>/dev/null
  "$bin" mnist "${train[@]}" --examples 0 --no-float --wbits 3 --abits 14 --wrap --model reference \
    --out "$out/mnist-ref" >"$out/mnist-ref.txt" 2>/dev/null
  "$bin" sweep "${train[@]}" --bits 2,5,8 --acc-bits 12,24 --jobs 2 --out "$out/sweep" >"$out/sweep.txt" 2>/dev/null
  "$bin" faults "${train[@]}" --kinds syn,neuron,acc --rates 0,0.01,0.1 --patterns 8 --probes 4 \
    --out "$out/faults" >"$out/faults.txt" 2>/dev/null
  "$bin" capacity --neurons 128 --loads 4,12,24 --rules hebb,storkey --bits 3,8 --probes 4 --jobs 2 \
    --no-progress --out "$out/capacity" >"$out/capacity.txt" 2>/dev/null
  "$bin" recall --patterns random --count 6 --rules hebb,pinv --orders sync,async --no-progress \
    --out "$out/recall" >"$out/recall.txt" 2>/dev/null
  "$bin" run --weights "$net/run/w.npy" --thresholds "$net/run/t.npy" --state "$net/run/s.npy" --order perm \
    --max-sweeps 20 --noise 3 --seed 5 --out "$out/run" >"$out/run.txt" 2>/dev/null
  "$bin" layered --net "$net/layered" --data "$DATA" --limit 200 --out "$out/layered" >"$out/layered.txt" 2>/dev/null
}

# Inputs both binaries share: a random network for `run`, a small layered network.
make_inputs() {  # DIR TRAINER
  local dir=$1 trainer=$2
  mkdir -p "$dir/run"
  "$PY" - "$dir/run" <<'EOF'
import struct, sys, random
def npy(path, dtype, shape, values):
    fmt = {'<i2': 'h', '<i4': 'i', '|i1': 'b'}[dtype]
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (dtype, str(tuple(shape)).replace(',)', ',)'))
    header += ' ' * (63 - (len(header) + 10) % 64) + '\n'
    with open(path, 'wb') as f:
        f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(header)) + header.encode())
        f.write(struct.pack('<%d%s' % (len(values), fmt), *values))
r = random.Random(7)
n = 96
w = [0] * (n * n)
for i in range(n):
    for j in range(i + 1, n):
        w[i * n + j] = w[j * n + i] = r.randint(-100, 100)
npy(sys.argv[1] + '/w.npy', '<i2', (n, n), w)
npy(sys.argv[1] + '/t.npy', '<i4', (n,), [r.randint(-50, 50) for _ in range(n)])
npy(sys.argv[1] + '/s.npy', '|i1', (n,), [r.choice((-1, 1)) for _ in range(n)])
EOF
  if [ ! -f "$dir/layered/network.json" ]; then
    "$trainer" --model layered --data "$DATA" --epochs 1 --train-limit 3000 --test-limit 200 --hidden 40 \
      --out "$dir/layered" >/dev/null 2>&1
  fi
}

normalize() { "$PY" "$NORMALIZE" "$1" "$2"; }

case "${1:-}" in
  --record)
    old=$2 golden=$3
    work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
    make_inputs "$golden/inputs" "${MIND1024_TRAIN:-$(dirname "$old")/mind1024-train}"
    run_slices "$old" "$work/out" "$golden/inputs"
    rm -rf "$golden/expected"; normalize "$work/out" "$golden/expected"
    echo "recorded $(find "$golden/expected" -type f | wc -l) normalized files in $golden/expected" ;;
  --golden)
    new=$2 golden=$3
    if ! ls "$DATA"/train-images* >/dev/null 2>&1; then echo "no MNIST in $DATA: skipped"; exit 77; fi
    work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
    run_slices "$new" "$work/out" "$golden/inputs"
    normalize "$work/out" "$work/norm"
    if diff -r "$golden/expected" "$work/norm"; then
      echo "same answers: $(find "$golden/expected" -type f | wc -l) files agree with $golden/expected"
    else
      echo "different answers (above: expected, then this binary's)"; exit 1
    fi ;;
  -h|--help|"")
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; [ -n "${1:-}" ] ;;
  *)
    old=$1 new=$2 work=${3:-$(mktemp -d)}
    make_inputs "$work/inputs" "${MIND1024_TRAIN:-$(dirname "$new")/mind1024-train}"
    run_slices "$old" "$work/old" "$work/inputs"
    run_slices "$new" "$work/new" "$work/inputs"
    normalize "$work/old" "$work/old-norm"; normalize "$work/new" "$work/new-norm"
    if diff -r "$work/old-norm" "$work/new-norm"; then
      echo "same answers: $(find "$work/old-norm" -type f | wc -l) files agree ($work)"
    else
      echo "different answers (above: $old, then $new; outputs in $work)"; exit 1
    fi ;;
esac
