"""Editor actions in a real JupyterLab, as a person does them (issue 12): a group collapses to
one node and expands back, Align gives the selected nodes one left or top edge, "Run to here"
runs what a node needs (and nothing after it), Debug opens the graph in the debugger beside
the editor, where it steps with values shown, and a node holding an index array copies and
pastes with its array, within an editor and into another.

The tests share one page and one notebook, and run in file order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.editor_helpers import (
    EDITOR,
    by_name,
    connect,
    editor,
    flow_position,
    press,
    run_code,
    select,
    version,
    wait_drawn_at,
    wait_idle,
    wait_version_above,
)
from tests.browser.harness import LabServer, screenshot
from tests.browser.lab import open_notebook, run_all_cells
from tests.browser.viewer_helpers import shared_page, write_notebook

NOTEBOOK = "editor_actions.ipynb"
CELLS = [
    "import vizflow as vf\n"
    "ed = vf.Editor(height='640px')\n"
    "x = ed.placeholder('x', ('batch', 4))\n"
    "w1 = ed.variable('w1', (4, 8), init='xavier_uniform')\n"
    "b1 = ed.variable('b1', (8,))\n"
    "w2 = ed.variable('w2', (8, 3), init='xavier_uniform')\n"
    "h = ed.add('matmul', x, w1, name='h')\n"
    "a = ed.add('add', h, b1, name='a')\n"
    "r = ed.add('relu', a, name='r')\n"
    "logits = ed.add('matmul', r, w2, name='logits')\n"
    "ed.group([a, r], 'block')\n"
    "SPOTS = {'x': (0, 0), 'w1': (0, 150), 'b1': (30, 260), 'w2': (60, 370),\n"
    "         'h': (260, 0), 'a': (500, 30), 'r': (740, 60), 'logits': (980, 90)}\n"
    "ed.edit([{'cmd': 'move', 'positions': {\n"
    "    ed.doc.by_name(n).id: {'x': p[0], 'y': p[1]} for n, p in SPOTS.items()}}])\n"
    "ed"
]
NAMES = ("x", "w1", "b1", "w2", "h", "a", "r", "logits")


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
        found = editor(page)
        expect(found.locator(".vf-edit-node")).to_have_count(len(NAMES), timeout=60_000)
        return found
    except Exception:
        screenshot(page, "FAILED-setup-editor-actions")
        raise


def test_a_group_collapses_to_one_node_and_expands_back(page: Page, ed: Locator) -> None:
    frame = ed.locator(".vf-edit-frame[data-group-name='block']")
    expect(frame).to_have_count(1)
    wires = ed.locator(".react-flow__edge").count()
    frame.get_by_role("button", name="Collapse block").click()
    box = ed.locator(".vf-edit-groupbox[data-group-name='block']")
    expect(box).to_be_visible()
    expect(box).to_contain_text("2 nodes")
    expect(by_name(ed, "a")).to_have_count(0)
    expect(by_name(ed, "r")).to_have_count(0)
    expect(ed.locator(".vf-edit-node")).to_have_count(len(NAMES) - 2)
    # wires into and out of the group end on its box (h, b1 -> block -> logits)
    expect(ed.locator(".react-flow__edge")).to_have_count(wires - 1)
    screenshot(page, "editor-actions-collapsed")
    box.get_by_role("button", name="Expand block").click()
    expect(ed.locator(".vf-edit-groupbox")).to_have_count(0)
    expect(ed.locator(".vf-edit-node")).to_have_count(len(NAMES))
    expect(ed.locator(".react-flow__edge")).to_have_count(wires)
    expect(frame).to_have_count(1)


@pytest.mark.parametrize(("action", "axis"), [("align-left", "x"), ("align-top", "y")])
def test_align_gives_the_selection_one_edge(
    page: Page, ed: Locator, action: str, axis: str
) -> None:
    picked = ["w1", "b1", "w2"] if axis == "x" else ["h", "a", "r", "logits"]
    before = {n: flow_position(ed, n) for n in NAMES}
    assert len({before[n][axis] for n in picked}) > 1, before  # not aligned yet
    select(ed, by_name(ed, picked[0]).get_attribute("data-node-id") or "")
    for name in picked[1:]:
        select(ed, by_name(ed, name).get_attribute("data-node-id") or "", add=True)
    v = version(ed)
    ed.locator(f".vf-edit-tool[data-action='{action}']").click()
    wait_version_above(ed, v)
    wait_drawn_at(ed, picked[0], axis, min(before[n][axis] for n in picked))
    after = {n: flow_position(ed, n) for n in NAMES}
    assert {after[n][axis] for n in picked} == {min(before[n][axis] for n in picked)}
    other = "y" if axis == "x" else "x"
    assert all(after[n][other] == before[n][other] for n in picked)  # only one axis moves
    assert all(after[n] == before[n] for n in NAMES if n not in picked)
    screenshot(page, f"editor-actions-{action}")


# The graph point under a page point: the canvas's pan and zoom undone.
CANVAS_POINT = """(el, [x, y]) => {
    const flow = el.querySelector('.react-flow');
    const r = flow.getBoundingClientRect();
    const m = /translate\\(([-\\d.]+)px, ?([-\\d.]+)px\\) scale\\(([\\d.]+)\\)/.exec(
        flow.querySelector('.react-flow__viewport').style.transform);
    const k = Number(m[3]);
    return {x: (x - r.left - Number(m[1])) / k, y: (y - r.top - Number(m[2])) / k};
}"""


def canvas_point(ed: Locator, x: float, y: float) -> dict[str, float]:
    at: dict[str, float] = ed.evaluate(CANVAS_POINT, [x, y])
    return at


def test_paste_lands_at_the_pointer_or_the_right_clicked_spot(page: Page, ed: Locator) -> None:
    """Ctrl+V puts the copied set's top-left under the pointer (its layout kept); the canvas
    menu's Paste puts it at the spot right-clicked."""
    select(ed, by_name(ed, "x").get_attribute("data-node-id") or "")
    select(ed, by_name(ed, "w1").get_attribute("data-node-id") or "", add=True)
    page.keyboard.press("Control+c")
    box = ed.locator(".react-flow__pane").bounding_box()
    assert box
    # an empty spot above the graph: a click there focuses the canvas, the pointer stays
    spot = (round(box["x"] + box["width"] * 0.3), round(box["y"] + 40))  # whole pixels
    page.mouse.click(*spot)
    want = canvas_point(ed, *spot)
    press(ed, "Control+v")
    expect(by_name(ed, "w1_1")).to_have_count(1)
    x1, w1 = flow_position(ed, "x_1"), flow_position(ed, "w1_1")
    assert abs(x1["x"] - want["x"]) <= 1 and abs(x1["y"] - want["y"]) <= 1, (x1, want)
    assert (w1["x"] - x1["x"], w1["y"] - x1["y"]) == (0, 150)  # x and w1 as they were
    # the menu of a right-click elsewhere: Paste lands there
    spot = (round(box["x"] + box["width"] * 0.75), round(box["y"] + 40))
    page.mouse.click(*spot, button="right")
    want = canvas_point(ed, *spot)
    menu = ed.locator(".vf-dbg-menu")
    expect(menu).to_be_visible()
    screenshot(page, "editor-actions-paste-menu")
    v = version(ed)
    menu.get_by_role("menuitem", name="Paste").click()
    wait_version_above(ed, v)
    expect(menu).to_have_count(0)
    x2 = flow_position(ed, "x_2")
    assert abs(x2["x"] - want["x"]) <= 1 and abs(x2["y"] - want["y"]) <= 1, (x2, want)
    screenshot(page, "editor-actions-pasted-at-pointer")
    select_none(ed)
    press(ed, "Control+z", 2)
    expect(by_name(ed, "x_1")).to_have_count(0)
    expect(by_name(ed, "x_2")).to_have_count(0)


def zoom(ed: Locator) -> float:
    scale: float = ed.evaluate(
        """el => Number(/scale\\(([\\d.]+)\\)/.exec(
            el.querySelector('.react-flow__viewport').style.transform)[1])"""
    )
    return scale


def test_far_out_nodes_draw_boxes_without_text(page: Page, ed: Locator) -> None:
    """Below 30% a node's text (under 4 px) and handles are left out and its corners are
    square: the costliest parts of each pan or zoom step on big graphs; back in, all return."""
    op = by_name(ed, "h").locator(".vf-edit-node-op")
    expect(op).to_be_visible()
    zoom_out = ed.locator(".react-flow__controls-zoomout")
    while zoom(ed) >= 0.28:
        zoom_out.click()
        page.wait_for_timeout(250)
    expect(ed.locator(".react-flow.vf-edit-tiny")).to_have_count(1)
    expect(op).to_be_hidden()
    expect(by_name(ed, "h").locator(".vf-edit-handle").first).to_be_hidden()
    radius = by_name(ed, "h").evaluate("el => getComputedStyle(el).borderTopLeftRadius")
    assert radius == "0px"
    screenshot(page, "editor-actions-far-out")
    ed.locator(".react-flow__controls-fitview").click()
    expect(ed.locator(".react-flow.vf-edit-tiny")).to_have_count(0)
    expect(op).to_be_visible()


def select_none(ed: Locator) -> None:
    """Click an empty spot of the canvas (above the graph's right end)."""
    pane = ed.locator(".react-flow__pane")
    size = pane.bounding_box()
    assert size
    pane.click(position={"x": size["width"] - 40, "y": 20})
    expect(ed.locator(".vf-edit-inspector")).to_have_count(0)


def test_run_to_here_runs_what_the_node_needs_only(page: Page, ed: Locator) -> None:
    select_none(ed)
    inspector = select(ed, by_name(ed, "a").get_attribute("data-node-id") or "")
    inspector.locator(".vf-edit-run-here").click()
    expect(ed.locator(".vf-edit-status")).to_have_text("ran 5 nodes", timeout=60_000)
    expect(ed.locator(".vf-edit-status")).not_to_have_class(re.compile("vf-edit-status-error"))
    screenshot(page, "editor-actions-run-to-here")
    select_none(ed)  # the inspector closes: the whole graph is in view again
    for name in ("x", "w1", "b1", "h", "a"):
        expect(by_name(ed, name)).to_have_attribute("data-state", "executed")
    for name in ("w2", "r", "logits"):
        expect(by_name(ed, name)).to_have_attribute("data-state", "valid")
    expect(by_name(ed, "a").locator(".vf-edit-value")).to_be_visible()
    expect(by_name(ed, "logits").locator(".vf-edit-value")).to_have_count(0)


def test_debug_opens_the_graph_in_the_debugger_beside_the_editor(page: Page, ed: Locator) -> None:
    wait_idle(ed)
    ed.locator(".vf-edit-tool[data-action='debug']").click()
    panel = page.locator(".vf-debugger-panel")
    expect(panel).to_be_visible(timeout=60_000)
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="Debug: graph")
    expect(tab).to_be_visible()
    d = panel.locator(".vf-debugger")
    expect(d.locator(".vf-pane")).to_have_attribute("data-layout-state", "done", timeout=60_000)
    # beside the editor: both on screen at once, the debugger to the right
    notebook_box = page.locator(".jp-NotebookPanel").first.bounding_box()
    panel_box = panel.bounding_box()
    assert (
        notebook_box
        and panel_box
        and panel_box["x"] >= notebook_box["x"] + notebook_box["width"] - 2
    )
    expect(d.locator(".vf-dbg-state")).to_contain_text("ready")
    for steps in (1, 2, 3):
        d.locator(".vf-dbg-btn[data-command='step']").click()
        expect(d.locator(".vf-dbg-tick")).to_have_count(steps, timeout=20_000)
    expect(d.locator(".vf-node.vf-debug-current")).to_have_count(1)
    side = d.locator(".vf-dbg-side [data-stats='output']")
    expect(side.locator("[data-stat='shape'] td")).to_be_visible(timeout=20_000)
    expect(side.locator("[data-stat='mean'] td")).not_to_have_text("")
    screenshot(page, "editor-actions-debugger")
    # Debug again: the new session replaces the panel (one debugger per editor).
    ed.locator(".vf-edit-tool[data-action='debug']").click()
    expect(page.locator(".vf-debugger-panel .vf-dbg-state")).to_contain_text(
        "ready", timeout=60_000
    )
    expect(page.locator(".vf-debugger-panel")).to_have_count(1)
    tab.locator(".lm-TabBar-tabCloseIcon").click()
    expect(page.locator(".vf-debugger-panel")).to_have_count(0)


def test_an_array_index_copies_and_pastes_within_and_across_editors(
    page: Page, ed: Locator
) -> None:
    """A getitem holding an index array: the pasted node has the same index (its output shape
    says so once wired), in the same editor and in another one. Runs last: it adds an editor."""
    run_code(
        page,
        "import numpy as np\n"
        "idx = np.array([3, 0, 2])\n"
        "gather = vf.Editor(vf.trace(lambda x: x[idx] * 2.0, vf.spec((4, 5))), height='420px')\n"
        "gather",
    )
    first, second = page.locator(EDITOR).nth(0), page.locator(EDITOR).nth(1)
    expect(second.locator(".vf-edit-node")).to_have_count(3, timeout=60_000)
    second.scroll_into_view_if_needed()
    getitem = by_name(second, "getitem")
    expect(getitem.locator(".vf-edit-output .vf-edit-port-shape")).to_have_text("(3, 5) float32")
    select(second, getitem.get_attribute("data-node-id") or "")
    page.keyboard.press("Control+c")
    press(second, "Control+v")
    pasted = by_name(second, "getitem_1")
    expect(pasted).to_have_count(1)
    connect(second, by_name(second, "x").get_attribute("data-node-id") or "",
            pasted.get_attribute("data-node-id") or "", 0)  # fmt: skip
    expect(pasted.locator(".vf-edit-output .vf-edit-port-shape")).to_have_text("(3, 5) float32")
    expect(pasted).to_have_attribute("data-state", "valid")
    screenshot(page, "editor-actions-array-param-pasted")
    # into the other editor: the kernel gives it its own copy of the same index
    first.scroll_into_view_if_needed()
    first.locator(".react-flow__pane").click(position={"x": 40, "y": 40})
    press(first, "Control+v")
    expect(by_name(first, "getitem")).to_have_count(1)
    run_code(page, "print(ed.doc.by_name('getitem').params['index'][0].tolist(), end='')")
    cell = page.locator(".jp-Notebook .jp-Cell", has_text="print(ed.doc.by_name")
    expect(cell.locator(".jp-OutputArea-output")).to_have_text("[3, 0, 2]")


def test_a_constant_array_pastes_into_another_editor_with_the_copied_values(
    page: Page, ed: Locator
) -> None:
    """Two editors number their nodes alike, so each one's constant 'table' has the same id but
    other values: the copy pasted into the other editor, wired and run there, has the copied
    values, not that editor's own table's. Runs last: it adds two editors."""
    before = page.locator(EDITOR).count()
    run_code(
        page,
        "import numpy as np\n"
        "src = vf.Editor(height='300px')\n"
        "src.constant('table', np.array([1.5, -2.0, 3.25]))\n"
        "src",
    )
    run_code(
        page,
        "dst = vf.Editor(height='360px')\n"
        "dst.constant('table', np.array([9.0, 9.0, 9.0]))\n"
        "dst.add('neg', name='flip')\n"
        "at = src.doc.by_name('table')  # the paste lands 40 px down-right of it: room there\n"
        "dst.edit([{'cmd': 'move', 'positions': {\n"
        "    dst.doc.by_name('table').id: {'x': at.x, 'y': at.y + 200},\n"
        "    dst.doc.by_name('flip').id: {'x': at.x + 320, 'y': at.y + 100}}}])\n"
        "assert dst.doc.by_name('table').id == at.id\n"
        "dst",
    )
    expect(page.locator(EDITOR)).to_have_count(before + 2, timeout=60_000)
    source, target = page.locator(EDITOR).nth(before), page.locator(EDITOR).nth(before + 1)
    expect(target.locator(".vf-edit-node")).to_have_count(2, timeout=60_000)
    source.scroll_into_view_if_needed()
    select(source, by_name(source, "table").get_attribute("data-node-id") or "")
    page.keyboard.press("Control+c")
    target.scroll_into_view_if_needed()
    target.locator(".react-flow__pane").click(position={"x": 40, "y": 200})
    press(target, "Control+v")
    pasted = by_name(target, "table_1")
    expect(pasted).to_have_count(1)
    flip = by_name(target, "flip")
    connect(target, pasted.get_attribute("data-node-id") or "",
            flip.get_attribute("data-node-id") or "", 0)  # fmt: skip
    expect(flip).to_have_attribute("data-state", "valid")
    target.locator("[data-action='run']").click()
    expect(flip).to_have_attribute("data-state", "executed", timeout=60_000)
    expect(pasted.locator(".vf-edit-value")).to_have_text("[ 1.5  -2.    3.25]")
    expect(flip.locator(".vf-edit-value")).to_have_text("[-1.5   2.   -3.25]")
    screenshot(page, "editor-actions-constant-array-pasted-across-editors")
    run_code(page, "print(dst.values['table_1'].tolist(), end='')")
    cell = page.locator(".jp-Notebook .jp-Cell", has_text="print(dst.values")
    expect(cell.locator(".jp-OutputArea-output")).to_have_text("[1.5, -2.0, 3.25]")


def test_an_array_constant_shows_its_array_and_a_small_one_is_edited(
    page: Page, ed: Locator
) -> None:
    """The inspector of a constant holding an array shows its dtype, shape and values; a small
    one's values are edited there (checked as typed), a big one's are a read-only preview.
    Runs last: it adds an editor."""
    before = page.locator(EDITOR).count()
    run_code(
        page,
        "import numpy as np\n"
        "consts = vf.Editor(height='420px')\n"
        "consts.constant('table', np.array([1.5, -2.0, 3.25]))\n"
        "consts.constant('big', np.arange(1000, dtype=np.float32))\n"
        "consts.edit([{'cmd': 'move', 'positions': {\n"
        "    consts.doc.by_name('big').id: {'x': 0, 'y': 160}}}])\n"
        "consts",
    )
    expect(page.locator(EDITOR)).to_have_count(before + 1, timeout=60_000)
    consts = page.locator(EDITOR).nth(before)
    expect(consts.locator(".vf-edit-node")).to_have_count(2, timeout=60_000)
    consts.scroll_into_view_if_needed()
    inspector = select(consts, by_name(consts, "table").get_attribute("data-node-id") or "")
    expect(inspector.locator("[data-held-dtype]")).to_have_text("float64")
    expect(inspector.locator("[data-held-shape]")).to_have_text("(3,)")
    field = inspector.locator("[data-field='held-values'] input")
    expect(field).to_have_value("[1.5,-2,3.25]")
    field.fill("[1, 2]")
    field.press("Enter")
    expect(inspector.locator(".vf-edit-field-error")).to_have_text("give (3,) values, not (2,)")
    v = version(consts)
    field.fill("[0.5, 1, 2]")
    field.press("Enter")
    wait_version_above(consts, v)
    expect(inspector.locator(".vf-edit-field-error")).to_have_count(0)
    screenshot(page, "editor-actions-constant-array-inspector")
    run_code(page, "print(consts.doc.arrays[consts.doc.by_name('table').id].tolist(), end='')")
    cell = page.locator(".jp-Notebook .jp-Cell", has_text="print(consts.doc.arrays")
    expect(cell.locator(".jp-OutputArea-output")).to_have_text("[0.5, 1.0, 2.0]")
    consts.scroll_into_view_if_needed()
    inspector = select(consts, by_name(consts, "big").get_attribute("data-node-id") or "")
    expect(inspector.locator("[data-held-shape]")).to_have_text("(1000,)")
    expect(inspector.locator("[data-field='held-values']")).to_have_count(0)
    expect(inspector.locator("[data-held-preview]")).to_contain_text("999.")
    expect(inspector.locator(".vf-edit-held-note")).to_contain_text("1,000 values: read-only")
    screenshot(page, "editor-actions-big-constant-inspector")
