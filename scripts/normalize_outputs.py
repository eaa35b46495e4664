#!/usr/bin/python3
"""Normalizes a tree of mind1024 outputs for comparison (scripts/same_answers.sh).

JSON loses its provenance and every host time (wall, training, inference
seconds, images per second): what a run found stays, how long it took goes.
CSV is kept as written. Binary files (PNG, .npy) become their SHA-256. The
manifests and the commands' console text are left out (they carry the
provenance and the wall times). Simulated seconds keep 12 significant digits: they
are sums of differences of absolute simulated times, whose last bits move when
anything earlier in the run (one more bus access) shifts those times.

usage: normalize_outputs.py IN_DIR OUT_DIR
"""
import hashlib
import json
import os
import sys

HOST_TIME_KEYS = ("wall_seconds", "train_seconds", "images_per_second", "infer_seconds")
PATH_KEYS = ("data", "dir")
# Figures added since the golden outputs were recorded: a new key is not a changed answer.
ADDED_KEYS = ("unanswered",)


def is_host_time(key):
    return any(key == k or key.endswith("_" + k) or key.startswith(k) for k in HOST_TIME_KEYS)


def clean_entry(key, value):
    if key in PATH_KEYS and isinstance(value, str):
        return os.path.basename(value.rstrip("/"))
    if "sim_seconds" in key and isinstance(value, float):
        return float(f"{value:.12g}")
    return clean(value)


def clean(value):
    if isinstance(value, dict):
        return {k: clean_entry(k, v) for k, v in value.items()
                if k != "provenance" and k not in ADDED_KEYS and not is_host_time(k)}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def main(src, dst):
    for root, _, files in os.walk(src):
        for name in sorted(files):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            if name == "manifest.json" or (root == src and name.endswith(".txt")):
                continue
            out = os.path.join(dst, rel)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            if name.endswith(".json"):
                with open(path) as f:
                    data = clean(json.load(f))
                with open(out, "w") as f:
                    json.dump(data, f, indent=1, sort_keys=True)
                    f.write("\n")
            elif name.endswith((".csv", ".md")):
                with open(path, "rb") as f, open(out, "wb") as g:
                    g.write(f.read())
            else:
                with open(path, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                with open(out + ".sha256", "w") as g:
                    g.write(digest + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
