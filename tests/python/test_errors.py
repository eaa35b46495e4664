"""Every error: the exception classes, values outside WBITS/ABITS named by
element (never wrapped), shapes, dtypes, run parameters, chip parameters,
backends and their options, fault specs, closed chips."""

import numpy as np
import pytest

import mind1024 as m

P = dict(n_max=16, wbits=8, abits=12, lanes=4)


@pytest.fixture
def chip(chips):
    return chips(**P)


def test_hierarchy():
    assert issubclass(m.BadArgument, ValueError) and issubclass(m.BadArgument, m.ChipError)
    assert issubclass(m.ChipError, RuntimeError)
    for cls in (m.BoardError, m.BusError, m.BusyError):
        assert issubclass(cls, m.ChipError) and not issubclass(cls, ValueError)
    assert issubclass(m.BusError, m.BoardError) and issubclass(m.BusyError, m.BoardError)
    assert not issubclass(m.BadArgument, m.BoardError)


@pytest.mark.parametrize("dtype", [np.int16, np.int32, np.int64, np.uint64])
def test_weight_out_of_range_names_the_element(chip, dtype):
    w = np.zeros((16, 16), dtype=dtype)
    w[3, 5] = 128  # WBITS=8: [-128, 127]
    with pytest.raises(m.BadArgument, match=r"weights\[3, 5\] = 128 is outside the WBITS=8 range \[-128, 127\]"):
        chip.load_weights(w)
    if np.issubdtype(dtype, np.signedinteger):
        w[3, 5] = -129
        with pytest.raises(m.BadArgument, match=r"weights\[3, 5\] = -129"):
            chip.load_weights(w)


def test_no_silent_wrap(chip):
    """70000 would wrap to 4464 in int16: refused, and nothing is written."""
    chip.load_weights(np.ones((16, 16), dtype=np.int64))
    w = np.zeros((16, 16), dtype=np.int64)
    w[15, 0] = 70000
    with pytest.raises(m.BadArgument, match=r"weights\[15, 0\] = 70000"):
        chip.load_weights(w)
    np.testing.assert_array_equal(chip.read_weights(16), np.ones((16, 16)))
    big = np.zeros((16, 16), dtype=np.uint64)
    big[1, 2] = 2**64 - 1
    with pytest.raises(m.BadArgument, match=r"weights\[1, 2\] = 18446744073709551615"):
        chip.load_weights(big)


def test_fortran_and_views_name_the_logical_element(chip):
    w = np.zeros((16, 16), dtype=np.int32, order="F")
    w[2, 9] = 500
    with pytest.raises(m.BadArgument, match=r"weights\[2, 9\] = 500"):
        chip.load_weights(w)
    with pytest.raises(m.BadArgument, match=r"weights\[9, 2\] = 500"):
        chip.load_weights(w.T)


def test_thresholds(chip):
    t = np.zeros(16, dtype=np.int64)
    t[7] = 2048  # ABITS=12: [-2048, 2047]
    with pytest.raises(m.BadArgument, match=r"thresholds\[7\] = 2048 is outside the ABITS=12 range \[-2048, 2047\]"):
        chip.load_thresholds(t)
    with pytest.raises(m.BadArgument, match="17 values"):
        chip.load_thresholds(np.zeros(17, dtype=np.int64))
    with pytest.raises(m.BadArgument, match="one-dimensional"):
        chip.load_thresholds(np.zeros((4, 4), dtype=np.int64))


def test_states_and_clamps(chip):
    s = np.ones(16, dtype=np.int64)
    s[4] = 0
    with pytest.raises(m.BadArgument, match=r"state\[4\] = 0 is not a state"):
        chip.set_state(s)
    s[4] = 2
    with pytest.raises(m.BadArgument, match=r"state\[4\] = 2"):
        chip.set_state(s)
    with pytest.raises(m.BadArgument, match="17 values"):
        chip.set_state(np.ones(17, dtype=np.int8))
    c = np.zeros(16, dtype=np.int64)
    c[11] = 2
    with pytest.raises(m.BadArgument, match=r"clamp\[11\] = 2 is not a clamp flag"):
        chip.set_clamp(c)
    states = np.ones((3, 16), dtype=np.int8)
    states[2, 15] = 0
    with pytest.raises(m.BadArgument, match=r"states\[2, 15\] = 0"):
        chip.run_many(states)
    with pytest.raises(m.BadArgument, match="two-dimensional"):
        chip.run_many(np.ones(16, dtype=np.int8))
    with pytest.raises(m.BadArgument, match="rows of 17"):
        chip.classify(np.ones((2, 17), dtype=np.int8), 0, 2)


def test_shapes(chip):
    for shape in ((16, 15), (17, 17), (0, 0), (16,)):
        with pytest.raises(m.BadArgument, match="weights must be"):
            chip.load_weights(np.zeros(shape, dtype=np.int64))


def test_dtypes_are_type_errors(chip):
    with pytest.raises(TypeError, match="weights must be an integer or bool array, not float64"):
        chip.load_weights(np.zeros((16, 16)))
    with pytest.raises(TypeError, match="state must be an integer or bool array, not complex128"):
        chip.set_state(np.ones(16, dtype=complex))
    with pytest.raises(TypeError):
        chip.set_clamp(["a"] * 16)
    with pytest.raises(TypeError):
        chip.load_thresholds(None)


def test_run_parameters(chip):
    chip.load_weights(np.zeros((16, 16), dtype=np.int8))
    with pytest.raises(m.BadArgument, match="order = 'random'"):
        chip.run(order="random")
    with pytest.raises(m.BadArgument, match="max_sweeps = 0 is outside 1..4294967295"):
        chip.run(max_sweeps=0)
    with pytest.raises(m.BadArgument, match="max_sweeps = 4294967296"):
        chip.run(max_sweeps=2**32)
    with pytest.raises(m.BadArgument, match="n_active = 17 exceeds N_MAX = 16"):
        chip.run(n_active=17)
    with pytest.raises(m.BadArgument, match="n_active = 0"):
        chip.run(n_active=0)
    with pytest.raises(m.BadArgument, match="noise"):
        chip.run(noise=-1)
    with pytest.raises(m.BadArgument, match="seed = -3"):
        chip.run(seed=-3)
    with pytest.raises(TypeError, match="max_sweeps must be an integer"):
        chip.run(max_sweeps=2.5)
    assert chip.run(max_sweeps=np.int64(3), seed=np.uint32(4)).sweeps >= 1
    with pytest.raises(m.BadArgument, match="classes"):
        chip.classify(np.ones((2, 16), dtype=np.int8), first_label=0, classes=0)
    with pytest.raises(m.BadArgument, match="label neurons 10..17 are beyond N_MAX = 16"):
        chip.classify(np.ones((2, 16), dtype=np.int8), first_label=10, classes=4, reps=2)


def test_chip_parameters():
    with pytest.raises(m.BadArgument, match=r"wbits = 17 is outside 1..16"):
        m.ChipParams(wbits=17)
    with pytest.raises(m.BadArgument, match=r"n_max = 0 is outside 1..16384"):
        m.ChipParams(n_max=0)
    with pytest.raises(m.BadArgument, match=r"clock_hz = 0.5 is outside 1..1e\+09 Hz"):
        m.ChipParams(clock_hz=0.5)
    with pytest.raises(TypeError, match="no parameter 'nmax'"):
        m.ChipParams(nmax=4)
    with pytest.raises(TypeError, match="lanes must be an integer"):
        m.ChipParams(lanes=2.0)
    p = m.ChipParams()
    with pytest.raises(m.BadArgument, match="abits = 1 is outside 2..32"):
        p.abits = 1
    assert p.abits == 24  # unchanged
    with pytest.raises(TypeError):
        m.Chip("n_max=4")


def test_backends_and_options():
    p = m.ChipParams(n_max=8)
    with pytest.raises(m.BadArgument, match="the backends are 'reference', 'engine' and 'systemc'"):
        m.Chip(p, "verilog")
    with pytest.raises(m.BadArgument, match="datapath = 'rtl' is an option of the systemc backend"):
        m.Chip(p, "engine", datapath="rtl")
    with pytest.raises(m.BadArgument, match="mode = 'firmware' is an option of the systemc backend"):
        m.Chip(p, "reference", mode="firmware")
    with pytest.raises(m.BadArgument, match="the modes are 'bare' and 'firmware'"):
        m.Chip(p, "systemc", mode="fast")
    with pytest.raises(m.BadArgument, match="the datapaths are 'cpp' and 'rtl'"):
        m.Chip(p, "systemc", datapath="vhdl")


def test_fault_specs():
    with pytest.raises(m.BadArgument, match="bogus"):
        m.Chip(m.ChipParams(n_max=8), faults="bogus=1")
    with pytest.raises(m.BadArgument):
        m.parse_faults("syn0=2")
    with pytest.raises(m.BadArgument):
        m.Chip(m.ChipParams(n_max=8, abits=8), "systemc", faults="acc0=0x100")  # a mask above ABITS
    assert m.parse_faults("seed=7,syn0=1e-3") == m.parse_faults("syn0=0.001,seed=7")


def test_closed_chip():
    chip = m.Chip(m.ChipParams(n_max=8))
    chip.close()
    chip.close()  # idempotent
    assert chip.closed
    with pytest.raises(m.ChipError, match="closed"):
        chip.run()
    with pytest.raises(m.ChipError, match="closed"):
        chip.state
    with m.Chip(m.ChipParams(n_max=8), "systemc") as sc:
        pass
    assert sc.closed and sc.board_process.proc.poll() is not None
    with pytest.raises(m.ChipError, match="closed"):
        sc.load_weights(np.zeros((8, 8), dtype=np.int8))


def test_board_parameters_must_match(tmp_path):
    """A running board of other parameters is refused (board= connects to it)."""
    from mind1024._board import BoardProcess
    board = BoardProcess(m.ChipParams(n_max=16))
    try:
        with pytest.raises(m.BadArgument, match="has N_MAX=16"):
            m.Chip(m.ChipParams(n_max=8), "systemc", board=board.address)
        with m.Chip(m.ChipParams(n_max=16), "systemc", board=board.address, mode="bare") as chip:
            assert chip.name.startswith("board/unix:")
            assert chip.run().sweeps == 1
    finally:
        board.close()
    with pytest.raises(m.BoardError):
        m.Chip(m.ChipParams(n_max=8), "systemc", board="unix:" + str(tmp_path / "nothing.sock"))


def test_twin_errors():
    with pytest.raises(m.BadArgument, match="square"):
        m.FloatTwin(np.zeros((3, 4)))
    with pytest.raises(m.BadArgument, match=r"weights\[1, 2\] = nan is not a finite number"):
        w = np.zeros((3, 3))
        w[1, 2] = np.nan
        m.FloatTwin(w)
    with pytest.raises(m.BadArgument, match="thresholds has 2 values for 3 neurons"):
        m.FloatTwin(np.zeros((3, 3)), np.zeros(2))
    with pytest.raises(m.BadArgument, match="scale"):
        m.FloatTwin(np.zeros((3, 3)), scale=0)
    t = m.FloatTwin(np.zeros((3, 3)))
    with pytest.raises(m.BadArgument, match="n_active = 4 exceeds"):
        t.run(n_active=4)
    with pytest.raises(m.BadArgument, match=r"state\[0\] = 0"):
        t.set_state([0, 1, 1])
