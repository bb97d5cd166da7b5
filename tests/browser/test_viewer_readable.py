"""Every graph opens legible: text size at the default zoom, where the view opens, the height,
the wheel, the collapse/expand toggle, ports, the inspector beside the selection.

One page and one run notebook for the module (tests run in file order): viewers 0-4 are a
training step, a 40-layer Sequential, a flat 10,000-node chain, a compare before/after
vf.optimize and a 7-step RNN.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.harness import LabServer, screenshot
from tests.browser.readable_helpers import (
    MIN_TEXT_PX,
    box,
    inside,
    nodes_in_view,
    overlaps,
    smallest_text_px,
    visible_handles,
    zoom,
)
from tests.browser.viewer_helpers import (
    draw_count,
    js_click,
    open_and_run,
    shared_page,
    viewer,
    wait_redrawn,
    write_notebook,
)

SETUP = """
import numpy as np
import vizflow as vf
from vizflow import nn, optim
import vizflow.nn.functional as F

vf.manual_seed(0)
rng = np.random.default_rng(0)
xb = vf.tensor(rng.standard_normal((64, 64)).astype(np.float32))
yb = vf.tensor(rng.integers(0, 10, 64))
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

@vf.function
def train_step(xb, yb):
    opt.zero_grad()
    loss = F.cross_entropy(model(xb), yb)
    loss.backward()
    opt.step()
    return loss

graph = train_step.graph(xb, yb)
"""

SEQUENTIAL = """
big = nn.Sequential(*[m for _ in range(40) for m in (nn.Linear(32, 32), nn.ReLU())])
vf.show(big(vf.tensor(np.ones((4, 32), np.float32))).sum())
"""

CHAIN = """
c = vf.tensor(np.ones(3, np.float32), requires_grad=True)
for _ in range(10_000):
    c = c + 1
vf.show(c)
"""

COMPARE = """
optimized, report = vf.optimize(graph)
vf.show(graph, compare=optimized, title="before / after vf.optimize")
"""

RNN = """
class RNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = nn.Linear(16, 16)

    def forward(self, x):
        h = x
        for _ in range(7):
            h = self.cell(h).tanh()
        return h

vf.show(RNN()(vf.tensor(np.ones((2, 16), np.float32))).sum())
"""

UNMATCHED = """
from vizflow_kernelext import GraphViewer

def chain(names, title):
    nodes = [dict(id=n, op="relu", name=n, category="elementwise", shape=[4], dtype="float32",
                  device="cpu", scope="", phase="forward") for n in names]
    edges = [dict(id=f"e{i}", source=a, target=b, target_port=0, shape=[4], dtype="float32")
             for i, (a, b) in enumerate(zip(names, names[1:]))]
    return dict(version="1.0", title=title, nodes=nodes, edges=edges, outputs=[names[-1]])

GraphViewer(chain(["x", "h", "only_left", "y"], "left"), compare=chain(["x", "h", "y"], "right"))
"""

# The view side of the NaN hunt, on a drawn payload whose nodes carry the kernel's marks:
# a 60-op chain where n40 and n50 produce non-finite values and every later op passes one on.
NAN_MARKED = """
from IPython.display import display

def nan_chain(n=60, producers=(40, 50)):
    nodes, edges = [], []
    for i in range(n):
        node = dict(id=f"n{i}", op="log" if i in producers else "mul", name=f"n{i}",
                    category="elementwise", shape=[] if i == n - 1 else [8], dtype="float32",
                    device="cpu", scope="", phase="forward",
                    source=dict(file="model.py", line=100 + i))
        if i in producers:
            node["nonfinite"] = "produced"
        elif i > producers[0]:
            node["nonfinite"] = "passed"
        nodes.append(node)
        if i:
            edges.append(dict(id=f"e{i}", source=f"n{i-1}", target=f"n{i}", target_port=0,
                              shape=[8], dtype="float32"))
    return dict(version="1.0", title="nan chain", nodes=nodes, edges=edges,
                outputs=[f"n{n - 1}"])

display({"application/vnd.vizflow.graph+json": nan_chain()}, raw=True)
"""

# A model whose loss goes NaN: the log of a negative output produces it, the mean passes it on.
NAN_LOSS = """
torch_like = nn.Sequential(*[m for _ in range(6) for m in (nn.Linear(8, 8), nn.ReLU())],
                           nn.Linear(8, 1))
with vf.no_grad():
    torch_like[-1].bias.fill_(-5.0)
out = torch_like(vf.tensor(np.ones((4, 8), np.float32)))
nan_loss = out.log().mean()
vf.show(nan_loss)
"""

CELLS = [
    SETUP,
    'vf.show(graph, title="training step")',
    SEQUENTIAL,
    CHAIN,
    COMPARE,
    RNN,
    UNMATCHED,
    NAN_MARKED,
    NAN_LOSS,
]
TRAINING, SEQUENTIAL_40, CHAIN_10K, COMPARED, RNN_7 = range(5)
PAIR_UNMATCHED, NAN_CHAIN, NAN_HUNT = range(5, 8)


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    yield from shared_page(browser)


@pytest.fixture(scope="module")
def notebook(page: Page, lab_server: LabServer) -> Page:
    path = write_notebook(lab_server, "viewer_readable.ipynb", CELLS)
    open_and_run(page, lab_server, path, "readable")
    return page


def legible_viewer(page: Page, index: int) -> Locator:
    """The index-th viewer, drawn, with every pane's text readable and something in view."""
    v = viewer(page, index)
    for pane in v.locator(".vf-pane").all():
        text = smallest_text_px(pane)
        assert text >= MIN_TEXT_PX, (index, text, zoom(pane))
        assert nodes_in_view(pane) >= 1, index
    return v


def test_training_step_opens_legible(notebook: Page) -> None:
    v = legible_viewer(notebook, TRAINING)
    pane = v.locator(".vf-pane")
    # Ports are not drawn (edges still end at the nodes' sides).
    assert pane.locator(".react-flow__handle").count() > 0
    assert visible_handles(pane) == 0
    assert pane.locator(".react-flow__edge").count() > 0
    # The auto height follows the graph, within its bounds.
    canvas = box(pane.locator(".vf-graph-canvas"))
    assert 200 - 1 <= canvas["bottom"] - canvas["top"] <= 560 + 1, canvas
    # No edge label is drawn over a node.
    covered = pane.evaluate(
        """p => {
            const nodes = [...p.querySelectorAll('.vf-node, .vf-group')]
                .map(n => n.getBoundingClientRect());
            return [...p.querySelectorAll('.react-flow__edge-text')].filter(t => {
                const r = t.getBoundingClientRect();
                return nodes.some(n => r.left < n.right - 1 && n.left < r.right - 1
                    && r.top < n.bottom - 1 && n.top < r.bottom - 1);
            }).map(t => t.textContent);
        }"""
    )
    assert covered == [], covered
    # Far bigger than the canvas: the minimap is there to find one's way.
    expect(pane.locator(".react-flow__minimap")).to_have_count(1)
    screenshot(notebook, "readable-training-step")


def test_sequential_40_opens_legible_and_toggles(notebook: Page) -> None:
    v = legible_viewer(notebook, SEQUENTIAL_40)
    pane = v.locator(".vf-pane")
    # The 40 (Linear, ReLU) layers are one run, badged with its copies, named with its types.
    expect(pane.locator(".vf-repeat-badge", has_text="×40").first).to_be_attached()
    expect(pane.locator(".vf-group-title", has_text="Linear+ReLU").first).to_be_attached()
    screenshot(notebook, "readable-sequential-40")
    toggle = pane.locator(".vf-collapse-all")
    labels = {"Collapse all": "Expand all", "Expand all": "Collapse all"}
    first = toggle.inner_text()
    frames = pane.locator(".vf-frame").count()
    n = draw_count(pane)
    js_click(toggle)
    wait_redrawn(pane, n)
    # One click flips the button and the groups: all open (frames) or all closed (none)...
    expect(toggle).to_have_text(labels[first])
    if first == "Collapse all":
        expect(pane.locator(".vf-frame")).to_have_count(0)
    else:
        assert pane.locator(".vf-frame").count() > frames
    # ...and the same button goes back.
    n = draw_count(pane)
    js_click(toggle)
    wait_redrawn(pane, n)
    expect(toggle).to_have_text(first)


def test_flat_chain_opens_on_its_input(notebook: Page) -> None:
    v = legible_viewer(notebook, CHAIN_10K)
    pane = v.locator(".vf-pane")
    expect(pane.locator(".vf-graph-counts")).to_contain_text("10001 nodes")
    # The view opens at the chain's start: its first box (the leaf, or the group
    # holding it) begins at the canvas's left edge.
    canvas = box(pane.locator(".vf-graph-canvas"))
    start = pane.evaluate(
        """p => {
            const c = p.querySelector('.vf-graph-canvas').getBoundingClientRect();
            const xs = [...p.querySelectorAll('.vf-node, .vf-group')]
                .map(n => n.getBoundingClientRect())
                .filter(b => b.right > c.left && b.left < c.right);
            return Math.min(...xs.map(b => b.left)) - c.left;
        }"""
    )
    assert 0 <= start <= 80, start
    height = canvas["bottom"] - canvas["top"]
    assert height <= 560 + 1, canvas
    # Its chunks are cuts of one chain, not repeats: no ×N; titles fit their boxes.
    expect(pane.locator(".vf-group .vf-repeat-badge")).to_have_count(0)
    cut = pane.evaluate(
        """p => [...p.querySelectorAll('.vf-group-name')]
            .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"""
    )
    assert cut == [], cut
    screenshot(notebook, "readable-chain-10k")


def flow_x(pane: Locator) -> dict[str, float]:
    """Each drawn box's place along the flow (graph coordinates), by its data-id."""
    places: dict[str, float] = pane.evaluate(
        """p => Object.fromEntries([...p.querySelectorAll('.react-flow__node')].map(n =>
            [n.dataset.id, new DOMMatrix(getComputedStyle(n).transform).m41]))"""
    )
    return places


def test_compare_opens_legible(notebook: Page) -> None:
    v = legible_viewer(notebook, COMPARED)
    panes = v.locator(".vf-pane")
    expect(panes).to_have_count(2)
    # Side by side the panes are narrow: no minimap over the graph until asked for.
    expect(v.locator(".react-flow__minimap")).to_have_count(0)
    # title= heads the pair; each side keeps its own graph's name.
    expect(v.locator(".vf-compare-caption")).to_have_text("before / after vf.optimize")
    expect(panes.nth(0).locator(".vf-graph-title")).to_have_text("A · train_step")
    expect(panes.nth(1).locator(".vf-graph-title")).to_contain_text("B · ")
    screenshot(notebook, "readable-compare")


def test_compare_lines_matched_boxes_up(notebook: Page) -> None:
    v = viewer(notebook, COMPARED)
    left, right = v.locator(".vf-pane").nth(0), v.locator(".vf-pane").nth(1)
    for pane in (left, right):
        js_click(pane.locator(".vf-fit"))
    notebook.wait_for_timeout(300)
    a, b = flow_x(left), flow_x(right)
    # The forward band's layers (and the loss) sit at the same place along the flow.
    shared = [k for k in a if k in b and k.startswith(("group:forward/", "frame:forward/"))]
    assert len(shared) >= 3, (sorted(a), sorted(b))
    assert all(abs(a[k] - b[k]) < 1 for k in shared), {k: (a[k], b[k]) for k in shared}
    screenshot(notebook, "readable-compare-aligned")


def viewport_transform(pane: Locator) -> str:
    """The pane's pan and zoom, as xyflow writes it on its viewport element."""
    return pane.locator(".react-flow__viewport").evaluate("e => e.style.transform")


def test_compare_panes_pan_together(notebook: Page) -> None:
    v = viewer(notebook, COMPARED)
    left, right = v.locator(".vf-pane").nth(0), v.locator(".vf-pane").nth(1)
    c = box(left.locator(".vf-graph-canvas"))
    x, y = c["right"] - 20, c["top"] + 12  # a corner fitting leaves empty (no node to drag)
    before = viewport_transform(right)
    notebook.mouse.move(x, y)  # a drag on the empty canvas pans pane A
    notebook.mouse.down()
    notebook.mouse.move(x - 60, y + 40, steps=6)
    notebook.mouse.up()
    expect(right.locator(".react-flow__viewport")).not_to_have_attribute(
        "style", re.compile(re.escape(before))
    )
    assert viewport_transform(right) == viewport_transform(left)
    # and back: a drag on pane B moves pane A
    d = box(right.locator(".vf-graph-canvas"))
    x, y = d["right"] - 20, d["top"] + 12
    moved = viewport_transform(left)
    notebook.mouse.move(x, y)
    notebook.mouse.down()
    notebook.mouse.move(x - 30, y + 50, steps=6)
    notebook.mouse.up()
    expect(left.locator(".react-flow__viewport")).not_to_have_attribute(
        "style", re.compile(re.escape(moved))
    )
    assert viewport_transform(left) == viewport_transform(right)
    screenshot(notebook, "readable-compare-linked")


def test_rnn_opens_legible(notebook: Page) -> None:
    v = legible_viewer(notebook, RNN_7)
    pane = v.locator(".vf-pane")
    # The loop reads as one run of the cell's numbered instances.
    expect(pane.locator(".vf-group-name", has_text="cell[0…6]")).to_be_attached()
    expect(pane.locator(".vf-repeat-badge", has_text="×7")).to_be_attached()
    # Seen whole, the graph needs no minimap over its corner.
    expect(pane.locator(".react-flow__minimap")).to_have_count(0)
    screenshot(notebook, "readable-rnn-7")


def test_wheel_scrolls_the_notebook_unless_focused(notebook: Page) -> None:
    v = viewer(notebook, TRAINING)
    pane = v.locator(".vf-pane")
    scroller = notebook.locator(".jp-NotebookPanel .jp-WindowedPanel-outer").first
    notebook.evaluate("() => document.activeElement && document.activeElement.blur()")
    c = box(pane.locator(".vf-graph-canvas"))
    x, y = (c["left"] + c["right"]) / 2, (c["top"] + c["bottom"]) / 2
    z0 = zoom(pane)
    top0 = scroller.evaluate("e => e.scrollTop")
    notebook.mouse.move(x, y)
    notebook.mouse.wheel(0, 120)
    notebook.wait_for_timeout(300)
    assert zoom(pane) == z0
    assert scroller.evaluate("e => e.scrollTop") != top0
    # Ctrl+wheel zooms without the focus.
    v.scroll_into_view_if_needed()
    c = box(pane.locator(".vf-graph-canvas"))
    x, y = (c["left"] + c["right"]) / 2, (c["top"] + c["bottom"]) / 2
    notebook.mouse.move(x, y)
    notebook.keyboard.down("Control")
    notebook.mouse.wheel(0, -120)
    notebook.keyboard.up("Control")
    notebook.wait_for_timeout(300)
    z1 = zoom(pane)
    assert z1 != z0
    # Clicked (focused), the plain wheel zooms and the notebook stays put.
    pane.locator(".react-flow__pane").click(position={"x": 5, "y": 5})
    expect(pane.locator(".vf-graph-canvas")).to_have_attribute("data-wheel", "canvas")
    top1 = scroller.evaluate("e => e.scrollTop")
    notebook.mouse.move(x, y)
    notebook.mouse.wheel(0, 120)
    notebook.wait_for_timeout(300)
    assert zoom(pane) != z1
    assert scroller.evaluate("e => e.scrollTop") == top1


def test_viewer_can_be_dragged_taller(notebook: Page) -> None:
    v = viewer(notebook, TRAINING)
    body = v.locator(".vf-graph-body")
    grip = box(v.locator(".vf-resize-grip"))
    before = box(body)
    x, y = (grip["left"] + grip["right"]) / 2, (grip["top"] + grip["bottom"]) / 2
    notebook.mouse.move(x, y)
    notebook.mouse.down()
    notebook.mouse.move(x, y + 150, steps=5)
    notebook.mouse.up()
    after = box(body)
    taller = (after["bottom"] - after["top"]) - (before["bottom"] - before["top"])
    assert 140 <= taller <= 160, (before, after)


def test_inspector_never_covers_the_selected_node(notebook: Page) -> None:
    v = viewer(notebook, TRAINING)
    pane = v.locator(".vf-pane")
    # The node furthest right: where the inspector opens.
    nodes = pane.locator(".react-flow__node-op")
    rights = nodes.evaluate_all("ns => ns.map(n => n.getBoundingClientRect().right)")
    target = nodes.nth(rights.index(max(rights)))
    node_id = target.get_attribute("data-id")
    js_click(target)
    inspector = pane.locator(".vf-inspector")
    expect(inspector).to_be_visible()
    notebook.wait_for_timeout(300)
    selected = box(pane.locator(f".react-flow__node[data-id='{node_id}'] .vf-node"))
    assert not overlaps(selected, box(inspector)), (selected, box(inspector))
    assert inside(selected, box(pane.locator(".vf-graph-canvas"))), selected
    screenshot(notebook, "readable-inspector-beside")


def select_by_search(pane: Locator, name: str) -> None:
    """Select a node by name through the pane's search (it may lie off screen, culled)."""
    field = pane.locator(".vf-search-input")
    field.fill(name)
    field.press("Enter")


def test_a_node_without_match_says_so_in_the_other_pane(notebook: Page) -> None:
    v = viewer(notebook, PAIR_UNMATCHED)
    left, right = v.locator(".vf-pane").nth(0), v.locator(".vf-pane").nth(1)
    select_by_search(left, "h")
    expect(right.locator(".react-flow__node.selected")).to_have_attribute("data-id", "h")
    select_by_search(left, "only_left")
    # No silent pick of another node: the other side says there is no match, selects nothing.
    expect(right.locator(".vf-no-match")).to_contain_text("only_left")
    expect(right.locator(".react-flow__node.selected")).to_have_count(0)
    screenshot(notebook, "readable-compare-no-match")
    select_by_search(left, "y")
    expect(right.locator(".vf-no-match")).to_have_count(0)
    expect(right.locator(".react-flow__node.selected")).to_have_attribute("data-id", "y")


def test_compare_marks_and_steps_through_differences(notebook: Page) -> None:
    v = viewer(notebook, PAIR_UNMATCHED)
    left, right = v.locator(".vf-pane").nth(0), v.locator(".vf-pane").nth(1)
    bar = v.locator(".vf-diff-bar")
    expect(bar.locator(".vf-diff-count-added")).to_have_text("0 added")
    expect(bar.locator(".vf-diff-count-removed")).to_have_text("1 removed")
    expect(bar.locator(".vf-diff-count-changed")).to_have_text("0 changed")
    js_click(left.locator(".vf-fit"))
    expect(left.locator(".vf-node[data-diff]")).to_have_count(1)
    expect(left.locator(".vf-node[data-node-id='only_left']")).to_have_attribute(
        "data-diff", "removed"
    )
    expect(right.locator(".vf-node[data-diff]")).to_have_count(0)
    # The swatch (legend) has the mark's colour.
    colour = "e => getComputedStyle(e).getPropertyValue('--vf-diff-color').trim()"
    swatch = bar.locator(".vf-diff-swatch.vf-diff-removed")
    assert swatch.evaluate(colour) == left.locator(".vf-node[data-diff]").evaluate(colour) != ""
    # Next: the removed node selected on its side, the other side says it has no match.
    js_click(bar.locator(".vf-diff-next"))
    expect(bar.locator(".vf-diff-step")).to_contain_text("1/1: removed only_left")
    expect(left.locator(".react-flow__node.selected")).to_have_attribute("data-id", "only_left")
    expect(right.locator(".vf-no-match")).to_contain_text("only_left")
    screenshot(notebook, "readable-compare-diff")


def test_optimised_step_shows_its_differences(notebook: Page) -> None:
    v = viewer(notebook, COMPARED)
    bar = v.locator(".vf-diff-bar")
    expect(bar).to_be_visible()
    counts = [
        int(bar.locator(f".vf-diff-count-{k}").inner_text().split()[0])
        for k in ("added", "removed", "changed")
    ]
    steps = bar.locator(".vf-diff-step").inner_text()
    assert (sum(counts) == 0) == (steps == "no differences"), (counts, steps)
    if sum(counts) > 0:
        js_click(bar.locator(".vf-diff-next"))
        expect(bar.locator(".vf-diff-step")).to_contain_text("1/")
        expect(v.locator(".react-flow__node.selected").first).to_be_attached()
    screenshot(notebook, "readable-compare-optimised-diff")


def test_first_nan_selects_and_centres_the_first_producer(notebook: Page) -> None:
    v = legible_viewer(notebook, NAN_CHAIN)
    pane = v.locator(".vf-pane")
    # Opened on the first producer (the chain is too long to read whole).
    first = pane.locator(".vf-node[data-node-id='n40']")
    expect(first).to_have_attribute("data-nonfinite", "produced")
    assert inside(box(first), box(pane.locator(".vf-graph-canvas")))
    # Producers and passers are marked apart (border colour), the scalar loss marked too.
    passed = pane.locator(".vf-node[data-nonfinite='passed']").first
    colour = "e => getComputedStyle(e).borderTopColor"
    assert first.evaluate(colour) != passed.evaluate(colour)
    screenshot(notebook, "readable-nan-marks")
    # Pan away, then "First NaN" brings the first producer back, selected and centred.
    js_click(pane.locator(".vf-fit"))
    notebook.wait_for_timeout(300)  # a person's second click comes after the fit is drawn
    js_click(pane.locator(".vf-first-nan"))
    selected = pane.locator(".react-flow__node.selected")
    expect(selected).to_have_attribute("data-id", "n40")
    expect(pane.locator(".vf-inspector-name")).to_have_text("n40")
    expect(pane.locator(".vf-inspector")).to_contain_text("model.py:140")
    notebook.wait_for_timeout(300)
    node, canvas = box(selected), box(pane.locator(".vf-graph-canvas"))
    assert inside(node, canvas), (node, canvas)
    assert smallest_text_px(pane) >= MIN_TEXT_PX
    screenshot(notebook, "readable-first-nan")


def test_nan_hunt_finds_the_producer_of_a_nan_loss(notebook: Page) -> None:
    v = legible_viewer(notebook, NAN_HUNT)
    pane = v.locator(".vf-pane")
    # The scalar loss carries the NaN on; the log made it.
    js_click(pane.locator(".vf-fit"))
    notebook.wait_for_timeout(300)
    expect(pane.locator(".vf-node[data-nonfinite='passed']").first).to_be_attached()
    js_click(pane.locator(".vf-first-nan"))
    selected = pane.locator(".react-flow__node.selected .vf-node")
    expect(selected).to_have_attribute("data-nonfinite", "produced")
    expect(selected.locator(".vf-node-op")).to_contain_text("log")
    expect(pane.locator(".vf-inspector .vf-source-link")).to_be_attached()
    notebook.wait_for_timeout(300)
    node, canvas = box(selected), box(pane.locator(".vf-graph-canvas"))
    assert inside(node, canvas), (node, canvas)
    centre = (node["left"] + node["right"]) / 2
    assert abs(centre - (canvas["left"] + canvas["right"]) / 2) < 0.25 * (
        canvas["right"] - canvas["left"]
    ), (node, canvas)
    assert smallest_text_px(pane) >= MIN_TEXT_PX
    screenshot(notebook, "readable-nan-hunt")
