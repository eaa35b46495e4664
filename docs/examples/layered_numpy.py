#!/usr/bin/env python3
"""A network built with NumPy alone, run on the MIND 1024 chip.

1. A layered binary network 784-H-10 (docs/layered-network.md): random
   Gaussian input weights, each hidden unit's threshold at the median of its
   sum over the training images, and a ridge-regression readout of the ±1
   hidden states. Saved with np.save as it comes (float64), it runs on the
   chip with `mind1024 layered --quantize` (w2, a transposed view, is saved
   with fortran_order True).
2. A Hopfield memory of a few random patterns (Hebb rule, float64), saved in
   Fortran order (np.asfortranarray), with the state as int64 and the clamp
   mask as bool, recalled with `mind1024 run --quantize`.

Nothing is converted for the chip's sake: float64, int64, bool and Fortran
order are what NumPy writes by default, and mind1024 reads them as they are.

    /usr/bin/python3 docs/examples/layered_numpy.py [--data /path/to/mnist] [--out /tmp/np-example]
"""
import argparse
import gzip
import json
import os
import subprocess
import sys

import numpy as np


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    dims = [int.from_bytes(raw[4 + 4 * k:8 + 4 * k], "big") for k in range(magic & 0xFF)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def find(data, name):
    for p in (os.path.join(data, name), os.path.join(data, name + ".gz")):
        if os.path.exists(p):
            return p
    sys.exit(f"{data}: neither {name} nor {name}.gz")


def binarize(images):
    # The chip's input rule: +1 if pixel > 127, else -1 (docs/layered-network.md).
    return np.where(images.reshape(len(images), -1) > 127, 1.0, -1.0)


def layered(args, mind1024):
    train_x = binarize(read_idx(find(args.data, "train-images-idx3-ubyte"))[: args.train])
    train_y = read_idx(find(args.data, "train-labels-idx1-ubyte"))[: args.train]
    test_x = binarize(read_idx(find(args.data, "t10k-images-idx3-ubyte")))
    test_y = read_idx(find(args.data, "t10k-labels-idx1-ubyte"))

    rng = np.random.default_rng(args.seed)
    w1 = rng.standard_normal((args.hidden, 784))            # float64
    t1 = np.median(train_x @ w1.T, axis=0)                  # each unit on for about half the images
    h = np.where(train_x @ w1.T > t1, 1.0, -1.0)            # the chip's rule: +1 iff sum > threshold
    hb = np.hstack([h, np.ones((len(h), 1))])
    target = np.eye(10)[train_y]
    sol = np.linalg.solve(hb.T @ hb + args.ridge * np.eye(args.hidden + 1), hb.T @ target)
    w2, b2 = sol[:-1].T, sol[-1]                            # (10, H) a transposed view: saved in Fortran order

    ht = np.where(test_x @ w1.T > t1, 1.0, -1.0)
    acc = np.mean(np.argmax(ht @ w2.T + b2, axis=1) == test_y)
    print(f"NumPy float model, {args.hidden} hidden units, {args.train} training images: {100 * acc:.2f}% on the test set")

    net = os.path.join(args.out, "net")
    os.makedirs(net, exist_ok=True)
    with open(os.path.join(net, "network.json"), "w") as f:
        json.dump({"format": "mind1024-layered-v1", "layers": [784, args.hidden, 10]}, f)
    for name, a in (("w1", w1), ("t1", t1), ("w2", w2), ("b2", b2)):
        np.save(os.path.join(net, name + ".npy"), a)      # float64, as NumPy saves it
    out = os.path.join(args.out, "chip")
    subprocess.run([mind1024, "layered", "--net", net, "--quantize", "--wbits", str(args.wbits), "--data", args.data,
                    "--out", out, "--no-progress"], check=True)
    with open(os.path.join(out, "layered.json")) as f:
        r = json.load(f)
    print(f"chip: {r['accuracy_chip']:.2f}% (host integer model {r['accuracy_host_integer']:.2f}%, "
          f"{r['agree_with_host']} of {r['images']} images agree)")


def hopfield(args, mind1024):
    n, p = 64, 3
    rng = np.random.default_rng(args.seed)
    patterns = rng.choice([-1, 1], size=(p, n))             # int64
    w = (patterns.T @ patterns) / n                          # Hebb, float64
    np.fill_diagonal(w, 0.0)
    d = os.path.join(args.out, "hopfield")
    os.makedirs(d, exist_ok=True)
    probe = patterns[0].copy()
    probe[: n // 5] *= -1                                    # 20% of the neurons flipped
    np.save(os.path.join(d, "W.npy"), np.asfortranarray(w))  # fortran_order: True in the header
    np.save(os.path.join(d, "state.npy"), probe)             # int64
    np.save(os.path.join(d, "clamp.npy"), np.zeros(n, dtype=bool))
    out = os.path.join(d, "out")
    subprocess.run([mind1024, "run", "--weights", os.path.join(d, "W.npy"), "--state", os.path.join(d, "state.npy"),
                    "--clamp", os.path.join(d, "clamp.npy"), "--quantize", "--out", out], check=True)
    final = np.load(os.path.join(out, "state.npy"))
    print(f"Hopfield recall of pattern 0 from a 20%-flipped probe: overlap {final @ patterns[0] / n:+.3f}")


# Defaults from the repository, wherever the script is started from.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("MIND1024_DATA") or os.path.join(ROOT, "data", "mnist"),
                    help="MNIST IDX directory (default $MIND1024_DATA, then the set-up's copy)")
    ap.add_argument("--out", default=os.path.join(ROOT, "results", "numpy-example"))
    ap.add_argument("--mind1024", default=os.path.join(ROOT, "build", "host", "cli", "mind1024"),
                    help="the mind1024 program")
    ap.add_argument("--hidden", type=int, default=230, help="hidden units (784 + H + 10 <= 1024)")
    ap.add_argument("--train", type=int, default=20000, help="training images used for the readout")
    ap.add_argument("--ridge", type=float, default=1.0)
    ap.add_argument("--wbits", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if not args.data:  # --data "$MIND1024_DATA" with the variable unset
        args.data = ap.get_default("data")
    hopfield(args, args.mind1024)
    layered(args, args.mind1024)


if __name__ == "__main__":
    main()
