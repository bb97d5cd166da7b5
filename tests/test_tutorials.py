"""Every tutorial notebook runs top to bottom in a real kernel without an error, within its
time limit (a lesson's cells run in well under a minute on a laptop; the limit catches a loop
that runs away or a lesson that grew too slow to assign)."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError
from nbformat import NotebookNode

TUTORIALS = sorted((Path(__file__).resolve().parents[1] / "tutorials").glob("*.ipynb"))
NOTEBOOK_TIME_LIMIT_S = 300  # the whole notebook, kernel start included


def execute(notebook: NotebookNode, workdir: Path, limit_s: float) -> None:
    """Run notebook's cells in a fresh kernel; a cell still running when the notebook's
    limit is spent fails with nbclient's CellTimeoutError."""
    deadline = time.monotonic() + limit_s

    def time_left(_cell: object) -> int:
        return max(1, int(deadline - time.monotonic()))

    NotebookClient(
        notebook,
        timeout_func=time_left,
        kernel_name="python3",
        store_widget_state=True,
        resources={"metadata": {"path": str(workdir)}},
    ).execute()


def test_there_are_tutorials() -> None:
    assert TUTORIALS, "tutorials/ holds no notebooks"


def test_the_time_limit_counts_the_whole_notebook(tmp_path: Path) -> None:
    """Three cells of 3 s each would pass a per-cell limit of 9 s; the notebook's limit of 9 s
    stops the third, after the first two ran."""
    slow = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import time; time.sleep(3)") for _ in range(3)]
    )
    with pytest.raises(CellTimeoutError):
        execute(slow, tmp_path, limit_s=9)
    assert [cell.get("execution_count") for cell in slow.cells[:2]] == [1, 2]


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.name for p in TUTORIALS])
def test_tutorial_is_stored_without_outputs(path: Path) -> None:
    """The repository keeps lessons as a reader starts them: no outputs, no execution counts."""
    notebook = nbformat.read(path, as_version=4)
    run = [
        i
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert run == [], f"{path.name}: cells {run} keep outputs; clear them before committing"


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.name for p in TUTORIALS])
def test_tutorial_runs(path: Path, tmp_path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    execute(notebook, tmp_path, NOTEBOOK_TIME_LIMIT_S)
    errors = [
        out
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert errors == []
    widget_state = notebook.metadata.get("widgets", {})
    assert widget_state, "tutorial displayed no widget state"
