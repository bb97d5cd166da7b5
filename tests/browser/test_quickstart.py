"""The quickstart tutorial, run in a real JupyterLab, draws its graph in the browser."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.harness import LabServer, screenshot
from tests.browser.lab import open_notebook, run_all_cells

EXPECTED_OPS = {"matmul", "add", "relu", "sum"}


def test_quickstart_draws_graph_with_ops_and_shapes(page: Page, lab_server: LabServer) -> None:
    open_notebook(page, lab_server, "00_quickstart.ipynb")
    run_all_cells(page)
    viewer = page.locator(".vf-graph-viewer").last
    expect(viewer).to_have_attribute("data-layout-state", "done", timeout=60_000)
    # Opened at a readable zoom, part of the graph may be off screen (culled): show it all.
    viewer.locator(".vf-fit").click()
    page.wait_for_timeout(300)
    ops = {text.strip() for text in viewer.locator(".vf-node .vf-node-op").all_inner_texts()}
    assert ops >= EXPECTED_OPS, f"ops drawn: {sorted(ops)}"
    shapes = viewer.locator(".vf-node .vf-node-shape").all_inner_texts()
    assert any("(2, 4) float32" in s for s in shapes), f"shapes drawn: {shapes}"
    assert any("() float32" in s for s in shapes), f"scalar loss shape missing: {shapes}"
    names = viewer.locator(".vf-node .vf-node-name").all_inner_texts()
    assert {"x", "w", "b"} <= {n.strip() for n in names}, f"names drawn: {names}"
    viewer.scroll_into_view_if_needed()
    screenshot(page, "quickstart")
    assert page.vf_errors == []  # type: ignore[attr-defined]
