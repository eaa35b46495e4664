"""The layered binary network (docs/layered-network.md) from Python: integer
arrays, or float ones quantized by the project's quantizer, run by the host's
integer model and on a chip, saved for ``mind1024 layered --net DIR``."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from . import _core
from ._chip import Chip, ChipParams, _explained
from ._errors import BadArgument


@dataclass(frozen=True)
class LayeredRun:
    """Images through a layered network: on the host's integer model
    (``LayeredNet.predict``) or on a chip (``LayeredNet.classify``)."""

    labels: np.ndarray                 #: (B,) int32, argmax of the scores (ties to the lowest)
    scores: np.ndarray                 #: (B, outputs) int64, sum_i w2[k][i] h_i + b2[k]
    hidden: Optional[np.ndarray]       #: (B, hidden) int8 -1/+1 (None on a chip unless asked for)
    sweeps: Optional[np.ndarray] = None     #: chip only: (B,) sweeps (1 each)
    flips: Optional[np.ndarray] = None
    cycles: Optional[np.ndarray] = None     #: chip only: (B,) compute cycles
    overflows: Optional[np.ndarray] = None  #: chip only: (B,) accumulator overflow events (0 for a fitting network)
    converged: Optional[np.ndarray] = None
    cycle2: Optional[np.ndarray] = None
    sim_seconds: float = 0.0
    wall_seconds: float = 0.0

    def __len__(self) -> int:
        return len(self.labels)

    def accuracy(self, true_labels) -> float:
        """Fraction of labels equal to ``true_labels`` (0..1)."""
        t = np.asarray(true_labels)
        if t.shape != self.labels.shape:
            raise BadArgument(f"true_labels has shape {t.shape}; the run has {self.labels.shape}")
        return float(np.mean(self.labels == t)) if len(t) else 0.0


class LayeredNet:
    """A layered binary network in integers (``mind1024-layered-v1``): inputs
    x_j = +1 if pixel_j > 127 else -1; hidden h_i = +1 iff sum_j w1[i][j] x_j > t1[i]
    else -1; outputs f_k = sum_i w2[k][i] h_i + b2[k]; the label is argmax_k f_k.

    ``LayeredNet(w1, t1, w2, b2, wbits=8)`` takes integer arrays as they are
    (every weight within WBITS); ``LayeredNet.quantize(w1, t1, w2, b2, wbits)``
    brings float ones to WBITS codes (``mind1024 layered --quantize``);
    ``LayeredNet.load(dir)`` reads the project's directory layout and ``save(dir)``
    writes it; ``mind1024.from_torch(model)`` makes one from a PyTorch model."""

    def __init__(self, w1, t1, w2, b2, wbits: int = 8, *, _core_net: Any = None) -> None:
        self._core = _core_net if _core_net is not None else _core.LayeredNet.from_arrays(w1, t1, w2, b2, wbits, False)
        self.info: dict = {}  #: how the network was made (from_torch: the fold and the scales)

    @classmethod
    def quantize(cls, w1, t1, w2, b2, wbits: int = 8) -> "LayeredNet":
        """Float (or integer) arrays to WBITS codes, per layer and symmetric
        (max-abs scale, nearest rounding): q1 = round(s1 w1), t1 = floor(s1 t1)
        (exact for the strict rule on integer sums), q2 = round(s2 w2),
        b2 = round(s2 b2). ``quantization`` gives the scales and clipping."""
        return cls(None, None, None, None, _core_net=_core.LayeredNet.from_arrays(w1, t1, w2, b2, wbits, True))

    @classmethod
    def load(cls, directory: str) -> "LayeredNet":
        """A network directory (``mind1024-train --model layered --out DIR``, or ``save``)."""
        return cls(None, None, None, None, _core_net=_core.LayeredNet.load(os.fspath(directory)))

    def save(self, directory: str, accuracy: Optional[dict] = None, extra: Optional[dict] = None) -> None:
        """Writes network.json and the four .npy files (all or none), for
        ``mind1024 layered --net DIR``; ``accuracy`` and ``extra`` go into network.json."""
        q = self.quantization or {}
        self._core.save(os.fspath(directory), accuracy, extra, float(q.get("w1_scale", 0.0)),
                        float(q.get("w2_scale", 0.0)))

    # ---- what it is
    @property
    def layers(self) -> tuple:
        """(inputs, hidden, outputs)."""
        return self._core.layers()

    @property
    def neurons(self) -> int:
        """Chip neurons it takes: inputs + hidden + outputs."""
        return sum(self.layers)

    @property
    def wbits(self) -> int:
        return self._core.wbits()

    @property
    def accumulator_bits(self) -> int:
        """Bits a signed accumulator needs for every sum of the network (the chip's ABITS must be at least this)."""
        return self._core.accumulator_bits()

    @property
    def quantization(self) -> Optional[dict]:
        """quantize's figures (w1_scale, w2_scale: codes per float unit; clipped counts), else None."""
        return self._core.quantization()

    def arrays(self) -> dict:
        """w1 (hidden, inputs) int16, t1 (hidden,) int32, w2 (outputs, hidden) int16, b2 (outputs,) int32 (copies)."""
        return self._core.arrays()

    def __repr__(self) -> str:
        i, h, o = self.layers
        return f"<mind1024.LayeredNet {i}-{h}-{o} WBITS={self.wbits}>"

    # ---- running it
    def predict(self, images) -> LayeredRun:
        """The host's integer model (LayeredIntNet) on images (B, ...) uint8 with
        ``inputs`` pixels each: labels, scores and hidden states."""
        t0 = time.perf_counter()
        d = self._core.run(images)
        return LayeredRun(**d, wall_seconds=time.perf_counter() - t0)

    def fits(self, params: ChipParams) -> None:
        """Raises BadArgument (naming the array and element) unless the network fits
        a chip of ``params``: neurons <= N_MAX, weights within WBITS, thresholds and
        biases within ABITS, no sum able to leave the accumulator."""
        self._core.check_fits(params)

    def load_on(self, chip: Chip) -> None:
        """Into the chip (checked with ``fits`` first): soft reset, then one block per
        layer (inputs 0..I-1 clamped, hidden after them, outputs last)."""
        _explained(lambda c: c._core.load_layered(self._core))(chip)

    def classify(self, chip: Chip, images, hidden: bool = False) -> LayeredRun:
        """Each image on a chip that holds this network (``load_on``): inputs clamped
        to the image, hidden and outputs from -1, one ASYNC_SEQ sweep, the output
        fields read back (the label: argmax of field + b2). ``hidden=True`` also
        reads the hidden states back. One call, the GIL released."""
        t0 = time.perf_counter()
        d = _explained(lambda c: c._core.classify_layered(self._core, images, bool(hidden)))(chip)
        return LayeredRun(**d, wall_seconds=time.perf_counter() - t0)

    def evaluate(self, chip: Chip, images, labels) -> dict:
        """load_on, classify, and the host's integer model on the same images:
        accuracies (0..1), whether the chip gives the host's labels and scores
        image by image, and both runs."""
        labels = np.asarray(labels)
        if labels.shape != (len(images),):
            raise BadArgument(f"labels has shape {labels.shape}; want ({len(images)},)")
        self.load_on(chip)
        on_chip = self.classify(chip, images)
        host = self.predict(images)
        return dict(chip_accuracy=on_chip.accuracy(labels), host_accuracy=host.accuracy(labels),
                    chip_agrees_with_host=int(np.count_nonzero(on_chip.labels == host.labels)),
                    scores_equal=bool(np.array_equal(on_chip.scores, host.scores)), images=len(labels),
                    overflow_events=int(on_chip.overflows.sum()), chip=on_chip, host=host, chip_name=chip.name)
