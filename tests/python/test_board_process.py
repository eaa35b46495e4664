"""The systemc backend's board process: one child per chip, ended by close()
and by `with`; a killed child becomes BoardError (and the interpreter goes on);
a board that cannot start is a BoardError naming why."""

import os
import signal

import numpy as np
import pytest

import mind1024 as m


def test_one_child_per_chip_ended_by_close():
    a = m.Chip(m.ChipParams(n_max=8), "systemc")
    b = m.Chip(m.ChipParams(n_max=16), "systemc")
    pa, pb = a.board_process, b.board_process
    assert pa.pid != pb.pid and pa.status() == pb.status() == "running"
    assert a.name.startswith("firmware/unix:")
    a.close()
    assert pa.proc.poll() is not None and not os.path.exists(pa.directory)
    assert pb.status() == "running"  # the other chip's board is untouched
    with b:
        b.load_weights(np.eye(16, dtype=np.int8))
    assert pb.proc.poll() == 0  # SIGTERM ends the serving loop cleanly


def test_killed_board_is_a_board_error():
    chip = m.Chip(m.ChipParams(n_max=32), "systemc", mode="bare")
    chip.load_weights(np.zeros((32, 32), dtype=np.int8))
    os.kill(chip.board_process.pid, signal.SIGKILL)
    with pytest.raises(m.BoardError, match="killed by SIGKILL"):
        chip.run()
    with pytest.raises(m.BoardError):  # and stays an error
        chip.set_state(np.ones(32, dtype=np.int8))
    chip.close()
    # The interpreter and the other chips go on.
    with m.Chip(m.ChipParams(n_max=32), "systemc") as again:
        again.set_state(np.ones(32, dtype=np.int8))
        assert again.run().converged


def test_killed_board_in_a_batch():
    chip = m.Chip(m.ChipParams(n_max=64), "systemc")
    chip.load_weights(np.zeros((64, 64), dtype=np.int8))
    os.kill(chip.board_process.pid, signal.SIGKILL)
    with pytest.raises(m.BoardError):
        chip.classify(np.ones((500, 64), dtype=np.int8), 0, 4)
    chip.close()


def test_board_that_cannot_start(monkeypatch, tmp_path):
    monkeypatch.setenv("MIND1024_BOARD", str(tmp_path / "no-such-board"))
    with pytest.raises(m.BoardError, match="does not exist"):
        m.Chip(m.ChipParams(n_max=8), "systemc")
    fake = tmp_path / "failing-board"
    fake.write_text("#!/bin/sh\necho 'mind-board: something is wrong' >&2\nexit 2\n")
    fake.chmod(0o755)
    monkeypatch.setenv("MIND1024_BOARD", str(fake))
    with pytest.raises(m.BoardError, match=r"did not start \(exit code 2\): mind-board: something is wrong"):
        m.Chip(m.ChipParams(n_max=8), "systemc")


def test_rtl_datapath_board():
    """datapath="rtl" runs the Verilated neuron unit in the board (WBITS 8, ABITS 24, LANES 16)."""
    p = m.ChipParams(n_max=32, wbits=8, abits=24, lanes=16)
    rng = np.random.default_rng(6)
    w = rng.integers(-128, 128, size=(32, 32))
    s = rng.choice([-1, 1], size=32)
    out = []
    for kw in (dict(backend="reference"), dict(backend="systemc", datapath="rtl")):
        with m.Chip(p, **kw) as chip:
            chip.load_weights(w)
            chip.set_state(s)
            out.append((chip.run(order="sync", max_sweeps=5), chip.fields().copy()))
    assert out[0][0] == out[1][0]
    np.testing.assert_array_equal(out[0][1], out[1][1])
