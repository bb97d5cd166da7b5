"""The visual graph editor in a real JupyterLab (issue 12).

The tests share one page and one notebook and run in file order: the MLP built in the first
test is the graph the later ones undo, copy, run, train and save.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.editor_helpers import (
    node_ids,
    connect,
    editor,
    node,
    params_of,
    quick_add,
    set_param,
    wait_idle,
)
from tests.browser.harness import LabServer, screenshot
from tests.browser.lab import open_notebook, run_all_cells
from tests.browser.viewer_helpers import shared_page, write_notebook

NOTEBOOK = "editor.ipynb"
CELLS = [
    "import numpy as np\n"
    "import vizflow as vf\n"
    "rng = np.random.default_rng(0)\n"
    "X = rng.normal(size=(64, 4)).astype(np.float32)\n"
    "Y = ((X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)).astype(np.int64)\n"
    "ed = vf.Editor(height='760px')\n"
    "ed"
]

# Where each node goes on the canvas (pixels from its top-left at the opening zoom), chosen
# so that every spot is free when its node is added.
SPOTS = {
    "x": (10, 10),
    "mm1": (230, 10),
    "add1": (450, 10),
    "w1": (10, 160),
    "b1": (230, 160),
    "relu": (450, 160),
    "w2": (10, 310),
    "mm2": (230, 310),
    "loss": (450, 310),
    "y": (10, 460),
}
IDS: dict[str, str] = {}


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    yield from shared_page(browser)


@pytest.fixture(scope="module")
def ed(page: Page, lab_server: LabServer) -> Locator:
    write_notebook(lab_server, NOTEBOOK, CELLS)
    try:
        open_notebook(page, lab_server, NOTEBOOK)
        page.keyboard.press("Control+b")  # the file browser closed: the canvas gets its width
        run_all_cells(page)
        return editor(page)
    except Exception:
        screenshot(page, "FAILED-setup-editor")
        print("JSERR", page.vf_errors, page.locator(".jupyter-widgets").all_inner_texts())  # type: ignore[attr-defined]
        raise


def test_editor_opens_with_palette(page: Page, ed: Locator) -> None:
    expect(ed.locator(".vf-palette-entry[data-key='matmul']")).to_be_attached()
    expect(ed.locator(".vf-palette-entry[data-key='Linear']")).to_be_attached()
    screenshot(page, "editor-empty")


def add(ed: Locator, key: str, spot: str) -> str:
    IDS[spot] = quick_add(ed, key, *SPOTS[spot])
    return IDS[spot]


def test_build_a_two_layer_mlp_from_the_palette(page: Page, ed: Locator) -> None:
    # One entry dragged from the palette, the others by the search a double-click opens.
    before = set(node_ids(ed))
    ed.locator(".vf-palette-search").fill("placeholder")
    ed.locator(".vf-palette-entry[data-key='placeholder']").drag_to(
        ed.locator(".react-flow__pane"), target_position={"x": 10, "y": 10}
    )
    expect(ed.locator(".vf-edit-node")).to_have_count(len(before) + 1)
    IDS["x"] = [i for i in node_ids(ed) if i not in before][0]
    for key, spot in [
        ("matmul", "mm1"), ("add", "add1"), ("variable", "w1"), ("variable", "b1"),
        ("relu", "relu"), ("variable", "w2"), ("matmul", "mm2"), ("cross_entropy", "loss"),
        ("placeholder", "y"),
    ]:  # fmt: skip
        add(ed, key, spot)
    set_param(ed, IDS["x"], "shape", "(batch, 4)")
    set_param(ed, IDS["w1"], "shape", "(4, 8)")
    set_param(ed, IDS["w1"], "init", "normal")
    set_param(ed, IDS["b1"], "shape", "(8,)")
    set_param(ed, IDS["w2"], "shape", "(8, 3)")
    set_param(ed, IDS["w2"], "init", "normal")
    set_param(ed, IDS["y"], "dtype", "int64")
    for source, target, port in [
        ("x", "mm1", 0), ("w1", "mm1", 1), ("mm1", "add1", 0), ("b1", "add1", 1),
        ("add1", "relu", 0), ("relu", "mm2", 0), ("w2", "mm2", 1), ("mm2", "loss", 0),
        ("y", "loss", 1),
    ]:  # fmt: skip
        connect(ed, IDS[source], IDS[target], port)
    wait_idle(ed)
    assert params_of(ed, IDS["mm1"]) == {"state": "valid", "shape": "(batch, 8) float32"}
    assert params_of(ed, IDS["mm2"])["shape"] == "(batch, 3) float32"
    assert params_of(ed, IDS["loss"]) == {"state": "valid", "shape": "() float32"}
    expect(ed.locator(".react-flow__edge")).to_have_count(9)
    screenshot(page, "editor-mlp-built")
