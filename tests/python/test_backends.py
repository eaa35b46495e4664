"""The reference model, the run engine and the SystemC board (firmware and bare
mode) agree bit for bit on random networks: orders, WBITS, wrap, noise, clamps,
n_active."""

import itertools

import numpy as np
import pytest

import mind1024 as m
from conftest import random_network

# (n_max, wbits, abits, lanes): a short last group (40 / 16), narrow weights,
# a narrow accumulator that overflows, wide weights.
PARAMS = [
    dict(n_max=40, wbits=8, abits=12, lanes=16),
    dict(n_max=64, wbits=4, abits=24, lanes=16),
    dict(n_max=48, wbits=16, abits=20, lanes=5),
]
ORDERS = ["sync", "async", "perm"]
NOISE = [None, 0, 300]


def cases():
    rng = np.random.default_rng(19)
    for k, (params, order, noise, wrap) in enumerate(itertools.product(PARAMS, ORDERS, NOISE, [False, True])):
        if rng.random() < 0.5 and not (noise is None and not wrap):
            continue  # a random half of the mixed cases keeps the suite short
        n_active = int(rng.integers(params["n_max"] // 2, params["n_max"] + 1))
        yield pytest.param(params, order, noise, wrap, n_active, 1000 + k,
                           id=f"n{params['n_max']}-w{params['wbits']}-a{params['abits']}-{order}-noise{noise}-"
                              f"{'wrap' if wrap else 'sat'}-act{n_active}")


def run_on(chip, w, t, s, c, **run):
    chip.load_weights(w)
    chip.load_thresholds(t)
    chip.set_state(s)
    chip.set_clamp(c)
    r = chip.run(**run)
    return r, chip.state.copy(), chip.fields().copy()


@pytest.mark.parametrize("params,order,noise,wrap,n_active,seed", list(cases()))
def test_reference_and_systemc_agree(chips, params, order, noise, wrap, n_active, seed):
    rng = np.random.default_rng(seed)
    p = m.ChipParams(**params)
    w, t, s, c = random_network(rng, p)
    run = dict(order=order, max_sweeps=12, n_active=n_active, wrap=wrap, noise=noise, seed=seed)
    ref = run_on(chips("reference", **params), w, t, s, c, **run)
    for backend, mode in (("engine", None), ("systemc", "firmware"), ("systemc", "bare")):
        got = run_on(chips(backend, mode, **params), w, t, s, c, **run)
        assert got[0] == ref[0], (backend, mode, got[0], ref[0])
        np.testing.assert_array_equal(got[1], ref[1], err_msg=mode)
        np.testing.assert_array_equal(got[2], ref[2], err_msg=mode)
    assert ref[0].sweeps >= 1


def test_the_cases_exercise_the_datapath(chips):
    """The random cases are not vacuous: overflows happen (and differ between
    wrap and saturate), noise changes runs, runs flip neurons."""
    overflowed = {False: 0, True: 0}
    flipped = 0
    for case in cases():
        params, order, noise, wrap, n_active, seed = case.values
        w, t, s, c = random_network(np.random.default_rng(seed), m.ChipParams(**params))
        r = run_on(chips("reference", **params), w, t, s, c, order=order, max_sweeps=12, n_active=n_active,
                   wrap=wrap, noise=noise, seed=seed)
        overflowed[wrap] += r[0].overflows > 0
        flipped += not np.array_equal(r[1][:n_active], s[:n_active])
    assert overflowed[False] >= 3 and overflowed[True] >= 3 and flipped >= 10, (overflowed, flipped)
    params = PARAMS[0]
    p = m.ChipParams(**params)
    w, t, s, c = random_network(np.random.default_rng(5), p)
    chip = chips("reference", **params)
    sat = run_on(chip, w, t, s, c, order="sync", max_sweeps=3, wrap=False)
    chip.reset()
    wrp = run_on(chip, w, t, s, c, order="sync", max_sweeps=3, wrap=True)
    assert sat[0].overflows > 0 and wrp[0].overflows > 0
    assert not np.array_equal(sat[2], wrp[2])
    chip.reset()
    quiet = run_on(chip, w, t, s, c, order="perm", max_sweeps=5, seed=3)
    chip.reset()
    noisy = run_on(chip, w, t, s, c, order="perm", max_sweeps=5, noise=2000, seed=3)
    assert not np.array_equal(quiet[1], noisy[1]) or quiet[0] != noisy[0]


def test_batches_equal_single_runs(chips):
    """run_many and classify are the single-state procedure, state k with seed + k,
    on every backend."""
    params = dict(n_max=64, wbits=8, abits=24, lanes=16)
    p = m.ChipParams(**params)
    rng = np.random.default_rng(7)
    w, t, _, _ = random_network(rng, p, n=50)
    states = rng.choice(np.array([-1, 1], dtype=np.int8), size=(300, 50))  # more than one chunk of 256
    run = dict(order="perm", max_sweeps=8, noise=100, seed=11)
    results = {}
    for backend, mode in (("reference", None), ("engine", None), ("systemc", "firmware"), ("systemc", "bare")):
        chip = chips(backend, mode, **params)
        chip.load_weights(w)
        chip.load_thresholds(t)
        many = chip.run_many(states, **run)
        cls = chip.classify(states, first_label=40, classes=5, reps=2, **run)
        results[(backend, mode)] = (many, cls)
        if backend == "reference":
            for k in (0, 1, 255, 256, 299):
                chip.set_state(states[k])
                r = chip.run(**{**run, "seed": run["seed"] + k})
                assert (many.sweeps[k], many.flips[k], many.cycles[k], many.overflows[k], many.converged[k],
                        many.cycle2[k]) == (r.sweeps, r.flips, r.cycles, r.overflows, r.converged, r.cycle2)
                np.testing.assert_array_equal(many.states[k], chip.state[:50])
                h = chip.fields(0, 50)
                np.testing.assert_array_equal(many.fields[k], h)
                sums = h[40:50].astype(np.int64).reshape(5, 2).sum(axis=1)
                assert cls.labels[k] == int(np.argmax(sums))
                assert cls.tied[k] == (np.count_nonzero(sums == sums.max()) > 1)
                assert cls.sweeps[k] == r.sweeps
    ref_many, ref_cls = results[("reference", None)]
    for key, (many, cls) in results.items():
        for f in ("states", "fields", "sweeps", "flips", "cycles", "overflows", "converged", "cycle2"):
            np.testing.assert_array_equal(getattr(many, f), getattr(ref_many, f), err_msg=f"{key} run_many {f}")
        for f in ("labels", "tied", "sweeps", "flips", "cycles", "overflows", "converged", "cycle2"):
            np.testing.assert_array_equal(getattr(cls, f), getattr(ref_cls, f), err_msg=f"{key} classify {f}")
    assert len(ref_many) == 300 and len(ref_cls) == 300


def test_faults_by_the_same_spec(chips):
    """faults= takes the CLI's SPEC; the reference model and the board process
    (mind-board --faults) inject the same faulty sites."""
    params = dict(n_max=32, wbits=8, abits=16, lanes=16)
    p = m.ChipParams(**params)
    w, t, s, c = random_network(np.random.default_rng(3), p)
    spec = "syn0=0.05,syn1=0.05,plus=0.1,seed=7"
    out = []
    clean = m.Chip(p)
    for backend in ("reference", "engine", "systemc"):
        with m.Chip(p, backend, faults=spec) as chip:
            assert chip.faults == m.parse_faults(spec)
            out.append(run_on(chip, w, t, s, c, order="async", max_sweeps=10))
            read_back = chip.read_weights()
    for other in out[1:]:
        assert out[0][0] == other[0]
        np.testing.assert_array_equal(out[0][1], other[1])
        np.testing.assert_array_equal(out[0][2], other[2])
    clean_run = run_on(clean, w, t, s, c, order="async", max_sweeps=10)
    assert not np.array_equal(read_back, w)  # stuck bits show in the stored weights
    assert not (np.array_equal(clean_run[1], out[0][1]) and np.array_equal(clean_run[2], out[0][2]))


def test_step_hebb_clear(chips):
    params = dict(n_max=32, wbits=4, abits=24, lanes=16)
    rng = np.random.default_rng(2)
    pattern = rng.choice(np.array([-1, 1]), size=32)
    got = []
    for backend in ("reference", "engine", "systemc"):
        chip = chips(backend, **params)
        chip.clear_synapses()
        assert not chip.read_weights(32).any()
        chip.set_state(pattern)
        chip.hebb(32)
        w = chip.read_weights(32)
        np.testing.assert_array_equal(w, np.outer(pattern, pattern) - np.eye(32, dtype=np.int64))
        probe = pattern.copy()
        probe[:6] *= -1
        chip.set_state(probe)
        r1 = chip.step(order="sync")
        c0 = chip.cycles
        got.append((r1, chip.state.copy(), c0))
    for other in got[1:]:
        assert got[0][0] == other[0] and got[0][2] == other[2]
        np.testing.assert_array_equal(got[0][1], other[1])
    np.testing.assert_array_equal(got[0][1], pattern)
