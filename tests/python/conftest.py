"""Shared fixtures: chips cached per (backend, mode, parameters) for the whole
session (a systemc chip is a board process: starting one per test would
dominate the run time), random networks."""

import numpy as np
import pytest

import mind1024 as m


@pytest.fixture(scope="session")
def chips():
    cache = {}

    def get(backend="reference", mode=None, **params):
        key = (backend, mode, tuple(sorted(params.items())))
        chip = cache.get(key)
        if chip is None or chip.closed:
            chip = m.Chip(m.ChipParams(**params), backend, mode=mode)
            cache[key] = chip
        chip.reset()
        return chip

    yield get
    for chip in cache.values():
        chip.close()


def random_network(rng, p, n=None, density=1.0):
    """Weights over the whole WBITS range (symmetric, zero diagonal: a stored
    pattern, so that fields are large enough to overflow a narrow accumulator,
    plus noise), thresholds, a state near the pattern and a clamp mask for n
    neurons (default N_MAX)."""
    n = p.n_max if n is None else n
    lo, hi = -(1 << (p.wbits - 1)), (1 << (p.wbits - 1)) - 1
    x = rng.choice(np.array([-1, 1]), size=n)
    w = 0.6 * hi * np.outer(x, x) + rng.uniform(-0.8 * hi, 0.8 * hi, size=(n, n))
    w = np.triu(w, 1)
    w = np.clip(np.rint(w + w.T), lo, hi).astype(np.int64) * (rng.random((n, n)) < density)
    np.fill_diagonal(w, 0)
    tmax = min((1 << (p.abits - 1)) - 1, 4 * hi)
    t = rng.integers(-tmax, tmax + 1, size=n)
    s = np.where(rng.random(n) < 0.3, -x, x)
    c = rng.random(n) < 0.15
    return w.astype(np.int64), t.astype(np.int64), s.astype(np.int64), c
