"""The PyTorch bridge: a sign network trained here on an MNIST slice learns, and
on the chip (the SystemC board and the reference model) gives the host
integer model's labels and output sums bit for bit; the fold of batch norm
(negative and zero gammas, biases) is exact; models that do not fit are named."""

import numpy as np
import pytest

import mind1024 as m

torch = pytest.importorskip("torch")
nn = torch.nn


@pytest.fixture(scope="module")
def mnist():
    try:
        train = m.load_mnist(part="train")
        test = m.load_mnist(part="test")
    except m.BadArgument as e:  # no data set up
        pytest.skip(str(e))
    return train, test


@pytest.fixture(scope="module")
def trained(mnist):
    """784-48-10 with batch norm, 3 epochs on 3000 images (a few seconds)."""
    (tx, ty), _ = mnist
    torch.manual_seed(3)
    torch.set_num_threads(1)  # small matrices: more threads only wait on each other (18 s against 0.4 s here)
    x, y = m.binarize(tx[:3000]), torch.from_numpy(ty[:3000].astype(np.int64))
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 48), nn.BatchNorm1d(48), m.Sign(), nn.Linear(48, 10))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(3):
        for idx in torch.randperm(len(x)).split(100):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
    return model


@pytest.mark.parametrize("backend", ["systemc", "reference"])
def test_python_torch_model_learns_and_chip_equals_host(trained, mnist, backend):
    _, (ex, ey) = mnist
    images, labels = ex[:300], ey[:300]
    with m.Chip(m.ChipParams(n_max=1024, wbits=8, abits=24), backend) as chip:
        r = m.torch_to_chip(trained, chip, images, labels)
    # Chance is 10%; this small network on 3000 images reaches about 85%.
    assert r["float_accuracy"] > 0.7, r["float_accuracy"]
    assert r["chip_accuracy"] > 0.7, r["chip_accuracy"]
    # 8-bit codes cost little against the float model.
    assert abs(r["chip_accuracy"] - r["float_accuracy"]) < 0.05
    assert r["chip_agrees_with_host"] == 300 and r["scores_equal"]
    assert np.array_equal(r["chip_labels"], r["host_labels"])
    assert r["overflow_events"] == 0
    assert r["net"].layers == (784, 48, 10) and r["net"].wbits == 8


def test_python_torch_hidden_states_on_chip_equal_host(trained, mnist):
    _, (ex, _) = mnist
    net = m.from_torch(trained, wbits=6)
    with m.Chip(m.ChipParams(n_max=1024, wbits=6, abits=20)) as chip:
        net.load_on(chip)
        on_chip = net.classify(chip, ex[:50].reshape(50, 784), hidden=True)
    host = net.predict(ex[:50])
    assert np.array_equal(on_chip.hidden, host.hidden) and np.array_equal(on_chip.scores, host.scores)
    assert np.abs(net.arrays()["w1"]).max() == 31  # every row on the full 6-bit range


def random_bn_model(seed, hidden=24, inputs=40, bias=True, affine=True):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(inputs, hidden, bias=bias), nn.BatchNorm1d(hidden, affine=affine), m.Sign(),
                          nn.Linear(hidden, 5))
    bn = model[1]
    with torch.no_grad():
        bn.running_mean.uniform_(-2, 2)
        bn.running_var.uniform_(0.5, 3)
        if affine:
            bn.weight.uniform_(-1.5, 1.5)
            bn.weight[:6] = -bn.weight[:6].abs()  # negative gammas: rows negated
            bn.weight[6] = 0.0                     # a constant unit
            bn.bias.uniform_(-1, 1)
            bn.bias[6] = 0.3
    return model.eval()


@pytest.mark.parametrize("bias,affine", [(True, True), (False, True), (True, False)])
def test_python_torch_fold_is_exact(bias, affine):
    """At 16 bits the integer network makes the float model's decisions: every
    hidden state of 2000 random inputs equal, every label equal."""
    from mind1024._torch import fold
    model = random_bn_model(5, bias=bias, affine=affine)
    rng = np.random.default_rng(2)
    pixels = rng.integers(0, 256, size=(2000, 40), dtype=np.uint8)
    x = m.binarize(pixels)
    with torch.no_grad():
        want_h = model[2](model[1](model[0](x))).numpy()
        want = model(x).argmax(1).numpy()
    f = fold(model)
    assert np.array_equal(np.where(x.double().numpy() @ f["w1"].T > f["t1"], 1.0, -1.0), want_h)
    net = m.from_torch(model, wbits=16)
    host = net.predict(pixels)
    assert np.mean(host.hidden == want_h) > 0.999
    assert np.mean(host.labels == want) > 0.995
    if affine:
        assert (host.hidden[:, 6] == 1).all()  # gamma 0, beta > 0: always fires


def test_python_torch_nested_double_and_log_softmax():
    """Nested Sequentials, a float64 model and a trailing LogSoftmax convert too,
    with the plain model's labels."""
    plain = random_bn_model(9)
    nested = nn.Sequential(nn.Sequential(plain[0], plain[1]), nn.Dropout(0.5), plain[2],
                           nn.Sequential(plain[3], nn.LogSoftmax(dim=1))).double().eval()
    pixels = np.random.default_rng(3).integers(0, 256, size=(500, 40), dtype=np.uint8)
    want = m.from_torch(random_bn_model(9), wbits=8).predict(pixels).labels
    assert np.array_equal(m.from_torch(nested, wbits=8).predict(pixels).labels, want)
    assert np.mean(m.torch_predict(nested, pixels) == want) > 0.97


def test_python_torch_models_that_do_not_fit_are_named():
    with pytest.raises(m.BadArgument, match=r"module 2 \(ReLU\)"):
        m.from_torch(nn.Sequential(nn.Linear(8, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2)))
    with pytest.raises(m.BadArgument, match="sign"):
        m.from_torch(nn.Sequential(nn.Linear(8, 4), nn.Linear(4, 2)))
    with pytest.raises(m.BadArgument, match="running statistics"):
        m.from_torch(nn.Sequential(nn.Linear(8, 4), nn.BatchNorm1d(4, track_running_stats=False), m.Sign(),
                                   nn.Linear(4, 2)))

    class Skip(nn.Module):  # its forward is not its modules in order
        def __init__(self):
            super().__init__()
            self.fc1, self.act, self.fc2 = nn.Linear(8, 4), m.Sign(), nn.Linear(4, 2)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x))) + 10 * x[:, :2]

    with pytest.raises(m.BadArgument, match="forward"):
        m.from_torch(Skip())
    too_big = nn.Sequential(nn.Linear(784, 300), m.Sign(), nn.Linear(300, 10))
    net = m.from_torch(too_big)
    with pytest.raises(m.BadArgument, match="N_MAX"):
        net.fits(m.ChipParams(n_max=1024))


def test_python_layered_net_roundtrip_and_chip_checks(tmp_path):
    """LayeredNet from integer arrays: saved and loaded (the CLI's layout), a
    weight beyond WBITS named, a chip that does not hold it refused."""
    rng = np.random.default_rng(4)
    w1 = rng.integers(-127, 128, size=(6, 16))
    t1 = rng.integers(-50, 50, size=6)
    w2 = rng.integers(-127, 128, size=(3, 6))
    b2 = rng.integers(-9, 9, size=3)
    net = m.LayeredNet(w1, t1, w2, b2, wbits=8)
    net.save(tmp_path / "net")
    back = m.LayeredNet.load(tmp_path / "net")
    for k, v in back.arrays().items():
        assert np.array_equal(v, dict(w1=w1, t1=t1, w2=w2, b2=b2)[k]), k
    bad = w1.copy()
    bad[2, 3] = 128
    with pytest.raises(m.BadArgument, match=r"w1.*\[2, 3\].*128"):
        m.LayeredNet(bad, t1, w2, b2, wbits=8)
    with pytest.raises(TypeError, match="quantize"):
        m.LayeredNet(w1 * 0.5, t1, w2, b2)
    images = rng.integers(0, 256, size=(20, 4, 4), dtype=np.uint8)
    with m.Chip(m.ChipParams(n_max=32, wbits=8)) as chip:
        with pytest.raises(m.ChipError, match="load it first"):
            net.classify(chip, images)
        net.load_on(chip)
        assert np.array_equal(net.classify(chip, images).scores, net.predict(images).scores)
        chip.reset()
        with pytest.raises(m.ChipError, match="load it first"):
            net.classify(chip, images)
        with pytest.raises(m.BadArgument, match="WBITS=4"):
            net.fits(m.ChipParams(n_max=32, wbits=4))


def test_python_torch_saved_net_runs_in_the_cli(trained, mnist, tmp_path):
    """The saved network is the project's layout: `mind1024 layered --net` (the
    SystemC board in its own process, no socket) labels the images as the
    module's chip does."""
    import csv
    import os
    import subprocess
    cli = os.environ.get("MIND1024_CLI")
    if not cli or not os.path.exists(cli):
        pytest.skip("MIND1024_CLI (the mind1024 program) not given")
    _, (ex, ey) = mnist
    net = m.from_torch(trained, wbits=8)
    net.save(tmp_path / "net", accuracy=dict(float=0.0))
    data = ["--data", os.environ["MIND1024_DATA"]] if os.environ.get("MIND1024_DATA") else []  # else its default
    subprocess.run([cli, "layered", "--net", str(tmp_path / "net"), *data, "--limit", "200", "--out",
                    str(tmp_path / "out"), "--no-progress"], check=True, capture_output=True)
    with open(tmp_path / "out" / "predictions.csv") as f:
        rows = list(csv.DictReader(f))
    with m.Chip(m.ChipParams(), "systemc") as chip:
        net.load_on(chip)
        ours = net.classify(chip, ex[:200])
    assert [int(r["chip_label"]) for r in rows] == ours.labels.tolist()
    assert [int(r["true_label"]) for r in rows] == ey[:200].tolist()
