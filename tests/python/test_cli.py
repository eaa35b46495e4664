"""The module and `mind1024 run` agree: the same .npy inputs give the same
state, fields and counters, on the reference model and the SystemC chip."""

import json
import os
import subprocess

import numpy as np
import pytest

import mind1024 as m
from conftest import random_network

CLI = os.environ.get("MIND1024_CLI")
pytestmark = pytest.mark.skipif(not CLI or not os.path.exists(CLI), reason="MIND1024_CLI (the mind1024 program) not given")

CASES = [
    # params, n (< N_MAX: the CLI runs n neurons), order, noise, wrap
    (dict(n_max=64, wbits=8, abits=12, lanes=16), 64, "sync", None, False),
    (dict(n_max=64, wbits=8, abits=12, lanes=16), 50, "async", 200, True),
    (dict(n_max=40, wbits=5, abits=24, lanes=7), 33, "perm", 0, False),
    (dict(n_max=40, wbits=16, abits=18, lanes=16), 40, "perm", 5000, True),
]


def cli_run(tmp, params, model, w, t, s, c, order, noise, wrap, seed, max_sweeps):
    for name, a in (("W", w), ("T", t), ("S", s), ("C", c)):
        np.save(tmp / f"{name}.npy", a)
    out = tmp / f"out-{model}"
    cmd = [CLI, "run", "--weights", str(tmp / "W.npy"), "--thresholds", str(tmp / "T.npy"), "--state",
           str(tmp / "S.npy"), "--clamp", str(tmp / "C.npy"), "--order", order, "--max-sweeps", str(max_sweeps),
           "--seed", str(seed), "--out", str(out), "--model", model]
    for k in m.chip_parameters():
        if k["member"] in params:
            cmd += ["--" + k["option"], str(params[k["member"]])]
    if noise is not None:
        cmd += ["--noise", str(noise)]
    if wrap:
        cmd += ["--wrap"]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return (np.load(out / "state.npy"), np.load(out / "fields.npy"),
            json.loads((out / "counters.json").read_text()))


@pytest.mark.parametrize("params,n,order,noise,wrap", CASES)
def test_module_equals_mind1024_run(tmp_path, chips, params, n, order, noise, wrap):
    rng = np.random.default_rng(n)
    p = m.ChipParams(**params)
    w, t, s, c = random_network(rng, p, n=n)
    seed = 77
    expected = cli_run(tmp_path, params, "reference", w, t, s, c, order, noise, wrap, seed, 20)
    sc = cli_run(tmp_path, params, "systemc", w, t, s, c, order, noise, wrap, seed, 20)
    np.testing.assert_array_equal(sc[0], expected[0])
    np.testing.assert_array_equal(sc[1], expected[1])
    for backend in ("reference", "systemc"):
        chip = chips(backend, **params)  # reset: as the CLI's soft reset before loading
        chip.load_weights(w)
        chip.load_thresholds(t)
        chip.set_state(s)
        chip.set_clamp(c)
        r = chip.run(order=order, max_sweeps=20, wrap=wrap, noise=noise, seed=seed)
        np.testing.assert_array_equal(chip.state[:n], expected[0], err_msg=backend)
        np.testing.assert_array_equal(chip.fields(0, n), expected[1], err_msg=backend)
        counters = expected[2]
        assert (r.sweeps, r.flips, r.cycles, r.overflows, r.converged, r.cycle2) == (
            counters["sweeps"], counters["flips"], counters["cycles"], counters["overflow_events"],
            counters["converged"], counters["cycle2"]), backend
