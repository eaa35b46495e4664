"""NumPy in and out: every integer dtype (int64 is NumPy's default), bool,
Fortran order, non-contiguous views, lists; inputs read in place (no NumPy
copy), outputs handed over without a copy."""

import gc
import tracemalloc

import numpy as np
import pytest

import mind1024 as m
from conftest import random_network

P = dict(n_max=48, wbits=8, abits=24, lanes=16)
DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]


def loaded(chip, w, t, s, c):
    chip.load_weights(w)
    chip.load_thresholds(t)
    chip.set_state(s)
    chip.set_clamp(c)
    r = chip.run(order="async", max_sweeps=10)
    return r, chip.read_weights(), chip.state.copy(), chip.fields().copy()


@pytest.fixture(scope="module")
def net():
    return random_network(np.random.default_rng(1), m.ChipParams(**P))


@pytest.fixture(scope="module")
def expected(net):
    with m.Chip(m.ChipParams(**P)) as chip:
        return loaded(chip, *net)


def same(a, b):
    assert a[0] == b[0]
    for x, y in zip(a[1:], b[1:]):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64])
def test_signed_dtypes(chips, net, expected, dtype):
    w, t, s, c = net
    t = np.clip(t, np.iinfo(dtype).min, np.iinfo(dtype).max) if dtype == np.int8 else t
    with m.Chip(m.ChipParams(**P)) as chip:
        ref = loaded(chip, w, t, s, c)
    same(loaded(chips(**P), w.astype(dtype), t.astype(dtype), s.astype(dtype), c.astype(dtype)), ref)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32, np.uint64])
def test_unsigned_dtypes(chips, dtype):
    # Non-negative weights and thresholds; the clamp mask as 0/1.
    rng = np.random.default_rng(3)
    w = rng.integers(0, 128, size=(48, 48))
    t = rng.integers(0, 256, size=48)  # fits uint8
    s = rng.choice([-1, 1], size=48)
    c = (rng.random(48) < 0.2).astype(np.int64)
    with m.Chip(m.ChipParams(**P)) as chip:
        ref = loaded(chip, w, t, s, c)
    same(loaded(chips(**P), w.astype(dtype), t.astype(dtype), s, c.astype(dtype)), ref)


def test_layouts(chips, net, expected):
    w, t, s, c = net
    same(loaded(chips(**P), np.asfortranarray(w), t, s, c), expected)
    # Non-contiguous views: every other row and column of a bigger array, reversed vectors.
    big = np.zeros((96, 96), dtype=np.int32)
    big[::2, ::2] = w
    t2 = np.zeros(96, dtype=np.int64)
    t2[1::2] = t
    s_rev = np.ascontiguousarray(s[::-1])[::-1]
    assert not big[::2, ::2].flags.c_contiguous and not big[::2, ::2].flags.f_contiguous
    same(loaded(chips(**P), big[::2, ::2], t2[1::2], s_rev, c[::-1][::-1]), expected)
    # Transposed (the matrix is symmetric), byte-swapped, lists.
    same(loaded(chips(**P), w.T, t.astype(">i4"), s.tolist(), c.tolist()), expected)


def test_bool_state_and_clamp(chips, net, expected):
    w, t, s, c = net
    assert c.dtype == np.bool_
    same(loaded(chips(**P), w, t, s > 0, c), expected)


def test_batch_layouts(chips, net):
    w, t, _, _ = net
    rng = np.random.default_rng(9)
    states = rng.choice(np.array([-1, 1]), size=(20, 48))
    chip = chips(**P)
    chip.load_weights(w)
    chip.load_thresholds(t)
    a = chip.run_many(states, max_sweeps=5)
    for variant in (np.asfortranarray(states), states.astype(np.int8), states > 0,
                    np.repeat(states, 2, axis=1)[:, ::2]):
        b = chip.run_many(variant, max_sweeps=5)
        np.testing.assert_array_equal(a.states, b.states)
        np.testing.assert_array_equal(a.fields, b.fields)
    assert a.states.dtype == np.int8 and a.fields.dtype == np.int32 and a.states.shape == (20, 48)
    assert a.converged.dtype == np.bool_ and a.cycles.dtype == np.uint64


def test_outputs(chips, net):
    w, t, s, c = net
    chip = chips(**P)
    chip.load_weights(w)
    chip.set_state(s)
    chip.run()
    st, h = chip.state, chip.fields()
    assert st.dtype == np.int8 and st.shape == (48,) and set(np.unique(st)) <= {-1, 1}
    assert h.dtype == np.int32 and h.shape == (48,)
    assert chip.fields(40).shape == (8,) and chip.fields(3, 4).shape == (4,)
    assert chip.read_weights().dtype == np.int16
    # Each call returns a fresh array the caller owns (writable, not shared with the chip).
    before = st.copy()
    st[:] = 0
    h[:] = 0
    np.testing.assert_array_equal(chip.state, before)
    assert st.flags.writeable and st.flags.owndata is False


def traced_peak(fn):
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak


def test_inputs_are_read_in_place(chips):
    """No NumPy conversion copy for any integer dtype or layout: a 1024 x 1024
    int64 matrix (8 MiB), its Fortran copy and a strided view load with far less
    than a copy's worth of traced (NumPy) allocations."""
    p = dict(n_max=1024, wbits=8, abits=24, lanes=16)
    chip = chips(**p)
    w = np.random.default_rng(0).integers(-128, 128, size=(1024, 1024))
    wf = np.asfortranarray(w)
    big = np.zeros((1024, 2048), dtype=np.int64)
    big[:, ::2] = w
    view = big[:, ::2]
    states = np.ones((256, 1024), dtype=np.int64)
    for arr in (w, wf, view):
        assert traced_peak(lambda: chip.load_weights(arr)) < 64 * 1024
    assert traced_peak(lambda: chip.set_state(states[0])) < 64 * 1024
    np.testing.assert_array_equal(chip.read_weights(), w)
    # A forced conversion would have cost at least one copy:
    assert traced_peak(lambda: np.ascontiguousarray(view).astype(np.int16)) > 1024 * 1024


def test_outputs_are_not_copied(chips):
    """Results are handed to NumPy as they are: the array's memory is the
    driver's vector, owned by a capsule (one allocation, no copy)."""
    chip = chips(n_max=1024)
    st = chip.state
    assert type(st.base).__name__ == "PyCapsule"
    assert type(chip.fields().base).__name__ == "PyCapsule"
    batch = chip.run_many(np.ones((3, 1024), dtype=np.int8), max_sweeps=1)
    assert type(batch.fields.base).__name__ == "PyCapsule"
