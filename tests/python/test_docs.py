"""Every python block of docs/python-example.md runs, in order, in one namespace
(the page is the module's guide: what it shows must work as written)."""

import os
import re

import pytest

SOURCE = os.environ.get("MIND1024_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
PAGE = os.path.join(SOURCE, "docs", "python-example.md")


def blocks():
    with open(PAGE) as f:
        return re.findall(r"^```python\n(.*?)^```", f.read(), flags=re.S | re.M)


def test_the_guide_runs(tmp_path, monkeypatch, capsys):
    code = blocks()
    assert len(code) >= 5
    monkeypatch.chdir(tmp_path)
    ns = {"__name__": "__docs__"}
    for k, block in enumerate(code):
        try:
            exec(compile(block, f"{PAGE} block {k + 1}", "exec"), ns)
        except Exception as e:
            pytest.fail(f"block {k + 1} of docs/python-example.md failed: {type(e).__name__}: {e}\n{block}")
    out = capsys.readouterr().out
    assert "is outside the WBITS=8 range" in out
