"""The MNIST classifier from Python equals `mind1024 mnist`: the same training
(the saved classifier's weights), and on the same test images the same chip
and float predictions, on the reference model and the SystemC board."""

import json
import os
import subprocess

import numpy as np
import pytest

import mind1024 as m

CLI = os.environ.get("MIND1024_CLI")
SETTINGS = dict(protos_per_class=8, tune_epochs=2, attractor_epochs=1)
TRAIN, TEST = 3000, 400


@pytest.fixture(scope="module")
def data():
    try:
        return m.load_mnist(part="train"), m.load_mnist(part="test")
    except m.BadArgument as e:
        pytest.skip(f"no MNIST: {e}")


@pytest.fixture(scope="module")
def job(tmp_path_factory, data):
    if not CLI or not os.path.exists(CLI):
        pytest.skip("MIND1024_CLI (the mind1024 program) not given")
    d = tmp_path_factory.mktemp("mnist")
    subprocess.run([CLI, "mnist", "--limit", str(TEST), "--train-limit", str(TRAIN), "--protos", "8", "--tune-epochs",
                    "2", "--attractor-epochs", "1", "--no-progress", "--examples", "0", "--save-net", str(d / "net"),
                    "--out", str(d / "out")], check=True, capture_output=True)
    rows = [l.split(",") for l in (d / "out" / "predictions.csv").read_text().splitlines()[1:]]
    return d / "net", np.array([[int(x) for x in r[:4]] for r in rows]), json.loads((d / "out" / "mnist.json").read_text())


def test_training_equals_the_job(data, job):
    (train_x, train_y), _ = data
    mine = m.Classifier.train(train_x[:TRAIN], train_y[:TRAIN], **SETTINGS)
    saved = m.Classifier.load(job[0])
    for a, b in zip(mine.float_network(), saved.float_network()):
        np.testing.assert_array_equal(a, b)
    assert mine.layout == saved.layout and mine.settings == saved.settings
    assert mine.layout["first_label"] + 10 * mine.layout["reps"] <= 1024


@pytest.mark.parametrize("backend", ["reference", "systemc"])
def test_evaluation_equals_the_job(data, job, backend):
    _, (test_x, test_y) = data
    net, predictions, summary = job
    clf = m.Classifier.load(net)
    with m.Chip(m.ChipParams(), backend) as chip:
        r = clf.evaluate(chip, test_x[:TEST], test_y[:TEST])
    np.testing.assert_array_equal(r["predicted"], predictions[:, 2])
    np.testing.assert_array_equal(r["float_predicted"], predictions[:, 3])
    assert r["accuracy"] == pytest.approx(100.0 * np.mean(predictions[:, 2] == predictions[:, 1]))
    assert r["accuracy"] > 70 and r["confusion"].sum() == TEST
    assert r["quantization"]["scale"] > 0


def test_states_and_errors(data, job):
    _, (test_x, _) = data
    clf = m.Classifier.load(job[0])
    s = clf.states(test_x[:5])
    lay = clf.layout
    assert s.shape == (5, lay["n"]) and s.dtype == np.int8
    assert (s[:, lay["pixels"]:] == -1).all()
    with pytest.raises(TypeError):
        clf.states(test_x[:5].astype(np.float32))
    with pytest.raises(m.BadArgument):
        m.Classifier.load(str(job[0]) + "-missing")
    with pytest.raises(m.BadArgument, match="protos_per_klass|protos"):
        m.Classifier.train(test_x[:100], np.zeros(100, dtype=np.uint8), protos_per_klass=3)
