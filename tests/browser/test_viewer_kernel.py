"""The viewer with the kernel: inspector values, and a saved notebook shown without a kernel."""

from __future__ import annotations

import json
import urllib.request

from playwright.sync_api import Page, expect

from tests.browser.harness import LabServer, screenshot
from tests.browser.lab import open_notebook, run_all_cells
from tests.browser.viewer_helpers import viewer, write_notebook

KNOWN = (
    "import vizflow as vf\n"
    "t = vf.tensor([[1.0, 2.0], [3.0, 4.0]], name='known')\n"
    "y = (t * 2).sum()\n"
    "vf.show(y)"
)


def test_inspector_shows_value_statistics(page: Page, lab_server: LabServer) -> None:
    path = write_notebook(lab_server, "viewer_inspect.ipynb", [KNOWN])
    open_notebook(page, lab_server, path)
    run_all_cells(page)
    v = viewer(page)
    v.locator(".vf-node", has_text="known").first.click()
    stats = v.locator(".vf-inspector [data-stats='value']")
    expect(stats).to_be_visible(timeout=30_000)
    expect(stats.locator("[data-stat='min'] td")).to_have_text("1")
    expect(stats.locator("[data-stat='max'] td")).to_have_text("4")
    expect(stats.locator("[data-stat='mean'] td")).to_have_text("2.5")
    expect(stats.locator("[data-stat='NaN'] td")).to_have_text("0")
    expect(stats.locator(".vf-histogram rect").first).to_be_attached()
    expect(stats.locator("canvas.vf-heatmap-canvas")).to_have_count(1)
    screenshot(page, "viewer-inspector")


def _api(server: LabServer, method: str, path: str) -> object:
    req = urllib.request.Request(f"{server.url}{path}?token={server.token}", method=method)
    with urllib.request.urlopen(req, timeout=30) as reply:
        body = reply.read()
    return json.loads(body) if body else None


def test_saved_notebook_shows_graph_without_kernel(page: Page, lab_server: LabServer) -> None:
    path = write_notebook(lab_server, "viewer_saved.ipynb", [KNOWN])
    open_notebook(page, lab_server, path)
    run_all_cells(page)
    viewer(page)
    page.locator(".jp-Notebook").click()
    page.keyboard.press("Control+s")
    page.wait_for_timeout(1500)
    saved = json.loads((lab_server.root / path).read_text())
    mimes = {k for c in saved["cells"] for o in c.get("outputs", []) for k in o.get("data", {})}
    assert "application/vnd.vizflow.graph+json" in mimes, mimes
    # Shut every kernel down, then reload the page.
    sessions = _api(lab_server, "GET", "/api/sessions")
    assert isinstance(sessions, list)
    for s in sessions:
        _api(lab_server, "DELETE", f"/api/sessions/{s['id']}")
    page.reload()
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    # Decline a kernel if asked; the graph must render from the mime bundle alone.
    try:
        page.get_by_role("button", name="No Kernel").click(timeout=3000)
    except Exception:
        pass
    v = page.locator(".vf-graph-viewer").first
    expect(v.locator(".vf-pane")).to_have_attribute("data-layout-state", "done", timeout=60_000)
    expect(v).to_have_attribute("data-live", "false")
    expect(v.locator(".vf-node", has_text="known").first).to_be_visible()
    v.locator(".vf-node", has_text="known").first.click()
    expect(v.locator(".vf-no-kernel")).to_have_text("values need a running kernel")
    screenshot(page, "viewer-saved-no-kernel")
