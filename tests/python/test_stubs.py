"""The type stubs of the C++ core agree with the module (mypy's stubtest), and
code using the package type-checks (py.typed: the package's own annotations)."""

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("mypy")
HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def mypy_config(tmp_path_factory):
    """mypy without following torch (not our API; reading its sources takes half a minute a run)."""
    path = tmp_path_factory.mktemp("mypy") / "mypy.ini"
    path.write_text("[mypy]\n[mypy-torch.*]\nfollow_imports = skip\nfollow_imports_for_stubs = True\n")
    return str(path)


def test_stubs_match_the_module(mypy_config):
    r = subprocess.run([sys.executable, "-m", "mypy.stubtest", "mind1024._core", "--mypy-config-file", mypy_config,
                        "--allowlist", os.path.join(HERE, "stubtest_allowlist.txt")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_user_code_type_checks(tmp_path, mypy_config):
    src = tmp_path / "use.py"
    src.write_text(textwrap.dedent("""
        import numpy as np
        from numpy.typing import NDArray
        import mind1024 as m

        p = m.ChipParams(n_max=64)
        with m.Chip(p, backend="reference") as chip:
            chip.load_weights(np.zeros((64, 64), dtype=np.int64))
            r: m.RunResult = chip.run(order="async", max_sweeps=10)
            sweeps: int = r.sweeps + r.flips + r.cycles + r.overflows
            ok: bool = r.converged or r.cycle2
            s: NDArray[np.int8] = chip.state
            batch: m.RunBatch = chip.run_many(np.ones((3, 64), dtype=np.int8))
            c: m.Classification = chip.classify(np.ones((3, 64), dtype=np.int8), first_label=60, classes=2, reps=2)
        twin = m.FloatTwin(np.zeros((4, 4)))
        t: m.RunResult = twin.run(noise=3)
        n_max: int = p.n_max
        clock: float = p.clock_hz
    """))
    r = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--config-file", mypy_config, "--cache-dir",
                        str(tmp_path / "c"), str(src)], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
