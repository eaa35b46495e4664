"""docs/examples/mnist_on_chip.ipynb runs from top to bottom in a fresh kernel
(this interpreter's), says what its text says, and is committed with its outputs."""

import os

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")
pytest.importorskip("torch")

SOURCE = os.environ.get("MIND1024_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
NOTEBOOK = os.path.join(SOURCE, "docs", "examples", "mnist_on_chip.ipynb")


def text_of(nb):
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                   if o.output_type == "stream")


def test_python_notebook_is_committed_with_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs for c in code), "run it and commit it with its outputs"
    assert sum(o.output_type == "display_data" for c in code for o in c.outputs) >= 3  # the pictures


def test_python_notebook_runs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = []
    # "python3" is ipykernel's native kernel: this interpreter, with this PYTHONPATH (the build tree's mind1024).
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": os.path.dirname(NOTEBOOK)}})
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    out = text_of(nb)
    assert "chip = host on 1000 images, output sums equal: True" in out, out
    # "... and end in the same state: the stored digit."
    same = [line for line in out.splitlines() if line.startswith("chip and twin in the same state")]
    assert same and same[0].endswith("True]"), out
    assert out.split("\nchip: ")[1].split("\n")[0].endswith("+1.000"), out  # the recall ends on the digit
