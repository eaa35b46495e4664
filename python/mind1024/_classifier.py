"""The MNIST classifier from Python: the project's prototype (k-WTA attractor)
classifier (docs/mnist.md), trained here or loaded from ``mind1024 mnist
--save-net DIR``, evaluated on a chip and on its float twin with NumPy images."""

from __future__ import annotations

import time
from typing import Optional

import numpy as np

from . import _core
from ._chip import Chip, ChipParams, Classification, FloatTwin
from ._errors import BadArgument


class Classifier:
    """A trained prototype classifier: pixel neurons (a crop of the image,
    binarized and clamped), prototype neurons and label neurons (``layout``).

    ``Classifier.train(images, labels, **settings)`` trains one (images (N, rows,
    cols) uint8, as MNIST stores them; settings as ``mind1024 mnist`` names them:
    protos_per_class, inhibition, tune_epochs, ..., see ``default_settings()``);
    ``Classifier.load(dir)`` reads one saved by ``save(dir)`` or by
    ``mind1024 mnist --save-net DIR``."""

    def __init__(self, core: "_core.Classifier") -> None:
        self._core = core

    @classmethod
    def load(cls, directory: str) -> "Classifier":
        return cls(_core.Classifier.load(str(directory)))

    @classmethod
    def train(cls, images, labels, **settings) -> "Classifier":
        return cls(_core.Classifier.train(images, labels, settings))

    @staticmethod
    def default_settings() -> dict:
        """The training settings and their defaults (classifier.json's "config")."""
        return _core.Classifier.default_config()

    def save(self, directory: str) -> None:
        """Writes the classifier as mind1024-classifier/1 (docs/mnist.md)."""
        self._core.save(str(directory))

    @property
    def settings(self) -> dict:
        return self._core.config()

    @property
    def layout(self) -> dict:
        """classes, pixels, first_proto, protos, first_label, labels, reps (label neurons per class), n."""
        return self._core.layout()

    @property
    def training(self) -> dict:
        """What the training did: tune_violations, attractor_errors (per epoch), validation (held-out
        accuracy per epoch and the epochs kept), train_seconds."""
        return self._core.training()

    def float_network(self):
        """(weights (n, n) float32, thresholds (n,) float32, clamp (n,) bool): the float network."""
        return self._core.weights(), self._core.thresholds(), self._core.clamp().astype(bool)

    def quantize(self, params: ChipParams, scale: str = "fit", rounding: str = "nearest", seed: int = 0) -> dict:
        """The chip network for these parameters, as ``mind1024 mnist`` makes it
        (--scale fit|weights|pixels, --rounding nearest|stochastic, --seed):
        weights (n, n) int16, thresholds (n,) int32, and the quantizer's figures."""
        return self._core.quantize(params, scale, rounding, seed)

    def states(self, images) -> np.ndarray:
        """Initial states (B, n) int8 of images (B, rows, cols) uint8: the encoded pixels, the rest -1."""
        return self._core.states(images)

    def load_on(self, chip: Chip, **quantize) -> dict:
        """Soft reset, then the quantized network and the clamp mask into the chip; returns ``quantize``'s result."""
        q = self.quantize(chip.params, **quantize)
        chip.reset()
        chip.load_weights(q["weights"])
        chip.load_thresholds(q["thresholds"])
        chip.set_clamp(self._core.clamp())
        return q

    def twin(self) -> FloatTwin:
        """The float twin of the network, with its clamp mask."""
        w, t, c = self.float_network()
        twin = FloatTwin(w, t)
        twin.set_clamp(c)
        return twin

    def classify(self, engine, images, seed: int = 1, wrap: bool = False) -> Classification:
        """Labels of the images on a loaded chip (``load_on``) or on ``twin()``:
        image k runs with seed + k, in the classifier's order, sweep limit and tie rule."""
        lay, cfg = self.layout, self.settings
        return engine.classify(self.states(images), first_label=lay["first_label"], classes=lay["classes"],
                               reps=lay["reps"], order=cfg["order"], max_sweeps=cfg["max_sweeps"], wrap=wrap,
                               seed=seed, protos=lay["protos"] if cfg["ties"] == "prototype" else 0)

    def evaluate(self, chip: Chip, images, labels, twin: bool = True, wrap: bool = False, **quantize) -> dict:
        """The classification study: the quantized network on the chip and (if
        ``twin``) the float network on its twin, every image with seed k + 1 as
        ``mind1024 mnist`` runs them. A dict of figures and arrays."""
        labels = np.asarray(labels)
        if labels.shape != (len(images),):
            raise BadArgument(f"labels has shape {labels.shape}; want ({len(images)},)")
        q = self.load_on(chip, **quantize)
        t0 = time.perf_counter()
        on_chip = self.classify(chip, images, wrap=wrap)
        wall = time.perf_counter() - t0
        classes = self.layout["classes"]
        confusion = np.zeros((classes, classes), dtype=np.int64)
        np.add.at(confusion, (labels, on_chip.labels), 1)
        out = dict(accuracy=100.0 * on_chip.accuracy(labels), predicted=on_chip.labels, tied=on_chip.tied,
                   mean_sweeps=float(on_chip.sweeps.mean()) if len(on_chip) else 0.0,
                   not_converged=int(np.count_nonzero(~on_chip.converged)),
                   cycles_per_image=float(on_chip.cycles.mean()) if len(on_chip) else 0.0,
                   overflow_events=int(on_chip.overflows.sum()), sim_seconds=on_chip.sim_seconds,
                   wall_seconds=wall, images_per_second=len(on_chip) / wall if wall > 0 else 0.0,
                   confusion=confusion, quantization={k: v for k, v in q.items() if k not in ("weights", "thresholds")},
                   chip=chip.name)
        if twin:
            t0 = time.perf_counter()
            on_twin = self.classify(self.twin(), images)
            out.update(float_accuracy=100.0 * on_twin.accuracy(labels), float_predicted=on_twin.labels,
                       float_mean_sweeps=float(on_twin.sweeps.mean()) if len(on_twin) else 0.0,
                       float_wall_seconds=time.perf_counter() - t0)
        return out

    def fault_campaign(self, chip: Chip, images, labels, kinds=("syn", "seu", "neuron", "acc"),
                       rates=(0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1), seed: int = 1, seu_at: int = 2000,
                       recall: bool = True, patterns: int = 40, probes: int = 20, flip: float = 0.1,
                       wrap: bool = False, scale: str = "fit", rounding: str = "nearest",
                       quantize_seed: int = 0) -> dict:
        """The fault campaign of ``mind1024 faults`` (docs/faults.md) on ``chip``:
        for each kind (syn: stuck synapse bits, seu: upsets, neuron: stuck
        neurons, acc: stuck accumulator bits) and rate (the fraction of its sites
        that are faulty), the classifier's accuracy on the chip and on the float
        twin with the same faults, and (``recall``) a Hebb memory's mean final
        overlap. The chip must be one of this process (backend "engine" or
        "reference": the same bits as the SystemC chip); it is left fault-free.
        Returns columns: kind, spec (lists), rate, sites, mnist_chip,
        mnist_float, recall_chip, recall_float (NumPy arrays; fractions 0..1)."""
        opts = dict(kinds=list(kinds), rates=[float(r) for r in rates], seed=seed, seu_at=seu_at,
                    recall=recall, patterns=patterns, probes=probes, flip=float(flip), wrap=wrap, scale=scale,
                    rounding=rounding, quantize_seed=quantize_seed)
        return _core.fault_campaign(chip._core, self._core, images, labels, opts)


def load_mnist(directory: Optional[str] = None, part: str = "test"):
    """(images (N, 28, 28) uint8, labels (N,) uint8) of MNIST's "test" or "train"
    part, read by the project's IDX reader (raw or .gz) from ``directory``, else
    $MIND1024_DATA, else the set-up's data/mnist (as ``mind1024 --data``)."""
    if part not in ("test", "train"):
        raise BadArgument(f"part = {part!r}: 'test' or 'train'")
    return _core.load_mnist(directory or "", part == "train")
