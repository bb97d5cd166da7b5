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
    expect(found).to_have_count(2, timeout=60_000)
    for index in range(2):
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


def test_svg_export_downloads_the_drawn_graph(page: Page, viewers: Locator) -> None:
    step = viewers.nth(0)
    with page.expect_download() as info:
        js_click(step.locator(".vf-toolbar button", has_text="SVG"))
    path = info.value.path()
    svg = path.read_text(encoding="utf-8")
    assert svg.lstrip().startswith(("<svg", "<?xml")) and svg.rstrip().endswith("</svg>")
    assert "cross_entropy" in svg


def test_before_and_after_panes_follow_each_others_selection(page: Page, viewers: Locator) -> None:
    pair = viewers.nth(1)
    pair.scroll_into_view_if_needed()
    panes = pair.locator(".vf-pane")
    expect(panes).to_have_count(2)
    left, right = panes.nth(0), panes.nth(1)
    named = left.locator(".vf-node", has=page.locator(".vf-node-name")).first
    name = named.locator(".vf-node-name").inner_text()
    js_click(named)
    # The match in the other pane is selected and inspected (it may be culled off screen).
    expect(right.locator(".vf-inspector-name")).to_have_text(name, timeout=10_000)
    expect(left.locator(".vf-inspector-name")).to_have_text(name)
    screenshot(page, "graph-mode-compare")


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
