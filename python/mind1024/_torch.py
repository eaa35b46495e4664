"""PyTorch models onto the chip: a trained ``torch.nn`` model of Linear layers
with a sign activation (BatchNorm1d allowed after the first Linear) becomes the
chip's layered network (docs/layered-network.md). Imported on first use, so
``import mind1024`` does not load torch."""

from __future__ import annotations

import time
from typing import Any, Optional

import numpy as np
import torch
from torch import nn

from ._chip import Chip
from ._errors import BadArgument
from ._layered import LayeredNet

# Modules that are the identity in eval mode, or do not move the argmax.
_PASS = (nn.Flatten, nn.Identity, nn.Dropout)
_ARGMAX_SAFE = (nn.Softmax, nn.LogSoftmax)


class Sign(nn.Module):
    """sign(x) with sign(0) = -1 (the chip's rule: a tie keeps -1), trained
    through a straight-through estimator (the gradient of hardtanh)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hard = torch.where(x > 0, torch.ones_like(x), -torch.ones_like(x))
        soft = torch.clamp(x, -1.0, 1.0)
        return soft + (hard - soft).detach()


def binarize(images) -> torch.Tensor:
    """uint8 images (B, ...) as the chip's inputs: (B, pixels) float32 of +1
    (pixel > 127) and -1, what the model is trained and evaluated on."""
    a = np.asarray(images)
    if a.dtype != np.uint8 or a.ndim < 2:
        raise BadArgument(f"images must be uint8 (B, ...), not {a.dtype} {a.shape}")
    return torch.from_numpy(np.where(a.reshape(len(a), -1) > 127, 1.0, -1.0).astype(np.float32))


def _dtype(model: nn.Module) -> torch.dtype:
    """The dtype the model computes in (a model made .double() takes float64 inputs)."""
    return next(model.parameters()).dtype


def _is_sign(module: nn.Module) -> bool:
    """A parameter-free module that maps every probe x to +1 if x > 0 else -1."""
    if any(True for _ in module.parameters()):
        return False
    probe = torch.tensor([[-3.0, -0.5, -1e-4, 1e-4, 0.5, 3.0]])
    try:
        with torch.no_grad():
            out = module(probe)
    except Exception:
        return False
    return isinstance(out, torch.Tensor) and out.shape == probe.shape and bool(
        torch.equal(out, torch.where(probe > 0, 1.0, -1.0)))


def _layers(model: nn.Module) -> list:
    """The model's modules in order: an nn.Sequential's, nested ones flattened;
    another module's children in registration order (checked against its
    forward afterwards)."""
    out = []
    for child in model.children():
        if isinstance(child, nn.Sequential) or (not isinstance(child, (nn.Linear, nn.BatchNorm1d)) and
                                                 any(True for _ in child.children())):
            out += _layers(child)
        else:
            out.append(child)
    return out


def _structure(model: nn.Module):
    """(Linear 1, BatchNorm1d or None, Linear 2): Linear -> [BatchNorm1d] -> sign -> Linear
    -> [Softmax/LogSoftmax], with identities anywhere. BadArgument names what does not fit."""
    mods = [m for m in _layers(model) if not isinstance(m, _PASS)]
    names = [type(m).__name__ for m in mods]
    want = "Linear -> [BatchNorm1d] -> sign -> Linear (-> [Softmax]), plus Flatten/Identity/Dropout"
    k = 0

    def take(cond) -> Optional[nn.Module]:
        nonlocal k
        if k < len(mods) and cond(mods[k]):
            k += 1
            return mods[k - 1]
        return None

    fc1 = take(lambda m: isinstance(m, nn.Linear))
    bn = take(lambda m: isinstance(m, nn.BatchNorm1d))
    sign = take(_is_sign)
    fc2 = take(lambda m: isinstance(m, nn.Linear))
    take(lambda m: isinstance(m, _ARGMAX_SAFE))
    if fc1 is None or sign is None or fc2 is None or k != len(mods):
        where = f"module {k} ({names[k]})" if k < len(mods) else "the end"
        raise BadArgument(f"the model's layers are {names}: the chip's layered network needs {want}; "
                          f"it differs at {where} (a sign unit is a module mapping x to +1 if x > 0 else -1, "
                          "e.g. mind1024.Sign)")
    if fc2.in_features != fc1.out_features:
        raise BadArgument(f"Linear {fc1.out_features} units feed Linear of {fc2.in_features} inputs")
    if bn is not None:
        if bn.num_features != fc1.out_features:
            raise BadArgument(f"BatchNorm1d({bn.num_features}) after Linear of {fc1.out_features} units")
        if not bn.track_running_stats or bn.running_mean is None:
            raise BadArgument("BatchNorm1d without running statistics (track_running_stats=False) cannot be folded")
    return fc1, bn, fc2


def fold(model: nn.Module) -> dict:
    """The model as the layered network's float rule, in float64: hidden unit i
    fires iff w1[i] . x > t1[i] (BatchNorm1d and the bias folded: a negative
    gamma negates the row, a zero gamma makes a constant unit), each row and its
    threshold divided by the row's max |w| (a positive scale does not change a
    sign unit, so every row gets the full WBITS range); w2, b2 as they are (one
    scale for the layer: the argmax needs it). Keys w1, t1, w2, b2, row_scale."""
    fc1, bn, fc2 = _structure(model)
    w1 = fc1.weight.detach().double().numpy().copy()
    b1 = fc1.bias.detach().double().numpy() if fc1.bias is not None else np.zeros(len(w1))
    t1 = -b1  # w.x + b > 0
    if bn is not None:
        mean = bn.running_mean.detach().double().numpy()
        sd = np.sqrt(bn.running_var.detach().double().numpy() + bn.eps)
        gamma = bn.weight.detach().double().numpy() if bn.affine else np.ones(len(w1))
        beta = bn.bias.detach().double().numpy() if bn.affine else np.zeros(len(w1))
        # y = gamma (a - mean) / sd + beta > 0  <=>  a > tau (gamma > 0), a < tau (gamma < 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            tau = mean - beta * sd / gamma
        t1 = tau - b1
        neg = gamma < 0
        w1[neg] *= -1
        t1[neg] *= -1  # a < tau  <=>  -a > -tau
        const = gamma == 0
        w1[const] = 0
        t1[const] = np.where(beta[const] > 0, -1.0, 0.0)  # y = beta: fires iff beta > 0
    row = np.abs(w1).max(axis=1)
    live = row > 0
    w1[live] /= row[live, None]
    t1[live] /= row[live]
    # A zero row keeps its threshold: floor(s1 t1) keeps the sign of 0 > t1, and the quantizer clamps it to [-1, 0].
    w2 = fc2.weight.detach().double().numpy()
    b2 = fc2.bias.detach().double().numpy() if fc2.bias is not None else np.zeros(len(w2))
    return dict(w1=w1, t1=t1, w2=w2, b2=b2, row_scale=np.where(live, row, 0.0))


def _check_fold(model: nn.Module, f: dict, seed: int = 0) -> None:
    """The fold computes the model's logits (up to float rounding) on random +-1
    inputs: else the model's forward is not its modules in order."""
    g = torch.Generator().manual_seed(seed)
    x = torch.where(torch.rand(64, f["w1"].shape[1], generator=g) > 0.5, 1.0, -1.0)
    with torch.no_grad():
        want = model(x.to(_dtype(model))).double().numpy()
    h = np.where(x.double().numpy() @ f["w1"].T > f["t1"], 1.0, -1.0)
    got = h @ f["w2"].T + f["b2"]
    if want.shape != got.shape:
        raise BadArgument(f"the model gives outputs of shape {want.shape}; its layers give {got.shape}")
    # A trailing (Log)Softmax changes the values but not the argmax.
    if not (np.array_equal(np.argmax(want, 1), np.argmax(got, 1)) or np.allclose(want, got, rtol=1e-4, atol=1e-4)):
        raise BadArgument("the model's forward does not compute its modules in order (Linear, [BatchNorm1d], sign, "
                          "Linear): give an nn.Sequential")


def from_torch(model: nn.Module, wbits: int = 8) -> LayeredNet:
    """A trained model (``nn.Sequential(Linear(I, H), [BatchNorm1d(H)], sign,
    Linear(H, O), [Softmax])``, trained on inputs +-1 as ``binarize`` makes them)
    as the chip's layered network, WBITS-bit codes: ``fold`` (batch norm into the
    thresholds, one scale per hidden row), then the project's quantizer
    (``LayeredNet.quantize``). ``info`` of the result holds the fold's row scales."""
    was_training = model.training
    model.eval()
    try:
        f = fold(model)
        _check_fold(model, f)
    finally:
        model.train(was_training)
    net = LayeredNet.quantize(f["w1"], f["t1"], f["w2"], f["b2"], wbits)
    net.info = dict(source="torch", row_scale=f["row_scale"], wbits=wbits)
    return net


def torch_predict(model: nn.Module, images, batch: int = 4096) -> np.ndarray:
    """The float model's labels (argmax of its outputs, eval mode) on binarized images."""
    x = binarize(images).to(_dtype(model))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return np.concatenate([model(x[k:k + batch]).argmax(1).numpy() for k in range(0, len(x), batch)]
                                  ) if len(x) else np.zeros(0, np.int64)
    finally:
        model.train(was_training)


def torch_to_chip(model: nn.Module, chip: Chip, images, labels, wbits: Optional[int] = None) -> dict:
    """One call: the trained model to the chip's layered network (``from_torch``,
    WBITS the chip's unless given), loaded on ``chip``, every image classified on
    it; the float model, the host's integer model and the chip side by side.

    Returns accuracies (0..1) ``float_accuracy``, ``host_accuracy`` (the integer
    network on the host), ``chip_accuracy``; ``chip_agrees_with_host`` (images
    with the same label), ``scores_equal`` (the chip's output sums are the host's
    exactly), ``float_agrees_with_chip``, the labels of each, the ``net``, and
    timings."""
    labels = np.asarray(labels)
    if labels.shape != (len(images),):
        raise BadArgument(f"labels has shape {labels.shape}; want ({len(images)},)")
    t0 = time.perf_counter()
    net = from_torch(model, chip.params.wbits if wbits is None else wbits)
    convert = time.perf_counter() - t0
    t0 = time.perf_counter()
    float_labels = torch_predict(model, images)
    float_seconds = time.perf_counter() - t0
    r = net.evaluate(chip, images, labels)
    return dict(float_accuracy=float(np.mean(float_labels == labels)) if len(labels) else 0.0,
                host_accuracy=r["host_accuracy"], chip_accuracy=r["chip_accuracy"],
                chip_agrees_with_host=r["chip_agrees_with_host"], scores_equal=r["scores_equal"],
                float_agrees_with_chip=int(np.count_nonzero(float_labels == r["chip"].labels)), images=len(labels),
                overflow_events=r["overflow_events"], float_labels=float_labels, host_labels=r["host"].labels,
                chip_labels=r["chip"].labels, net=net, chip=chip.name, convert_seconds=convert,
                float_seconds=float_seconds, chip_seconds=r["chip"].wall_seconds,
                chip_images_per_second=len(labels) / r["chip"].wall_seconds if r["chip"].wall_seconds > 0 else 0.0)
