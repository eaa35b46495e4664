"""Chip and FloatTwin: the public classes over the C++ core."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from . import _core
from ._board import BoardProcess
from ._errors import BadArgument, BoardError, ChipError

ChipParams = _core.ChipParams
RunResult = _core.RunResult

BACKENDS = ("reference", "engine", "systemc")


@dataclass(frozen=True)
class RunBatch:
    """Runs of many initial states (``Chip.run_many``), one row or entry per state."""

    states: np.ndarray     #: (B, n) int8, the final states
    fields: np.ndarray     #: (B, n) the last fields (int32 on a chip, float64 on the twin)
    sweeps: np.ndarray     #: (B,) uint32
    flips: np.ndarray      #: (B,) uint32, flips in each run's last sweep
    cycles: np.ndarray     #: (B,) uint64 compute cycles (0 on the twin)
    overflows: np.ndarray  #: (B,) uint32 accumulator overflow events (0 on the twin)
    converged: np.ndarray  #: (B,) bool
    cycle2: np.ndarray     #: (B,) bool
    sim_seconds: float     #: simulated time of all the runs (bus and compute)

    def __len__(self) -> int:
        return len(self.sweeps)


@dataclass(frozen=True)
class Classification:
    """A batch classified (``Chip.classify``): image k's label is the class whose
    label neurons have the largest summed field; a tie goes to the class of the
    largest prototype field among the tied classes (``protos`` > 0) or to the
    lowest tied class."""

    labels: np.ndarray     #: (B,) int32
    tied: np.ndarray       #: (B,) bool: the largest sum was shared (the tie rule gave the label)
    sweeps: np.ndarray
    flips: np.ndarray
    cycles: np.ndarray
    overflows: np.ndarray
    converged: np.ndarray
    cycle2: np.ndarray
    sim_seconds: float

    def __len__(self) -> int:
        return len(self.labels)

    def accuracy(self, true_labels) -> float:
        """Fraction of labels equal to ``true_labels`` (0..1)."""
        t = np.asarray(true_labels)
        if t.shape != self.labels.shape:
            raise BadArgument(f"true_labels has shape {t.shape}; the batch has {self.labels.shape}")
        return float(np.mean(self.labels == t)) if len(t) else 0.0


def _run_params(order, max_sweeps, n_active, wrap, noise, seed):
    return _core.run_params(order, max_sweeps, n_active, bool(wrap), noise, seed)


def _explained(method):
    """A BoardError of a systemc chip says how its board process ended, if it did."""

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except BoardError as e:
            better = self._board.explain(e) if self._board is not None and type(e) is BoardError else None
            if better is None:
                raise
            raise better from e

    return call


class Chip:
    """A MIND 1024 chip.

    ``Chip(params, backend="reference")`` is the plain C++ reference model in
    this process (the oracle); ``backend="engine"`` is the run engine alone in
    this process (the SIMD fields, sweeps and cycle model the SystemC chip
    runs, without its bus: the fastest); ``backend="systemc"`` is the SystemC
    board, in a ``mind-board --listen`` child process of its own reached over a
    unix socket (the module never loads SystemC; a board that fails raises
    BoardError and leaves Python running). All three give the same results bit
    for bit. ``close()`` (or leaving a ``with`` block) ends the chip and its
    board process.

    Keywords:
      faults:   fault SPEC as ``mind1024 --faults`` takes it, e.g. "syn0=1e-3,seed=7"
      mode:     systemc only: "firmware" (default; the board's firmware runs
                batches itself, fastest over the socket) or "bare" (register by register)
      datapath: systemc only: "cpp" (default) or "rtl" (the Verilated neuron unit)
      board:    systemc only: the address (unix:PATH, tcp:HOST:PORT) of a
                mind-board --listen already running, instead of a child
      timeout:  systemc only: host seconds to wait for any one answer of the board
    """

    def __init__(self, params: Optional[ChipParams] = None, backend: str = "reference", *,
                 faults: Optional[str] = None, mode: Optional[str] = None, datapath: str = "cpp",
                 board: Optional[str] = None, timeout: float = 600.0) -> None:
        self._board: Optional[BoardProcess] = None
        self._core = None
        if params is None:
            params = ChipParams()
        if not isinstance(params, ChipParams):
            raise TypeError(f"params must be a mind1024.ChipParams, not {type(params).__name__}")
        if backend not in BACKENDS:
            raise BadArgument(f"backend = {backend!r}: the backends are 'reference', 'engine' and 'systemc'")
        spec = _core.parse_faults(faults, params) if faults else ""
        if backend != "systemc":
            for name, value, default in (("mode", mode, None), ("datapath", datapath, "cpp"), ("board", board, None)):
                if value != default:
                    raise BadArgument(f"{name} = {value!r} is an option of the systemc backend")
            self._core = _core.Chip(params, backend, "bare", spec, timeout)
        else:
            mode = "firmware" if mode is None else mode
            if mode not in ("bare", "firmware"):
                raise BadArgument(f"mode = {mode!r}: the modes are 'bare' and 'firmware'")
            if board is None:
                self._board = BoardProcess(params, spec, datapath, with_firmware=mode == "firmware")
                where = self._board.address
            else:
                if spec or datapath != "cpp":
                    raise BadArgument("faults and datapath of a running board are its own: start mind-board with "
                                      "--faults / --datapath")
                where = board
            try:
                self._core = _core.Chip(params, where, mode, "", float(timeout))
            except BaseException:
                self.close()
                raise
        self.backend = backend
        self.faults = spec

    # ---- life
    def close(self) -> None:
        """Ends the chip (and its board process). Idempotent."""
        if self._core is not None:
            try:
                self._core.close()
            except ChipError:
                pass  # the board is gone already: nothing to say goodbye to
        if self._board is not None:
            self._board.close()

    def __enter__(self) -> "Chip":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        state = "closed" if self.closed else self.name
        return f"<mind1024.Chip {self.backend} {self.params.describe()} ({state})>"

    @property
    def closed(self) -> bool:
        return self._core is None or self._core.closed

    @property
    def params(self) -> ChipParams:
        """The chip's parameters."""
        return self._core.params

    @property
    def name(self) -> str:
        """The driver: 'reference', 'engine', 'board/unix:...' (bare) or 'firmware/unix:...'."""
        return self._core.name

    @property
    def board_process(self) -> Optional[BoardProcess]:
        """The mind-board child of a systemc chip (pid, log(), status()), else None."""
        return self._board

    # ---- the network
    @_explained
    def load_weights(self, weights) -> None:
        """Writes the (n, n) weight block, n <= N_MAX, any integer dtype and layout,
        read in place; every value is checked against WBITS first (BadArgument
        naming the element). n becomes the default n_active of runs."""
        self._core.load_weights(weights)

    @_explained
    def read_weights(self, n: Optional[int] = None) -> np.ndarray:
        """The (n, n) int16 weight block back from the chip (default: the last loaded n)."""
        return self._core.read_weights(n)

    @_explained
    def load_thresholds(self, thresholds) -> None:
        """Thresholds of neurons 0..n-1, any integer dtype, checked against ABITS."""
        self._core.load_thresholds(thresholds)

    @_explained
    def set_state(self, state) -> None:
        """States of neurons 0..n-1: -1/+1 in any integer dtype, or bool (True is +1)."""
        self._core.set_state(state)

    @_explained
    def set_clamp(self, clamp) -> None:
        """Clamp mask of neurons 0..n-1: bool or 0/1. A clamped neuron keeps its state."""
        self._core.set_clamp(clamp)

    @property
    @_explained
    def state(self) -> np.ndarray:
        """The state of all N_MAX neurons, int8 -1/+1."""
        return self._core.state()

    @_explained
    def fields(self, first: int = 0, count: Optional[int] = None) -> np.ndarray:
        """The last fields (int32) of neurons first..first+count-1 (default: to N_MAX)."""
        return self._core.fields(first, count)

    # ---- running
    @_explained
    def run(self, order: str = "async", max_sweeps: int = 100, n_active: Optional[int] = None, wrap: bool = False,
            noise: Optional[int] = None, seed: int = 1) -> RunResult:
        """START: sweeps until one flips nothing (converged) or max_sweeps.

        order: "sync" | "async" | "perm"; n_active: neurons taking part (default:
        the last weight matrix's n, else N_MAX); wrap: wrap the accumulator
        instead of saturating; noise: None (off) or TEMP >= 0 (on: the noise unit
        draws even at 0); seed: the LFSR seed."""
        return self._core.run(_run_params(order, max_sweeps, n_active, wrap, noise, seed), False)

    @_explained
    def step(self, order: str = "async", n_active: Optional[int] = None, wrap: bool = False,
             noise: Optional[int] = None, seed: int = 1) -> RunResult:
        """STEP: exactly one sweep."""
        return self._core.run(_run_params(order, 1, n_active, wrap, noise, seed), True)

    @_explained
    def run_many(self, states, order: str = "async", max_sweeps: int = 100, n_active: Optional[int] = None,
                 wrap: bool = False, noise: Optional[int] = None, seed: int = 1) -> RunBatch:
        """Runs each row of ``states`` (B, n) from the loaded network, in one call
        with the GIL released: state k runs with seed + k; n_active defaults to n.
        The same as set_state, run, state, fields for each row."""
        d = self._core.run_many(states, _run_params(order, max_sweeps, n_active, wrap, noise, seed))
        return RunBatch(**d)

    @_explained
    def classify(self, states, first_label: int, classes: int, reps: int = 1, order: str = "async",
                 max_sweeps: int = 100, wrap: bool = False, noise: Optional[int] = None,
                 seed: int = 1, protos: int = 0) -> Classification:
        """Classifies each row of ``states`` (B, n) with the loaded network: runs it
        over its n neurons (seed + k for row k) and takes the class c whose label
        neurons first_label + c*reps .. + reps-1 have the largest summed field.
        A tie goes, with ``protos`` > 0, to the class of the largest field among
        the tied classes' prototypes (neurons first_label - protos .. first_label - 1,
        prototype m of class m % classes), else to the lowest tied class
        (``tied`` marks the ties). In firmware mode the board's firmware runs the
        batch itself."""
        d = self._core.classify(states, first_label, classes, reps, protos,
                                _run_params(order, max_sweeps, None, wrap, noise, seed))
        return Classification(**d)

    @_explained
    def hebb(self, n_active: Optional[int] = None) -> None:
        """HEBB: adds s_i*s_j to every J[i][j] (i != j < n_active), saturating at WBITS."""
        self._core.hebb(n_active)

    @_explained
    def clear_synapses(self) -> None:
        """CLEAR_SYN: every weight to 0."""
        self._core.clear_synapses()

    @_explained
    def reset(self) -> None:
        """SOFT_RESET: registers, counters, state and clamp mask to reset values (weights and thresholds stay)."""
        self._core.reset()

    @property
    @_explained
    def cycles(self) -> int:
        """Compute cycles since reset (CYCLES)."""
        return self._core.cycles()


class FloatTwin:
    """The chip's network and dynamics in floating point: float weights, no
    accumulator limits, the same update orders, LFSR draws and stop rules as
    the chip. Runs take the chip's run parameters (``wrap`` has no effect).

    ``scale``: chip integers per float unit; the twin divides TEMP by it, so
    noise has the same size relative to the fields as on a chip whose weights
    are ``scale`` times these."""

    def __init__(self, weights, thresholds=None, scale: float = 1.0) -> None:
        self._core = _core.FloatTwin(weights, thresholds, float(scale))

    @property
    def n(self) -> int:
        """Neurons of the twin (the weight matrix's n)."""
        return self._core.n

    def set_state(self, state) -> None:
        """States of neurons 0..k-1: -1/+1 or bool."""
        self._core.set_state(state)

    def set_clamp(self, clamp) -> None:
        """Clamp mask of neurons 0..k-1: bool or 0/1."""
        self._core.set_clamp(clamp)

    @property
    def state(self) -> np.ndarray:
        """The state of the n neurons, int8 -1/+1."""
        return self._core.state()

    def fields(self) -> np.ndarray:
        """The last fields (float64) of the n neurons."""
        return self._core.fields()

    def energy(self) -> float:
        """E = -1/2 s'Js + theta's."""
        return self._core.energy()

    def run(self, order: str = "async", max_sweeps: int = 100, n_active: Optional[int] = None, wrap: bool = False,
            noise: Optional[int] = None, seed: int = 1) -> RunResult:
        """As Chip.run (cycles and overflows are 0)."""
        return self._core.run(_run_params(order, max_sweeps, n_active, wrap, noise, seed), False)

    def step(self, order: str = "async", n_active: Optional[int] = None, wrap: bool = False,
             noise: Optional[int] = None, seed: int = 1) -> RunResult:
        """As Chip.step."""
        return self._core.run(_run_params(order, 1, n_active, wrap, noise, seed), True)

    def run_many(self, states, order: str = "async", max_sweeps: int = 100, n_active: Optional[int] = None,
                 wrap: bool = False, noise: Optional[int] = None, seed: int = 1) -> RunBatch:
        """As Chip.run_many (fields are float64)."""
        return RunBatch(**self._core.run_many(states, _run_params(order, max_sweeps, n_active, wrap, noise, seed)))

    def classify(self, states, first_label: int, classes: int, reps: int = 1, order: str = "async",
                 max_sweeps: int = 100, wrap: bool = False, noise: Optional[int] = None,
                 seed: int = 1, protos: int = 0) -> Classification:
        """As Chip.classify, with the same label rule over float fields."""
        return Classification(**self._core.classify(states, first_label, classes, reps, protos,
                                                    _run_params(order, max_sweeps, None, wrap, noise, seed)))
