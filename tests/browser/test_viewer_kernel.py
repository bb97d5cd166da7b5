"""The viewer with the kernel: inspector values, and a saved notebook shown without a kernel.

Both tests share one page and one notebook (they run in file order).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.harness import LabServer, screenshot
from tests.browser.viewer_helpers import (
    api,
    js_click,
    open_and_run,
    shared_page,
    write_notebook,
)

KNOWN = (
    "import vizflow as vf\n"
    "t = vf.tensor([[1.0, 2.0], [3.0, 4.0]], name='known', requires_grad=True)\n"
    "y = (t * 2).sum()\n"
    # A fixed height: a 3-node graph's own (auto) height leaves no room for the minimap.
    "vf.show(y, height='420px')"
)
NOTEBOOK = "viewer_kernel.ipynb"
GRAPH_MIME = "application/vnd.vizflow.graph+json"


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    yield from shared_page(browser)


@pytest.fixture(scope="module")
def known_viewer(page: Page, lab_server: LabServer) -> Locator:
    write_notebook(lab_server, NOTEBOOK, [KNOWN])
    return open_and_run(page, lab_server, NOTEBOOK, "kernel")


def test_inspector_shows_value_statistics(page: Page, known_viewer: Locator) -> None:
    v = known_viewer
    expect(v).to_have_attribute("data-live", "true")
    js_click(v.locator(".vf-node", has_text="known").first)
    stats = v.locator(".vf-inspector [data-stats='value']")
    expect(stats).to_be_visible(timeout=30_000)
    expect(stats.locator("[data-stat='min'] td")).to_have_text("1")
    expect(stats.locator("[data-stat='max'] td")).to_have_text("4")
    expect(stats.locator("[data-stat='mean'] td")).to_have_text("2.5")
    expect(stats.locator("[data-stat='NaN'] td")).to_have_text("0")
    expect(stats.locator(".vf-histogram rect").first).to_be_attached()
    expect(stats.locator("canvas.vf-heatmap-canvas")).to_have_count(1)
    screenshot(page, "viewer-inspector")


def box(el: Locator) -> dict[str, float]:
    b = el.bounding_box()
    assert b is not None
    return b


def test_inspector_leaves_the_graph_in_view(page: Page, known_viewer: Locator) -> None:
    v = known_viewer
    inspector = v.locator(".vf-inspector")
    # Close the inspector and fit: the whole graph is drawn across the full canvas.
    v.locator(".vf-inspector-close").click()
    expect(inspector).to_have_count(0)
    v.locator(".vf-fit").click()
    # Select the last node of the chain (the rightmost): the inspector opens beside it.
    js_click(v.locator(".vf-node", has_text="sum").first)
    expect(inspector).to_be_visible()
    canvas, side = box(v.locator(".vf-graph-canvas")), box(inspector)
    # Side by side, not on top of each other; the canvas keeps most of the width.
    assert canvas["x"] + canvas["width"] <= side["x"] + 1, (canvas, side)
    assert canvas["width"] > side["width"], (canvas, side)
    # The selected node (at the far end of the chain) is drawn inside the canvas.
    node = box(v.locator(".react-flow__node.selected"))
    assert canvas["x"] <= node["x"] and node["x"] + node["width"] <= canvas["x"] + canvas["width"]
    # A 3-node graph is seen whole: no minimap over its corner until asked for.
    expect(v.locator(".react-flow__minimap")).to_have_count(0)
    js_click(v.locator(".vf-map-toggle"))
    # Asked for, the minimap is a usable size, and drawn inside the canvas.
    minimap = box(v.locator(".react-flow__minimap"))
    assert minimap["width"] >= 90 and minimap["height"] >= 56, minimap
    assert minimap["x"] + minimap["width"] <= canvas["x"] + canvas["width"] + 1
    screenshot(page, "viewer-inspector-side")
    # Drag the inspector's edge: it widens, the canvas narrows.
    handle = box(v.locator(".vf-inspector-resizer"))
    page.mouse.move(handle["x"] + 2, handle["y"] + 40)
    page.mouse.down()
    page.mouse.move(handle["x"] - 80, handle["y"] + 40, steps=4)
    page.mouse.up()
    wider = box(inspector)
    assert wider["width"] >= side["width"] + 60, (side, wider)
    # Fold it away: a narrow strip, the canvas gets the room back.
    v.locator(".vf-inspector-fold").click()
    expect(inspector).to_have_class(re.compile("vf-inspector-folded"))
    assert box(inspector)["width"] < 40
    assert box(v.locator(".vf-graph-canvas"))["width"] > canvas["width"]
    v.locator(".vf-inspector-fold").click()
    expect(inspector.locator("[data-stats='value']")).to_be_visible()
    # The minimap can be hidden from the toolbar.
    v.locator(".vf-map-toggle").click()
    expect(v.locator(".react-flow__minimap")).to_have_count(0)
    v.locator(".vf-map-toggle").click()
    expect(v.locator(".react-flow__minimap")).to_have_count(1)


def test_saved_notebook_shows_graph_without_kernel(
    page: Page, lab_server: LabServer, known_viewer: Locator
) -> None:
    page.locator(".jp-Notebook").first.focus()
    page.keyboard.press("Control+s")
    saved_file = lab_server.root / NOTEBOOK

    def saved_mimes() -> set[str]:
        saved = json.loads(saved_file.read_text())
        return {k for c in saved["cells"] for o in c.get("outputs", []) for k in o.get("data", {})}

    page.wait_for_function(
        "() => !document.querySelector('.jp-mod-current .jp-mod-dirty')"
        " && !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
        timeout=30_000,
    )
    assert GRAPH_MIME in saved_mimes(), saved_mimes()
    # Shut every kernel down, then reload the page.
    sessions = api(lab_server, "GET", "/api/sessions")
    assert isinstance(sessions, list)
    for s in sessions:
        api(lab_server, "DELETE", f"/api/sessions/{s['id']}")
    assert api(lab_server, "GET", "/api/kernels") == []
    page.reload()
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    # The graph must render from the mime bundle alone, before any kernel is asked for.
    v = page.locator(".vf-graph-viewer").first
    expect(v.locator(".vf-pane")).to_have_attribute("data-layout-state", "done", timeout=60_000)
    expect(v).to_have_attribute("data-live", "false")
    v.scroll_into_view_if_needed()
    node = v.locator(".vf-node", has_text="known").first
    expect(node).to_be_visible()
    js_click(node)
    expect(v.locator(".vf-no-kernel")).to_have_text("values need a running kernel")
    screenshot(page, "viewer-saved-no-kernel")
