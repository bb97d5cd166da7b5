"""The visual graph editor in a real JupyterLab (issue 12).

The tests share one page and one notebook and run in file order: the MLP built in the first
test is the graph the later ones undo, copy, run, train and save.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.editor_helpers import (
    connect,
    editor,
    node,
    node_ids,
    params_of,
    press,
    quick_add,
    run_code,
    select,
    set_param,
    signature,
    version,
    wait_idle,
    wait_version_above,
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
    IDS["x"] = next(i for i in node_ids(ed) if i not in before)
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


def test_wiring_the_wrong_way_says_why_and_a_shape_error_sits_on_its_node(
    page: Page, ed: Locator
) -> None:
    # Drag w2 (8, 3) towards mm1's b, where (batch, 4) @ (8, 3) cannot go: the port says why.
    v = version(ed)
    src = node(ed, IDS["w2"]).locator(".vf-edit-output .react-flow__handle").bounding_box()
    port = node(ed, IDS["mm1"]).locator(".vf-edit-port[data-port='1']")
    dst = port.locator(".react-flow__handle").bounding_box()
    assert src and dst
    page.mouse.move(src["x"] + 5, src["y"] + 5)
    page.mouse.down()
    page.mouse.move(dst["x"] + 5, dst["y"] + 5, steps=10)
    expect(port).to_have_attribute("data-verdict", "bad")
    reason = ed.locator(".vf-edit-wire-reason")
    expect(reason).to_be_visible()  # the port under the pointer says why
    expect(reason).to_contain_text("4")
    expect(reason).to_contain_text("8")
    # ports that fit light up (mm2's b takes (8, 3))
    expect(node(ed, IDS["mm2"]).locator(".vf-edit-port[data-port='1']")).to_have_attribute(
        "data-verdict", "ok"
    )
    screenshot(page, "editor-wire-refused")
    page.mouse.up()
    expect(ed.locator(".vf-editor-body")).not_to_have_attribute("data-wire", "dragging")
    assert version(ed) == v  # nothing was connected
    # A shape that does not fit: the error and its message sit on the matmul.
    set_param(ed, IDS["w1"], "shape", "(5, 8)")
    mm1 = node(ed, IDS["mm1"])
    expect(mm1).to_have_attribute("data-state", "error")
    expect(mm1.locator(".vf-edit-error")).to_contain_text("matmul")
    expect(ed.locator(".vf-edit-status")).to_contain_text("error")
    screenshot(page, "editor-shape-error")
    set_param(ed, IDS["w1"], "shape", "(4, 8)")
    expect(mm1).to_have_attribute("data-state", "valid")
    expect(mm1.locator(".vf-edit-error")).to_have_count(0)


def feed_from_kernel(ed: Locator, node_id: str, var: str) -> None:
    inspector = select(ed, node_id)
    inspector.locator(".vf-edit-feed input[type='radio']").nth(1).check()
    inspector.locator(".vf-edit-feed-name").fill(var)


def test_run_then_train_twenty_steps_and_the_loss_falls(page: Page, ed: Locator) -> None:
    feed_from_kernel(ed, IDS["x"], "X")
    feed_from_kernel(ed, IDS["y"], "Y")
    ed.locator(".vf-edit-tool[data-action='run']").click()
    for key in ("mm1", "relu", "loss"):
        expect(node(ed, IDS[key])).to_have_attribute("data-state", "executed", timeout=60_000)
    expect(node(ed, IDS["loss"]).locator(".vf-edit-value")).to_be_visible()
    select(ed, IDS["loss"])
    ed.locator(".vf-edit-tool[data-action='train']").click()
    curve = ed.locator(".vf-edit-loss")
    expect(curve).to_have_attribute("data-running", "false", timeout=120_000)
    page.wait_for_function(
        "el => JSON.parse(el.dataset.losses).length === 20", arg=curve.element_handle()
    )
    losses = [float(x) for x in curve.get_attribute("data-losses").strip("[]").split(",")]  # type: ignore[union-attr]
    assert losses[-1] < losses[0] * 0.9, losses
    expect(curve).to_contain_text("step 20/20")
    screenshot(page, "editor-trained")


def test_undo_the_last_five_actions_and_redo_them(page: Page, ed: Locator) -> None:
    built = signature(ed)
    # Ctrl+Z typed into a field is the field's own: the graph does not change.
    field = select(ed, IDS["relu"]).locator("[data-field='name'] input")
    field.focus()
    v = version(ed)
    page.keyboard.press("Control+z")
    page.wait_for_timeout(300)
    assert version(ed) == v
    ed.locator(".react-flow__pane").click(position={"x": 330, "y": 640})
    # shape fix, shape break, then the last three wires
    press(ed, "Control+z", 5)
    expect(ed.locator(".react-flow__edge")).to_have_count(6)
    screenshot(page, "editor-undone-5")
    press(ed, "Control+Shift+z", 5)
    assert signature(ed) == built
    expect(ed.locator(".vf-edit-tool[data-action='redo']")).to_be_disabled()


def test_copy_a_group_with_its_inner_links_and_paste(page: Page, ed: Locator) -> None:
    select(ed, IDS["b1"])
    select(ed, IDS["add1"], add=True)
    select(ed, IDS["relu"], add=True)
    v = version(ed)
    ed.locator(".vf-edit-tool[data-action='group']").click()
    wait_version_above(ed, v)
    frame = ed.locator(".vf-edit-frame")
    expect(frame).to_have_count(1)
    before = signature(ed)
    ed.locator(".react-flow__controls-fitview").click()
    page.wait_for_timeout(400)
    frame.locator(".vf-edit-frame-title span").first.click()
    page.keyboard.press("Control+c")
    press(ed, "Control+v")
    expect(ed.locator(".vf-edit-frame")).to_have_count(2)
    after = signature(ed)
    assert len(after["nodes"]) == len(before["nodes"]) + 3  # type: ignore[arg-type]
    # the two links inside the group came along; the links to outside nodes did not
    assert after["wires"] == before["wires"] + 2  # type: ignore[operator]
    ed.locator(".vf-edit-tool[data-action='layout']").click()
    page.wait_for_timeout(1500)
    screenshot(page, "editor-group-pasted")
    ed.locator(".react-flow__pane").click(position={"x": 330, "y": 640})  # focus the canvas
    press(ed, "Control+z", 2)  # the layout, then the paste
    assert signature(ed) == before


def test_edit_in_python_and_the_canvas_follows(page: Page, ed: Locator) -> None:
    run_code(page, "ed.add('tanh', 'matmul_1', name='from_python')")
    added = ed.locator(".vf-edit-node[data-node-name='from_python']")
    expect(added).to_have_count(1)
    expect(added.locator(".vf-edit-output .vf-edit-port-shape")).to_have_text("(batch, 3) float32")
    run_code(page, "ed.rename('from_python', 'renamed_in_python')")
    expect(ed.locator(".vf-edit-node[data-node-name='renamed_in_python']")).to_have_count(1)
    run_code(page, "ed.delete('renamed_in_python')\ned.save('mlp.vfg.json')")
