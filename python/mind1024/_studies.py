"""The design-space exploration from Python: ``mind1024 dse`` (docs/dse.md) on a
space given as a dict, its points back as rows and NumPy columns.

Each point runs on the SystemC chip in a child process of its own (SystemC
elaborates one board per process), with Yosys's area and the counted energy,
exactly as the command runs it: this module writes the space file, runs the
command and reads its outputs."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from . import _paths
from ._errors import BadArgument, ChipError


def cli_program() -> str:
    """The mind1024 command: $MIND1024_CLI, else the one built (or installed) with this package."""
    return os.environ.get("MIND1024_CLI") or _paths.CLI


@dataclass(frozen=True)
class Exploration:
    """What ``explore`` measured: one row per point (per fault rate and seed)."""

    rows: List[Dict[str, Any]]          #: points.csv's rows: numbers as float, text as str, empty as None
    front: List[int]                    #: indices into rows of the Pareto front (pareto.csv)
    summary: str                        #: summary.md
    info: Dict[str, Any]                #: dse.json: the space, workload, objectives, energies, provenance
    out: str                            #: the output directory
    columns: Dict[str, np.ndarray] = field(default_factory=dict)  #: rows as columns (float64, or object for text)

    def __len__(self) -> int:
        return len(self.rows)


def _value(text: str):
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _read_csv(path: str) -> List[Dict[str, Any]]:
    with open(path, newline="") as f:
        return [{k: _value(v) for k, v in row.items()} for row in csv.DictReader(f)]


def _columns(rows: List[Dict[str, Any]]) -> Dict[str, np.ndarray]:
    cols: Dict[str, np.ndarray] = {}
    for key in (rows[0].keys() if rows else ()):
        vals = [r[key] for r in rows]
        if all(v is None or isinstance(v, float) for v in vals):
            cols[key] = np.array([np.nan if v is None else v for v in vals], dtype=np.float64)
        else:
            cols[key] = np.array(vals, dtype=object)
    return cols


def explore(space: Dict[str, Any], out: Optional[str] = None, jobs: int = 1, cache: Optional[str] = None,
            data: Optional[str] = None, model: Optional[str] = None, check_images: Optional[int] = None,
            resume: bool = False, progress: bool = False) -> Exploration:
    """Runs ``mind1024 dse`` on ``space`` (the space file's content as a dict:
    format, workload, space, faults, constraints, objectives, energy; docs/dse.md)
    into ``out`` (default: a new temporary directory), ``jobs`` points at once.
    ``cache`` keeps trained classifiers and Yosys's areas (default
    $MIND1024_CACHE, else OUT/cache). A space the command refuses raises
    BadArgument with its message; a failed run ChipError."""
    if not isinstance(space, dict):
        raise BadArgument(f"space must be a dict (the space file's content), not {type(space).__name__}")
    space = dict(space)
    space.setdefault("format", "mind1024-dse/1")
    out = out or tempfile.mkdtemp(prefix="mind1024-dse-")
    os.makedirs(out, exist_ok=True)
    fd, space_file = tempfile.mkstemp(prefix="space-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(space, f)  # JSON is YAML: the command reads either
    cmd = [cli_program(), "dse", space_file, "--out", out, "--jobs", str(int(jobs))]
    if not progress:
        cmd.append("--no-progress")
    for opt, val in (("--cache", cache), ("--data", data), ("--model", model), ("--check-images", check_images)):
        if val is not None:
            cmd += [opt, str(val)]
    if resume:
        cmd.append("--resume")
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=None if progress else subprocess.PIPE, text=True)
    finally:
        os.unlink(space_file)
    if r.returncode != 0:
        msg = (r.stderr or "").strip().splitlines()
        text = "\n".join(msg[-5:]) or f"exit status {r.returncode}"
        # The command names the space file in every error about the space: those are the caller's.
        bad_space = space_file in text
        raise (BadArgument if bad_space else ChipError)("mind1024 dse: " + text.replace(space_file, "space"))
    rows = _read_csv(os.path.join(out, "points.csv"))
    front_rows = _read_csv(os.path.join(out, "pareto.csv"))
    with open(os.path.join(out, "dse.json")) as f:
        info = json.load(f)
    with open(os.path.join(out, "summary.md")) as f:
        summary = f.read()
    return Exploration(rows=rows, front=[int(i) for i in info.get("front", [])], summary=summary, info=info,
                       out=out, columns=_columns(rows))


def design_point(workload: Optional[Dict[str, Any]] = None, faults: Optional[Dict[str, Any]] = None,
                 order: str = "async", overflow: str = "saturate", energy: Optional[Dict[str, float]] = None,
                 out: Optional[str] = None, cache: Optional[str] = None, data: Optional[str] = None,
                 **params: Any) -> Dict[str, Any]:
    """One design point, measured as ``mind1024 dse`` measures each point:
    accuracy (chip and float twin, with a 95% interval), cycles and latency per
    image, Yosys's area, memory bits, energy, and the reference check.
    ``params`` are chip parameters by their ChipParams names (wbits=5, abits=14,
    lanes=4, ...; the others take the table's defaults); ``workload`` the space
    file's workload (default: the hopfield classifier, 12,000 training and 500
    test images); ``faults`` a faults section ({"kind": "syn0", "rates": [1e-3],
    "repeats": 3}). Returns the point's row as a dict (with faults: the row of
    the last rate; all rows are in ``explore``)."""
    if order not in ("sync", "async", "perm"):
        raise BadArgument(f"order = {order!r}: 'sync', 'async' or 'perm'")
    if overflow not in ("saturate", "wrap"):
        raise BadArgument(f"overflow = {overflow!r}: 'saturate' or 'wrap'")
    space: Dict[str, Any] = {
        "workload": workload or {"net": "hopfield", "train_images": 12000, "test_images": 500, "seed": 1},
        "space": {**{k: [v] for k, v in params.items()}, "order": [order], "overflow": [overflow]},
    }
    if faults:
        space["faults"] = faults
    if energy:
        space["energy"] = energy
    result = explore(space, out=out, cache=cache, data=data)
    if not result.rows:
        raise ChipError("mind1024 dse measured no point (the workload does not fit the chip?)")
    return result.rows[-1]


__all__: Sequence[str] = ("Exploration", "cli_program", "design_point", "explore")
