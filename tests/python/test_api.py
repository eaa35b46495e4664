"""The API's names and behaviour: ChipParams from the parameter table, the
issue's example as written, RunResult, two chips of different parameters in
one session, the GIL released during runs, the float twin."""

import pickle
import pydoc
import threading
import time

import numpy as np
import pytest

import mind1024 as m
from conftest import random_network


def test_the_names():
    for name in ("ChipParams", "Chip", "FloatTwin", "RunResult", "RunBatch", "Classification", "BadArgument",
                 "ChipError", "BusError", "BusyError", "BoardError"):
        assert hasattr(m, name), name
    assert set(m.__all__) <= set(dir(m))


def test_chip_params_follow_the_table():
    table = m.chip_parameters()
    assert [k["member"] for k in table] == ["n_max", "wbits", "abits", "lanes", "latency", "clock_hz", "protect"]
    p = m.ChipParams()
    for k in table:
        assert getattr(p, k["member"]) == k["default"]
        doc = getattr(m.ChipParams, k["member"]).__doc__
        assert k["name"] in doc and k["help"] in doc
    p = m.ChipParams(n_max=1024, wbits=8, abits=24, lanes=16, latency=5, clock_hz=2e7)
    assert p == m.ChipParams() and p != m.ChipParams(wbits=4)
    assert isinstance(p.n_max, int) and isinstance(p.clock_hz, float)
    assert repr(p) == "ChipParams(n_max=1024, wbits=8, abits=24, lanes=16, latency=5, clock_hz=20000000.0, protect=0)"
    assert eval(repr(p), {"ChipParams": m.ChipParams}) == p
    q = m.ChipParams(wbits=np.int64(5), clock_hz=1e6)
    q.lanes = 7
    assert q.to_dict() == dict(n_max=1024, wbits=5, abits=24, lanes=7, latency=5, clock_hz=1e6, protect=0)
    assert pickle.loads(pickle.dumps(q)) == q
    assert "WBITS=5" in q.describe()
    assert hash(q) == hash(m.ChipParams(**q.to_dict()))


def test_the_issue_example():
    n = 64
    rng = np.random.default_rng(0)
    W = rng.integers(-20, 21, size=(n, n))
    W = W + W.T
    np.fill_diagonal(W, 0)
    T = np.zeros(n, dtype=np.int64)
    S = rng.choice([-1, 1], size=n)
    C = np.zeros(n, dtype=bool)
    p = m.ChipParams(n_max=1024, wbits=8, abits=24, lanes=16, latency=5, clock_hz=2e7)
    chip = m.Chip(p, backend="reference")
    chip.load_weights(W)
    chip.load_thresholds(T)
    chip.set_state(S)
    chip.set_clamp(C)
    r = chip.run(order="async", max_sweeps=10, n_active=n, wrap=False, noise=0, seed=1)
    r.sweeps, r.flips, r.cycles, r.overflows, r.converged, r.cycle2
    assert chip.state.shape == (1024,) and chip.fields().shape == (1024,)
    chip.close()
    with m.Chip(p, backend="reference") as chip:
        chip.load_weights(W)
    assert chip.closed


def test_run_result():
    with m.Chip(m.ChipParams(n_max=32)) as chip:
        w, t, s, c = random_network(np.random.default_rng(4), chip.params)
        chip.load_weights(w)
        chip.set_state(s)
        r = chip.run(order="sync", max_sweeps=50)
    d = r.to_dict()
    assert set(d) == {"sweeps", "flips", "cycles", "overflows", "converged", "cycle2", "sim_seconds"}
    assert r.converged or r.cycle2 or r.sweeps == 50
    assert r.cycles > 0 and r.sim_seconds == pytest.approx(r.cycles / 2e7)
    assert repr(r).startswith("RunResult(sweeps=")
    with pytest.raises(AttributeError):
        r.sweeps = 3


def test_n_active_defaults_to_the_loaded_matrix():
    with m.Chip(m.ChipParams(n_max=64)) as chip:
        chip.load_weights(np.zeros((20, 20), dtype=np.int8))
        r20 = chip.run(order="sync", max_sweeps=1)
        r64 = chip.run(order="sync", max_sweeps=1, n_active=64)
    assert r64.cycles > r20.cycles


def test_two_chips_of_different_parameters(chips):
    """Several chips, of different parameters and backends, in one session,
    used in turns: each keeps its own network."""
    made = []
    for backend in ("reference", "systemc"):
        for params in (dict(n_max=24, wbits=4), dict(n_max=40, wbits=12, abits=30)):
            p = m.ChipParams(**params)
            w, t, s, c = random_network(np.random.default_rng(params["n_max"]), p)
            chip = chips(backend, **params)
            chip.load_weights(w)
            chip.load_thresholds(t)
            made.append((backend, chip, w, s))
    results = {}
    for backend, chip, w, s in made:
        np.testing.assert_array_equal(chip.read_weights(), w)
        chip.set_state(s)
        r = chip.run(order="async", max_sweeps=20)
        results.setdefault(chip.params.n_max, []).append((r, chip.state.copy()))
    for n, ((ra, sa), (rb, sb)) in results.items():
        assert ra == rb
        np.testing.assert_array_equal(sa, sb)


def test_gil_is_released(chips):
    """A long run in one thread leaves the interpreter to another: a Python
    thread counting meanwhile makes progress, and two chips run in parallel."""
    chip = chips(n_max=1024, lanes=1)
    chip.load_weights(np.random.default_rng(1).integers(-3, 4, size=(1024, 1024)))
    states = np.random.default_rng(2).choice(np.array([-1, 1], dtype=np.int8), size=(8, 1024))
    t0 = time.perf_counter()
    chip.run_many(states, order="sync", max_sweeps=3)
    alone = time.perf_counter() - t0
    states = np.repeat(states, int(np.ceil(0.3 / alone)), axis=0)  # about 0.3 s
    t0 = time.perf_counter()
    chip.run_many(states, order="sync", max_sweeps=3)
    alone = time.perf_counter() - t0
    ticks = 0
    done = threading.Event()

    def runner():
        chip.run_many(states, order="sync", max_sweeps=3)
        done.set()

    th = threading.Thread(target=runner)
    th.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    th.join()
    assert ticks >= 10, f"the interpreter was blocked during the run ({ticks} ticks in {alone:.2f} s)"


def test_float_twin_matches_a_chip_without_overflow():
    """Integer weights in a wide accumulator: the twin's dynamics are the chip's."""
    p = m.ChipParams(n_max=48, wbits=6, abits=32)
    w, t, s, c = random_network(np.random.default_rng(8), p)
    twin = m.FloatTwin(w.astype(np.float64), t.astype(np.float32))
    assert twin.n == 48
    with m.Chip(p) as chip:
        chip.load_weights(w)
        chip.load_thresholds(t)
        # (The twin's noise is the exact draw * TEMP / 32768, not the chip's
        # floored shift: with TEMP > 0 they may part; TEMP 0 draws the same permutations.)
        for order, noise in (("sync", None), ("async", None), ("perm", 0)):
            for x in (chip, twin):
                x.set_state(s)
                x.set_clamp(c)
            rc = chip.run(order=order, max_sweeps=15, noise=noise, seed=5)
            rt = twin.run(order=order, max_sweeps=15, noise=noise, seed=5)
            assert (rc.sweeps, rc.flips, rc.converged, rc.cycle2) == (rt.sweeps, rt.flips, rt.converged, rt.cycle2)
            assert rt.cycles == 0 and rt.overflows == 0
            np.testing.assert_array_equal(chip.state, twin.state)
            assert twin.fields().dtype == np.float64
            np.testing.assert_array_equal(chip.fields()[~c], twin.fields()[~c])
        states = np.random.default_rng(9).choice([-1, 1], size=(10, 48))
        a, b = chip.run_many(states, max_sweeps=9), twin.run_many(states, max_sweeps=9)
        np.testing.assert_array_equal(a.states, b.states)
        ca, cb = chip.classify(states, 40, 4, 2), twin.classify(states, 40, 4, 2)
        np.testing.assert_array_equal(ca.labels, cb.labels)
    e = twin.energy()
    x = twin.state.astype(float)
    assert e == pytest.approx(-0.5 * x @ w @ x + t @ x, rel=1e-6)
    assert ca.accuracy(ca.labels) == 1.0


def test_tied_label_sums_go_to_the_largest_prototype_field():
    """Pixels 0..3 clamped, prototypes 4 (class 0) and 5 (class 1) always on,
    one label neuron each: the sums always tie; pixel 0 feeds prototype 4,
    pixel 1 prototype 5. The chip and the twin break the tie alike."""
    p = m.ChipParams(n_max=8, wbits=8, abits=24)
    w = np.zeros((8, 8), dtype=np.int16)
    for i, j, v in ((6, 4, 10), (7, 5, 10), (4, 0, 5), (5, 1, 5)):
        w[i, j] = w[j, i] = v
    t = np.array([0, 0, 0, 0, -1000, -1000, 0, 0], dtype=np.int32)
    clamp = np.array([1, 1, 1, 1, 0, 0, 0, 0], dtype=bool)
    states = np.full((3, 8), -1, dtype=np.int8)
    states[0, 0] = states[1, 1] = states[2, 0] = states[2, 1] = 1
    twin = m.FloatTwin(w.astype(np.float64), t.astype(np.float32))
    twin.set_clamp(clamp)
    with m.Chip(p) as chip:
        chip.load_weights(w)
        chip.load_thresholds(t)
        chip.set_clamp(clamp)
        for x in (chip, twin):
            by_protos = x.classify(states, first_label=6, classes=2, protos=2)
            assert by_protos.labels.tolist() == [0, 1, 0] and by_protos.tied.all()
            assert x.classify(states, first_label=6, classes=2).labels.tolist() == [0, 0, 0]
        with pytest.raises(m.BadArgument):
            chip.classify(states, first_label=6, classes=2, protos=7)


def test_help_reads():
    text = pydoc.render_doc(m.Chip, renderer=pydoc.plaintext)
    for word in ("load_weights", "WBITS", "run_many", "classify", "systemc", "mind-board"):
        assert word in text
    assert "n_max" in pydoc.render_doc(m.ChipParams, renderer=pydoc.plaintext)
    assert m.Chip.run.__doc__ and m.FloatTwin.__doc__ and m.__doc__
