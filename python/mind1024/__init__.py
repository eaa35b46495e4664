"""mind1024: the MIND 1024 neural chip from Python and NumPy.

    import numpy as np
    import mind1024 as m

    p = m.ChipParams(n_max=64, wbits=8)
    with m.Chip(p, backend="systemc") as chip:     # or "engine" / "reference" (plain C++, this process)
        chip.load_weights(W)                       # (n, n) integers, checked against WBITS
        chip.set_state(S)                          # (n,) of -1/+1
        r = chip.run(order="async", max_sweeps=10)
        print(r.sweeps, r.converged, chip.state[:n])

Chip (a chip on a backend), ChipParams (its build-time parameters), FloatTwin
(the same dynamics in floating point), RunResult / RunBatch / Classification
(what runs return), Classifier (the MNIST classifier: trained or loaded,
evaluated on a chip and its twin, its fault campaign) with load_mnist,
explore / design_point / Exploration (mind1024 dse: points measured for accuracy,
cycles, area and energy), LayeredNet / LayeredRun (the
layered binary network: integers, on the host and on a chip), from_torch /
torch_to_chip / torch_predict / Sign / binarize (PyTorch models onto the chip; these load torch
on first use), and the errors ChipError,
BadArgument, BoardError, BusError, BusyError. See docs/python-example.md in the source tree.
"""

from ._errors import BadArgument, BoardError, BusError, BusyError, ChipError
from . import _core
from ._chip import BACKENDS, Chip, ChipParams, Classification, FloatTwin, RunBatch, RunResult
from ._classifier import Classifier, load_mnist
from ._layered import LayeredNet, LayeredRun
from ._studies import Exploration, design_point, explore

__all__ = [
    "BACKENDS", "BadArgument", "BoardError", "BusError", "BusyError", "Chip", "ChipError", "ChipParams",
    "Classification", "Classifier", "Exploration", "FloatTwin", "LayeredNet", "LayeredRun", "RunBatch", "RunResult", "Sign",
    "binarize", "chip_parameters", "design_point", "explore", "from_torch", "load_mnist", "parse_faults", "torch_predict", "torch_to_chip",
]

# The PyTorch bridge (mind1024._torch) loads torch: only when first used.
_TORCH_NAMES = ("Sign", "binarize", "from_torch", "torch_predict", "torch_to_chip")


def __getattr__(name: str):
    if name in _TORCH_NAMES:
        from . import _torch
        return getattr(_torch, name)
    raise AttributeError(f"module 'mind1024' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_TORCH_NAMES))


__version__ = "0.1.0"


def chip_parameters() -> list:
    """The chip's parameters as data, one dict each: member (ChipParams field),
    name (the contract's), option (mind1024 / mind-board option), integer, lo,
    hi, unit, help, default."""
    return _core.chip_param_table()


def parse_faults(spec: str) -> str:
    """A fault SPEC ("syn0=1e-3,seed=7", as mind1024 --faults takes it) checked
    and in its canonical form; BadArgument names a bad item."""
    return _core.parse_faults(spec)
