"""Layout of the graphs people make: a training step's phase bands are compact, a
comparison puts matched nodes at the same place in both panes, and the minimap never
covers the node a viewer opens on; a training step's inputs open its forward band and a
layer's parameters sit inside its group, in the single view and in compare alike.

One page and one run notebook for the module: viewers 0-4 are tutorial 02's training
step, a compare of a training step (a loss with a redundant penalty) before/after
vf.optimize, a 40-layer Sequential, a flat 10,000-node chain and tutorial 02's training
step compared with itself after vf.optimize.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.harness import LabServer, screenshot
from tests.browser.readable_helpers import box, inside, overlaps
from tests.browser.viewer_helpers import (
    js_click,
    open_and_run,
    shared_page,
    viewer,
    write_notebook,
)

# Tutorial 02's model and step (its training loop left out: the traced graph is the same).
TUTORIAL_02 = """
import numpy as np
import vizflow as vf
from vizflow import data, nn, optim
import vizflow.nn.functional as F

vf.manual_seed(0)
images, labels = data.load_digits()
x_train, x_test, y_train, y_test = data.train_test_split(images, labels, test_fraction=0.25, seed=0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

@vf.function
def train_step(xb, yb):
    opt.zero_grad()
    loss = F.cross_entropy(model(xb), yb)
    loss.backward()
    opt.step()
    return loss

loader = data.DataLoader(data.TensorDataset(x_train, y_train), batch_size=64, shuffle=True,
                         drop_last=True)
xb, yb = next(iter(loader))
graph = train_step.graph(xb, yb)
"""

# A step whose loss carries a penalty computed twice and multiplied by zero: vf.optimize
# folds, simplifies, merges and drops 21 of its nodes.
PENALTY_COMPARE = """
@vf.function
def penalty_step(xb, yb):
    opt.zero_grad()
    h = model(xb)
    penalty = (h * h).mean() + (h * h).mean()
    loss = F.cross_entropy(h * 1.0, yb) + 0.0 * penalty
    loss.backward()
    opt.step()
    return loss

step_graph = penalty_step.graph(xb, yb)
optimized, report = vf.optimize(step_graph)
vf.show(step_graph, compare=optimized, title="penalty step before / after vf.optimize")
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

# Tutorial 02's own compare: its step before/after vf.optimize.
TRAINING_COMPARE = """
optimized, report = vf.optimize(graph)
vf.show(graph, compare=optimized, title="before / after vf.optimize")
"""

CELLS = [
    TUTORIAL_02,
    'vf.show(graph, title="training step")',
    PENALTY_COMPARE,
    SEQUENTIAL,
    CHAIN,
    TRAINING_COMPARE,
]
TRAINING, COMPARED, SEQUENTIAL_40, CHAIN_10K, TRAINING_COMPARED = range(5)


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    yield from shared_page(browser)


@pytest.fixture(scope="module")
def notebook(page: Page, lab_server: LabServer) -> Page:
    path = write_notebook(lab_server, "readable_layout.ipynb", CELLS)
    open_and_run(page, lab_server, path, "readable-layout")
    return page


def band_gaps(pane: Locator, band: str) -> dict[str, float]:
    """A band frame's widest stretch along the flow (x) and across it (y) that no box
    inside it covers, and the narrowest node drawn: screen pixels."""
    gaps: dict[str, float] = pane.evaluate(
        """(p, band) => {
            const frame = p.querySelector(`.vf-frame[data-frame-path="${band}"]`);
            const f = frame.getBoundingClientRect();
            const inside = [...p.querySelectorAll('.vf-node, .vf-group, .vf-frame')]
                .filter(e => e !== frame)
                .map(e => e.getBoundingClientRect())
                .filter(b => b.left >= f.left - 1 && b.right <= f.right + 1
                    && b.top >= f.top - 1 && b.bottom <= f.bottom + 1);
            const widest = (spans, lo, hi) => {
                spans.sort((a, b) => a[0] - b[0]);
                let reached = lo, gap = 0;
                for (const [from, to] of spans) {
                    gap = Math.max(gap, from - reached);
                    reached = Math.max(reached, to);
                }
                return Math.max(gap, hi - reached);
            };
            const title = frame.querySelector('.vf-frame-title').getBoundingClientRect();
            return {
                along: widest(inside.map(b => [b.left, b.right]), f.left, f.right),
                across: widest(inside.map(b => [b.top, b.bottom]), title.bottom, f.bottom),
                node: Math.min(...[...p.querySelectorAll('.vf-node')]
                    .map(n => n.getBoundingClientRect().width)),
                members: inside.length,
            };
        }""",
        band,
    )
    return gaps


def test_training_step_bands_are_compact(notebook: Page) -> None:
    v = viewer(notebook, TRAINING)
    pane = v.locator(".vf-pane")
    screenshot(notebook, "layout-training-step")
    # Seen whole, the forward band has no blank stretch wider than two nodes along the flow
    # (a layer gap holds its edges' labels) nor one node across it.
    js_click(pane.locator(".vf-fit"))
    notebook.wait_for_timeout(300)
    forward = band_gaps(pane, "forward")
    assert forward["members"] >= 5, forward
    assert forward["along"] < 2 * forward["node"], forward
    assert forward["across"] < forward["node"], forward
    # Each band ends where its own members do: the backward band runs past the loss,
    # the forward band does not follow it.
    fwd = box(pane.locator('.vf-frame[data-frame-path="forward"]'))
    bwd = box(pane.locator('.vf-frame[data-frame-path="backward ∇"]'))
    assert fwd["right"] < bwd["right"] - 1, (fwd, bwd)
    screenshot(notebook, "layout-training-step-fit")


def named_box(pane: Locator, name: str) -> dict[str, float]:
    """The page box of the pane's op node with this name."""
    return box(
        pane.locator(".vf-node").filter(has=pane.page.locator(f'.vf-node-name:text-is("{name}")'))
    )


def test_training_step_inputs_open_the_forward_band(notebook: Page) -> None:
    v = viewer(notebook, TRAINING)
    pane = v.locator(".vf-pane")
    js_click(pane.locator(".vf-fit"))
    notebook.wait_for_timeout(300)
    # xb and yb (yb read only by the loss) both lie before every layer of the forward band,
    # and the band ends soon after its tallest layer (yb no longer sits under the last one).
    band = box(pane.locator('.vf-frame[data-frame-path="forward"]'))
    layers = [
        box(f)
        for f in pane.locator('.vf-frame[data-frame-path^="forward/"]').all()
        + pane.locator('.vf-group[data-group-path^="forward/"]').all()
    ]
    assert len(layers) >= 3, layers
    first = min(layer["left"] for layer in layers)
    for name in ("xb", "yb"):
        b = named_box(pane, name)
        assert b["right"] <= first, (name, b, first)
    node_h = named_box(pane, "xb")["bottom"] - named_box(pane, "xb")["top"]
    tallest = max(layer["bottom"] for layer in layers)
    # Below the layers: the lane of yb's edge to the loss and the band's padding (yb under
    # the last layer left 1.7 nodes there).
    assert band["bottom"] - tallest < 1.5 * node_h, (band, tallest, node_h)
    screenshot(notebook, "layout-training-step-inputs")


def node_boxes(pane: Locator) -> dict[str, dict[str, float]]:
    """Each unchanged op node drawn on the pane's canvas, by name: its box relative to the
    canvas's top-left corner."""
    boxes: dict[str, dict[str, float]] = pane.evaluate(
        """p => {
            const c = p.querySelector('.vf-graph-canvas').getBoundingClientRect();
            const out = {};
            for (const n of p.querySelectorAll('.vf-node:not([data-diff])')) {
                const name = n.querySelector('.vf-node-name')?.textContent;
                const b = n.getBoundingClientRect();
                const seen = b.right > c.left && b.left < c.right
                    && b.bottom > c.top && b.top < c.bottom;
                if (name && seen) {
                    out[name] = {left: b.left - c.left, top: b.top - c.top,
                                 width: b.width, height: b.height};
                }
            }
            return out;
        }"""
    )
    return boxes


def test_compare_puts_matched_nodes_at_the_same_place(notebook: Page) -> None:
    v = viewer(notebook, COMPARED)
    left, right = v.locator(".vf-pane").nth(0), v.locator(".vf-pane").nth(1)
    expect(v.locator(".vf-diff-bar")).to_contain_text("removed")
    # The two panes open on the same view (B is drawn A's size, its nodes at A's places).
    transforms = [
        p.locator(".react-flow__viewport").evaluate("e => e.style.transform") for p in (left, right)
    ]
    assert transforms[0] == transforms[1], transforms
    a, b = node_boxes(left), node_boxes(right)
    shared = sorted(set(a) & set(b))
    assert len(shared) >= 3, (sorted(a), sorted(b))
    off = {
        k: (round(a[k]["left"] - b[k]["left"]), round(a[k]["top"] - b[k]["top"]))
        for k in shared
        if abs(a[k]["left"] - b[k]["left"]) > 3 or abs(a[k]["top"] - b[k]["top"]) > 3
    }
    assert off == {}, off
    screenshot(notebook, "layout-compare-matched")
    # Seen whole (Fit on each side), the two layouts are the same size: the same view.
    for pane in (left, right):
        js_click(pane.locator(".vf-fit"))
    notebook.wait_for_timeout(300)
    a, b = node_boxes(left), node_boxes(right)
    shared = sorted(set(a) & set(b))
    assert len(shared) >= 20, (sorted(a), sorted(b))
    far = [
        k
        for k in shared
        if abs(a[k]["left"] - b[k]["left"]) > 2 or abs(a[k]["top"] - b[k]["top"]) > 2
    ]
    assert far == [], far
    screenshot(notebook, "layout-compare-whole")


def opening_box(pane: Locator) -> dict[str, float]:
    """The box the viewer opened on: the first drawn node or group along the flow (the
    graph's input), inside the canvas."""
    b: dict[str, float] = pane.evaluate(
        """p => {
            const c = p.querySelector('.vf-graph-canvas').getBoundingClientRect();
            const boxes = [...p.querySelectorAll('.vf-node, .vf-group')]
                .map(e => e.getBoundingClientRect())
                .filter(b => b.width > 0 && b.right > c.left && b.left < c.right
                    && b.bottom > c.top && b.top < c.bottom);
            const first = boxes.reduce((m, b) => (b.left < m.left ? b : m));
            return {left: first.left, top: first.top, right: first.right, bottom: first.bottom};
        }"""
    )
    return b


@pytest.mark.parametrize(
    ("index", "name"),
    [(TRAINING, "training-step"), (SEQUENTIAL_40, "sequential-40"), (CHAIN_10K, "chain-10k")],
)
def test_minimap_never_covers_the_opening_node(notebook: Page, index: int, name: str) -> None:
    v = viewer(notebook, index)
    pane = v.locator(".vf-pane")
    start = opening_box(pane)
    canvas = box(pane.locator(".vf-graph-canvas"))
    minimap = pane.locator(".react-flow__minimap")
    toggle = pane.locator(".vf-map-toggle")
    # Shown untouched where the graph is far larger than the canvas (the training step), or
    # asked for with the Map button where it nearly fits (hidden untouched).
    if index == TRAINING:
        expect(toggle).to_have_attribute("aria-pressed", "true")
    if minimap.count() == 0:
        js_click(toggle)
    expect(minimap).to_have_count(1)
    m = box(minimap)
    assert not overlaps(start, m), (start, m)
    # Small and see-through: a fifth of the canvas's width and a quarter of its height at most.
    assert m["right"] - m["left"] <= (canvas["right"] - canvas["left"]) * 0.2 + 2, (m, canvas)
    assert m["bottom"] - m["top"] <= (canvas["bottom"] - canvas["top"]) * 0.25 + 2, (m, canvas)
    assert float(minimap.evaluate("e => getComputedStyle(e).opacity")) < 1
    screenshot(notebook, f"layout-minimap-{name}")


def test_compare_draws_parameters_inside_their_layer(notebook: Page) -> None:
    # In the single view and on both sides of a compare, 0.weight and 0.bias are drawn
    # inside layer 0's frame ("0 · Linear"), as its members.
    panes = [viewer(notebook, TRAINING).locator(".vf-pane")]
    compared = viewer(notebook, TRAINING_COMPARED)
    panes += [compared.locator(".vf-pane").nth(0), compared.locator(".vf-pane").nth(1)]
    screenshot(notebook, "layout-compare-training-step")
    for pane in panes:
        js_click(pane.locator(".vf-fit"))
    notebook.wait_for_timeout(300)
    for i, pane in enumerate(panes):
        layer = box(pane.locator('.vf-frame[data-frame-path="forward/0"]'))
        for name in ("0.weight", "0.bias"):
            b = named_box(pane, name)
            assert inside(b, layer), (i, name, b, layer)
    screenshot(notebook, "layout-compare-training-step-fit")
