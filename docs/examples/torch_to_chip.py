#!/usr/bin/python3
"""Trains a small binary network on MNIST with PyTorch and runs it on the SystemC chip.

The model is nn.Sequential(Linear(784, H), BatchNorm1d(H), mind1024.Sign(),
Linear(H, 10)) on binarized images (+1 where a pixel is above 127, else -1: the
chip's inputs). mind1024.torch_to_chip folds the batch norm into the hidden
thresholds, quantizes to the chip's WBITS (one scale per hidden row, one for the
output layer), loads the network into a chip and classifies the test images on
it; it prints the float model's accuracy beside the chip's and the host integer
model's. Run from anywhere:

    /usr/bin/python3 docs/examples/torch_to_chip.py                 # SystemC board, 2000 test images
    /usr/bin/python3 docs/examples/torch_to_chip.py --backend reference --test 10000 --save /tmp/net
"""

import argparse
import os
import sys
import time

import numpy as np
import torch
from torch import nn

# Defaults from the repository, wherever the script is started from.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
try:
    import mind1024 as m
except ImportError:  # not installed: the build tree's package
    sys.path.insert(0, os.path.join(ROOT, "build", "python"))
    import mind1024 as m


def train(x, y, hidden, epochs, seed, lr=3e-3, batch=128):
    """Adam on the cross-entropy; the sign's gradient is hardtanh's (mind1024.Sign)."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(x.shape[1], hidden), nn.BatchNorm1d(hidden), m.Sign(), nn.Linear(hidden, 10))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs * ((len(x) + batch - 1) // batch))
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for epoch in range(epochs):
        order = torch.randperm(len(x))
        total = 0.0
        for k in range(0, len(x), batch):
            idx = order[k:k + batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(idx)
        print(f"epoch {epoch + 1}/{epochs}: loss {total / len(x):.4f}")
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("MIND1024_DATA") or os.path.join(ROOT, "data", "mnist"),
                    help="MNIST IDX directory (default $MIND1024_DATA, then the set-up's copy)")
    ap.add_argument("--train", type=int, default=10000, help="training images")
    ap.add_argument("--test", type=int, default=2000, help="test images run on the chip")
    ap.add_argument("--hidden", type=int, default=128, help="hidden sign units (784 + H + 10 <= N_MAX)")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--wbits", type=int, default=8, help="the chip's weight bits")
    ap.add_argument("--backend", default="systemc", choices=m.BACKENDS)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (matrices this small gain nothing from more)")
    ap.add_argument("--save", help="also write the network here, for mind1024 layered --net DIR")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    train_x, train_y = m.load_mnist(args.data or None, "train")
    test_x, test_y = m.load_mnist(args.data or None, "test")
    t0 = time.perf_counter()
    model = train(m.binarize(train_x[:args.train]), torch.from_numpy(train_y[:args.train].astype(np.int64)),
                  args.hidden, args.epochs, args.seed)
    print(f"trained on {args.train} images in {time.perf_counter() - t0:.1f} s")

    params = m.ChipParams(n_max=1024, wbits=args.wbits, abits=24)
    with m.Chip(params, backend=args.backend) as chip:
        r = m.torch_to_chip(model, chip, test_x[:args.test], test_y[:args.test])
    n = r["images"]
    print(f"{r['chip']}: {n} test images")
    print(f"  float model (PyTorch)  {100 * r['float_accuracy']:.2f}%")
    print(f"  integer model (host)   {100 * r['host_accuracy']:.2f}%")
    print(f"  chip                   {100 * r['chip_accuracy']:.2f}%  "
          f"({r['chip_images_per_second']:.0f} images/s)")
    print(f"  chip = host on {r['chip_agrees_with_host']} of {n} images, output sums equal: {r['scores_equal']}; "
          f"float = chip on {r['float_agrees_with_chip']}")
    if args.save:
        r["net"].save(args.save, accuracy=dict(float=r["float_accuracy"], integer=r["host_accuracy"]),
                      extra=dict(provenance=dict(program="docs/examples/torch_to_chip.py", torch=torch.__version__)))
        print(f"wrote {args.save} (mind1024 layered --net {args.save})")
    if r["chip_agrees_with_host"] != n:
        sys.exit("the chip differs from the host's integer model")


if __name__ == "__main__":
    main()
