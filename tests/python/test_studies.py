"""The studies from Python: the fault campaign equals `mind1024 faults` on the
same classifier and images, on the engine and the reference model alike; a
design point equals `mind1024 dse` on the same space; bad input is refused."""

import json
import os
import subprocess

import numpy as np
import pytest

import mind1024 as m

CLI = os.environ.get("MIND1024_CLI")
TRAIN, TEST = 1500, 120
KINDS, RATES = ["syn", "neuron", "acc"], [0.0, 0.01, 0.2]


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    if not CLI or not os.path.exists(CLI):
        pytest.skip("MIND1024_CLI (the mind1024 program) not given")
    try:
        train, test = m.load_mnist(part="train"), m.load_mnist(part="test")
    except m.BadArgument as e:
        pytest.skip(f"no MNIST: {e}")
    d = tmp_path_factory.mktemp("faults")
    subprocess.run([CLI, "mnist", "--limit", "1", "--train-limit", str(TRAIN), "--protos", "4", "--tune-epochs", "1",
                    "--attractor-epochs", "0", "--no-progress", "--examples", "0", "--no-float", "--save-net",
                    str(d / "net"), "--out", str(d / "train")], check=True, capture_output=True)
    return d, m.Classifier.load(d / "net"), test


def test_fault_campaign_equals_the_command(net):
    d, clf, (x, y) = net
    subprocess.run([CLI, "faults", "--net", str(d / "net"), "--limit", str(TEST), "--kinds", *KINDS, "--rates",
                    *map(str, RATES), "--patterns", "10", "--probes", "5", "--model", "engine", "--no-progress",
                    "--out", str(d / "faults")], check=True, capture_output=True)
    rows = json.loads((d / "faults" / "faults.json").read_text())["points"]
    got = {}
    for backend in ("engine", "reference"):
        with m.Chip(m.ChipParams(), backend) as chip:
            got[backend] = clf.fault_campaign(chip, x[:TEST], y[:TEST], kinds=KINDS, rates=RATES, patterns=10,
                                              probes=5)
    a, b = got["engine"], got["reference"]
    for k in ("rate", "sites", "mnist_chip", "mnist_float", "recall_chip", "recall_float"):
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)
    assert a["kind"] == [r["kind"] for r in rows] and a["spec"] == [r["spec"] for r in rows]
    np.testing.assert_allclose(a["mnist_chip"], [r["mnist_chip"] for r in rows], atol=1e-6)
    np.testing.assert_allclose(a["recall_chip"], [r["recall_overlap_chip"] for r in rows], atol=1e-6)
    np.testing.assert_array_equal(a["sites"], [r["faulty_sites"] for r in rows])
    # Not vacuous: the clean points agree with each other, the heavy faults cost accuracy.
    clean = a["mnist_chip"][a["rate"] == 0]
    assert np.all(clean == clean[0]) and clean[0] > 0.5
    assert a["mnist_chip"][a["rate"] == 0.2].min() < clean[0]


def test_fault_campaign_refuses(net):
    _, clf, (x, y) = net
    with m.Chip(m.ChipParams(), "engine") as chip:
        with pytest.raises(m.BadArgument, match="fault kind 'gamma'"):
            clf.fault_campaign(chip, x[:4], y[:4], kinds=["gamma"])
        with pytest.raises(m.BadArgument, match="rate 2"):
            clf.fault_campaign(chip, x[:4], y[:4], rates=[2.0])
        with pytest.raises(m.BadArgument, match="4 images but 3 labels"):
            clf.fault_campaign(chip, x[:4], y[:3])
    with m.Chip(m.ChipParams(), "systemc") as chip:
        with pytest.raises(m.BadArgument, match="use backend='engine'"):
            clf.fault_campaign(chip, x[:4], y[:4], rates=[0.0], kinds=["syn"])


SPACE = {"workload": {"net": "hopfield", "train_images": 600, "test_images": 40, "seed": 1, "protos": 4,
                      "tune_epochs": 1, "attractor_epochs": 0},
         "space": {"wbits": [4], "abits": [14], "lanes": [4], "order": ["async"], "overflow": ["saturate"]}}


def test_design_point_equals_the_command(net, tmp_path):
    cache = os.environ.get("MIND1024_TEST_CACHE") or str(tmp_path / "cache")
    row = m.design_point(workload=SPACE["workload"], wbits=4, abits=14, lanes=4, out=str(tmp_path / "py"), cache=cache)
    (tmp_path / "space.json").write_text(json.dumps({"format": "mind1024-dse/1", **SPACE}))
    subprocess.run([CLI, "dse", str(tmp_path / "space.json"), "--out", str(tmp_path / "cli"), "--cache", cache,
                    "--no-progress"], check=True, capture_output=True)
    cli = m._studies._read_csv(str(tmp_path / "cli" / "points.csv"))
    assert len(cli) == 1
    for k in ("wbits", "abits", "lanes", "accuracy", "accuracy_float", "cycles_per_image", "area_cells",
              "energy_pj_per_image", "memory_bits", "reference_agrees"):
        assert row[k] == cli[0][k], k
    assert row["reference_agrees"] == 1 and 0 < row["accuracy"] <= 1 and row["area_cells"] > 0


def test_explore_columns_and_errors(net, tmp_path):
    cache = os.environ.get("MIND1024_TEST_CACHE") or str(tmp_path / "cache")
    space = {**SPACE, "space": {**SPACE["space"], "lanes": [4, 16]}}
    e = m.explore(space, out=str(tmp_path / "x"), cache=cache)
    assert len(e) == 2 and e.columns["lanes"].tolist() == [4.0, 16.0]
    assert e.columns["cycles_per_image"][0] > e.columns["cycles_per_image"][1]  # fewer lanes, more cycles
    assert e.front and all(0 <= i < 2 for i in e.front) and "points" in e.summary
    with pytest.raises(m.BadArgument, match="wbits"):
        m.explore({**SPACE, "space": {"wbits": [99]}}, out=str(tmp_path / "bad"))
    with pytest.raises(m.BadArgument, match="order"):
        m.design_point(order="backwards")
