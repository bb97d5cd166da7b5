"""The graph-mode tutorial in a real JupyterLab: a training-step graph with backward and
update nodes, an overlay with its legend, SVG export, and before/after panes whose
selection follows each other.

The tests share one page and one run of tutorials/02_graph_mode.ipynb (file order).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.harness import LabServer, screenshot
from tests.browser.lab import open_notebook, run_all_cells
from tests.browser.viewer_helpers import api, js_click, shared_page

TUTORIAL = "02_graph_mode.ipynb"


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    yield from shared_page(browser)


@pytest.fixture(scope="module")
def viewers(page: Page, lab_server: LabServer) -> Locator:
    open_notebook(page, lab_server, TUTORIAL)
    run_all_cells(page, timeout_ms=240_000)
    found = page.locator(".vf-graph-viewer")
    expect(found).to_have_count(3, timeout=60_000)
    for index in range(3):
        expect(found.nth(index).locator(".vf-pane").first).to_have_attribute(
            "data-layout-state", "done", timeout=60_000
        )
    return found


def test_training_step_has_backward_and_update_nodes(page: Page, viewers: Locator) -> None:
    step = viewers.nth(0)
    step.scroll_into_view_if_needed()
    expect(step.locator(".vf-graph-title")).to_have_text("training step")
    counts = step.locator(".vf-graph-counts").inner_text()
    assert "38 nodes" in counts, counts  # 19 ops, 15 leaves, 4 gradient stores
    js_click(step.locator(".vf-toolbar button", has_text="Fit"))  # all on screen: none culled
    page.wait_for_timeout(500)
    ops = set(step.locator(".vf-node .vf-node-op").all_inner_texts())
    assert any("cross_entropy" in op for op in ops), ops
    assert any(op.endswith("update_") for op in ops), ops  # the optimiser's in-place updates
    screenshot(page, "graph-mode-training-step")


def test_overlay_colours_nodes_and_shows_a_legend(page: Page, viewers: Locator) -> None:
    step = viewers.nth(0)
    select = step.locator(".vf-overlay-select")
    labels = select.locator("option").all_inner_texts()
    assert "Output size (bytes)" in labels, labels
    select.select_option(label="Output size (bytes)")
    expect(step.locator(".vf-legend")).to_be_visible()
    expect(step.locator(".vf-overlaid").first).to_be_attached()
    screenshot(page, "graph-mode-overlay")
    select.select_option(label="no overlay")
    expect(step.locator(".vf-legend")).to_have_count(0)


def test_a_graph_shown_with_inputs_has_a_time_overlay_and_node_values(
    page: Page, viewers: Locator
) -> None:
    timed = viewers.nth(2)
    timed.scroll_into_view_if_needed()
    select = timed.locator(".vf-overlay-select")
    labels = select.locator("option").all_inner_texts()
    assert any(label.startswith("Time") for label in labels), labels
    select.select_option(label=next(label for label in labels if label.startswith("Time")))
    expect(timed.locator(".vf-legend")).to_be_visible()
    expect(timed.locator(".vf-overlaid").first).to_be_attached()
    js_click(timed.locator(".vf-fit"))  # opened at a readable zoom: show all, none culled
    page.wait_for_timeout(300)
    js_click(timed.locator(".vf-node", has_text="cross_entropy").first)
    stats = timed.locator(".vf-inspector [data-stats='value']")
    expect(stats).to_be_visible(timeout=30_000)
    expect(stats.locator("[data-stat='NaN'] td")).to_have_text("0")
    screenshot(page, "graph-mode-timed")


def test_svg_export_downloads_the_drawn_graph(page: Page, viewers: Locator) -> None:
    step = viewers.nth(0)
    with page.expect_download() as info:
        js_click(step.locator(".vf-toolbar button", has_text="SVG"))
    path = info.value.path()
    svg = path.read_text(encoding="utf-8")
    assert svg.lstrip().startswith(("<svg", "<?xml")) and svg.rstrip().endswith("</svg>")
    assert "cross_entropy" in svg


def header_problems(pane: Locator) -> list[str]:
    """What is cramped in a pane's header: a title or count wrapped onto more lines, or a
    control drawn outside the pane."""
    problems: list[str] = pane.evaluate(
        """p => {
            const out = [];
            const pb = p.getBoundingClientRect();
            const oneLine = el => {
                const cs = getComputedStyle(el);
                const line = parseFloat(cs.lineHeight) || 1.4 * parseFloat(cs.fontSize);
                return el.getBoundingClientRect().height < 1.6 * line;
            };
            for (const sel of ['.vf-graph-title', '.vf-graph-counts']) {
                const el = p.querySelector(sel);
                if (!oneLine(el)) out.push(`${sel} wraps: ${el.getBoundingClientRect().height}px`);
            }
            const controls = p.querySelectorAll(
                '.vf-graph-header input, .vf-graph-header select, .vf-graph-header button');
            for (const el of controls) {
                const b = el.getBoundingClientRect();
                if (b.left < pb.left - 1 || b.right > pb.right + 1 || b.width < 10)
                    out.push(`${el.className} outside the pane or squeezed: ${b.left}-${b.right}`);
            }
            return out;
        }"""
    )
    return problems


def test_before_and_after_panes_follow_each_others_selection(page: Page, viewers: Locator) -> None:
    pair = viewers.nth(1)
    pair.scroll_into_view_if_needed()
    panes = pair.locator(".vf-pane")
    expect(panes).to_have_count(2)
    left, right = panes.nth(0), panes.nth(1)
    # vf.show's title names the pair; each pane is headed by its own graph's name.
    expect(pair.locator(".vf-compare-caption")).to_have_text("before / after vf.optimize")
    expect(left.locator(".vf-graph-title")).to_have_text("A · train_step")
    expect(right.locator(".vf-graph-title")).to_have_text("B · train_step")
    named = left.locator(".vf-node", has=page.locator(".vf-node-name")).first
    name = named.locator(".vf-node-name").inner_text()
    js_click(named)
    # The match in the other pane is selected and inspected (it may be culled off screen).
    expect(right.locator(".vf-inspector-name")).to_have_text(name, timeout=10_000)
    expect(left.locator(".vf-inspector-name")).to_have_text(name)
    # Narrow panes: title and counts one line each, every control inside its pane.
    for pane in (left, right):
        assert header_problems(pane) == [], header_problems(pane)
        # The inspector leaves little canvas: no minimap covering it.
        expect(pane.locator(".react-flow__minimap")).to_have_count(0)
    screenshot(page, "graph-mode-compare")
    # The Map button still shows it, sized to the narrow canvas, and hides it again.
    toggle = right.locator(".vf-map-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    js_click(toggle)
    minimap = right.locator(".react-flow__minimap")
    expect(minimap).to_have_count(1)
    expect(toggle).to_have_attribute("aria-pressed", "true")
    canvas = right.locator(".vf-graph-canvas").bounding_box()
    box = minimap.bounding_box()
    assert canvas is not None and box is not None
    assert box["width"] <= canvas["width"] * 0.25 + 1, (box, canvas)
    assert box["height"] <= canvas["height"] * 0.3 + 1, (box, canvas)
    js_click(toggle)
    expect(minimap).to_have_count(0)


def test_png_export_downloads_an_image(page: Page, viewers: Locator) -> None:
    step = viewers.nth(0)
    with page.expect_download() as info:
        js_click(step.locator(".vf-toolbar button", has_text="PNG"))
    data = info.value.path().read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2_000


def test_settings_schema_is_served_to_the_settings_editor(lab_server: LabServer) -> None:
    reply = api(lab_server, "GET", "/lab/api/settings/@vizflow/jupyterlab:plugin")
    assert isinstance(reply, dict)
    properties = reply["schema"]["properties"]
    assert {"direction", "collapseDepth"} <= set(properties)
    assert properties["direction"]["enum"] == ["widget", "RIGHT", "DOWN"]
