#!/usr/bin/python3
"""MNIST images per second through the Python module's systemc backend against
the CLI's mnist job (issue 19: at least 0.8x), on the same trained classifier.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_batch_bench.py [--images N] [--repeats R]
        [--net DIR] [--build DIR] [--data DIR] [--json FILE]

Without --net it trains the default classifier once (`mind1024 mnist --save-net`,
about a minute). Each repeat runs, one after the other: `mind1024 mnist --net DIR
--no-float` (the job: SystemC board in process, bare mode; its "img/s" is the
chip part), the same over a unix socket to a mind-board in firmware mode, and
`Chip(backend="systemc").classify` of the same images in firmware mode and in
bare mode (a board without firmware, each batch's accesses as one link BATCH),
and on the engine backend (the module's chip part: encoding and classification,
after loading the network). Medians are reported, with each path's ratio to the
job measured in the same repeat; every path's predictions must equal the job's."""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import mind1024 as m

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli_rate(cli, net, data, limit, out, extra=()):
    cmd = [cli, "mnist", "--net", net, "--data", data, "--limit", str(limit), "--no-float", "--no-progress",
           "--examples", "0", "--out", out, *extra]
    text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    line = next(l for l in text.splitlines() if "attractor" in l)
    return float(line.split()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=10000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--net", help="a saved classifier (mind1024 mnist --save-net DIR)")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--data", default=os.environ.get("MIND1024_DATA") or os.path.join(ROOT, "data", "mnist"))
    ap.add_argument("--json", help="also write the figures here")
    a = ap.parse_args()
    cli = os.path.join(a.build, "host", "cli", "mind1024")
    tmp = tempfile.mkdtemp(prefix="mind1024-pybench-")
    net = a.net
    if not net:
        net = os.path.join(tmp, "net")
        print("[bench] training the default classifier (mind1024 mnist --save-net)", file=sys.stderr)
        subprocess.run([cli, "mnist", "--data", a.data, "--limit", "1", "--no-float", "--no-progress", "--examples",
                        "0", "--save-net", net, "--out", os.path.join(tmp, "train")], check=True, capture_output=True)
    images, labels = m.load_mnist(a.data, "test")
    images, labels = images[: a.images], labels[: a.images]
    clf = m.Classifier.load(net)
    rates = {"cli_inproc_bare": [], "cli_socket_firmware": [], "python_systemc_firmware": [],
             "python_systemc_bare": [], "python_engine": []}
    same = True
    board = m._board.BoardProcess(m.ChipParams())  # the CLI's socket path: a board of its own
    labels_of = {}
    try:
        for r in range(a.repeats):
            rates["cli_inproc_bare"].append(cli_rate(cli, net, a.data, a.images, os.path.join(tmp, "job")))
            rates["cli_socket_firmware"].append(cli_rate(cli, net, a.data, a.images, os.path.join(tmp, "sock"),
                                                         ("--board", board.address, "--mode", "firmware")))
            for key, backend, mode in (("python_systemc_firmware", "systemc", "firmware"),
                                       ("python_systemc_bare", "systemc", "bare"), ("python_engine", "engine", None)):
                with m.Chip(m.ChipParams(), backend, mode=mode) as chip:
                    clf.load_on(chip)
                    t0 = time.perf_counter()
                    got = clf.classify(chip, images)
                    rates[key].append(len(got) / (time.perf_counter() - t0))
                    labels_of[key] = got.labels
            print(f"[bench] run {r + 1}/{a.repeats}: " + ", ".join(f"{k} {v[-1]:.0f}" for k, v in rates.items()),
                  file=sys.stderr)
    finally:
        board.close()
    with open(os.path.join(tmp, "job", "predictions.csv")) as f:
        job_labels = np.array([int(l.split(",")[2]) for l in f.read().splitlines()[1:]])
    same = all(np.array_equal(job_labels, v) for v in labels_of.values())
    med = {k: statistics.median(v) for k, v in rates.items()}
    # Each path against the job of the same repeat, then the median of those ratios.
    over_job = {k: statistics.median(x / j for x, j in zip(v, rates["cli_inproc_bare"])) for k, v in rates.items()
                if k != "cli_inproc_bare"}
    result = dict(images=len(images), repeats=a.repeats, median_images_per_second=med, runs=rates,
                  median_ratio_to_job=over_job, target_ratio=0.8,
                  same_predictions_as_job=same, accuracy=100.0 * got.accuracy(labels))
    print(json.dumps(result, indent=1))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=1)
    if not same:
        sys.exit("the module's predictions differ from the job's")


if __name__ == "__main__":
    main()
