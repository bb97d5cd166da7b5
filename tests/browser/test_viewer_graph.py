"""The graph viewer in a real JupyterLab: groups, search, keyboard, text safety, themes."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.harness import LabServer, screenshot
from tests.browser.lab import dismiss_notices, open_notebook, run_all_cells
from tests.browser.viewer_helpers import (
    SCOPED_PAYLOAD,
    draw_count,
    viewer,
    wait_redrawn,
    write_notebook,
)

CELLS = [
    SCOPED_PAYLOAD,
    "from vizflow_kernelext import GraphViewer\n"
    "GraphViewer(scoped_payload(evil=True), height='560px')",
]


def test_groups_search_keyboard_and_safe_text(page: Page, lab_server: LabServer) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    path = write_notebook(lab_server, "viewer_groups.ipynb", CELLS)
    open_notebook(page, lab_server, path)
    run_all_cells(page)
    v = viewer(page)
    pane = v.locator(".vf-pane").first
    # 20 blocks x 23 nodes + 2: opened collapsed to a readable size, repeated blocks badged.
    groups = v.locator(".vf-group")
    assert 1 <= groups.count() <= 200
    assert v.locator(".vf-node").count() + groups.count() <= 200
    expect(v.locator(".vf-repeat-badge").first).to_contain_text("×")
    frames_before = v.locator(".vf-frame").count()
    screenshot(page, "viewer-groups-collapsed")

    # Expand a group: a frame appears with its members; collapse it again.
    path0 = groups.first.get_attribute("data-group-path")
    n = draw_count(pane)
    groups.first.locator(".vf-group-toggle").click()
    wait_redrawn(pane, n)
    expect(v.locator(f".vf-frame[data-frame-path='{path0}']")).to_have_count(1)
    assert v.locator(".vf-frame").count() == frames_before + 1
    n = draw_count(pane)
    v.locator(f".vf-frame[data-frame-path='{path0}'] .vf-group-toggle").click()
    wait_redrawn(pane, n)
    expect(v.locator(f".vf-frame[data-frame-path='{path0}']")).to_have_count(0)

    # Search by id and jump: the node's groups expand, it is selected and inspected.
    search = v.locator(".vf-search-input")
    search.fill("b13.mlp.4")
    expect(v.locator(".vf-search-hit").first).to_contain_text("mlp_4 (add) in blocks/13/mlp")
    search.press("Enter")
    expect(v.locator(".vf-inspector [data-inspected='b13.mlp.4']")).to_be_visible(timeout=30_000)
    node = v.locator(".vf-node[data-node-id='b13.mlp.4']")
    expect(node).to_be_visible(timeout=30_000)
    expect(
        v.locator(".react-flow__node.selected .vf-node[data-node-id='b13.mlp.4']")
    ).to_have_count(1)
    screenshot(page, "viewer-search-jump")

    # Keyboard: arrows move along edges, Escape clears.
    pane.focus()
    page.keyboard.press("ArrowRight")
    expect(v.locator(".vf-inspector [data-inspected='b13.mlp.5']")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(v.locator(".vf-inspector [data-inspected='b13.mlp.4']")).to_be_visible()
    page.keyboard.press("Escape")
    expect(v.locator(".vf-inspector")).to_have_count(0)

    # The evil name is text: no <img>, no dialog.
    search.fill("loss")
    search.press("Enter")
    evil = v.locator(".vf-node[data-node-id='loss'] .vf-node-name")
    expect(evil).to_have_text("<img src=x onerror=alert(1)>")
    assert v.locator("img").count() == 0
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.vf_errors == []  # type: ignore[attr-defined]


def test_dark_theme(page: Page, lab_server: LabServer) -> None:
    path = write_notebook(lab_server, "viewer_theme.ipynb", CELLS)
    open_notebook(page, lab_server, path)
    run_all_cells(page)
    v = viewer(page)
    light_bg = v.evaluate("el => getComputedStyle(el).backgroundColor")
    page.keyboard.press("Control+Shift+C")
    palette = page.locator(".lm-CommandPalette-input")
    palette.fill("Use Theme: JupyterLab Dark")
    page.keyboard.press("Enter")
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.wait_for_timeout(1500)
    dismiss_notices(page)
    dark_bg = v.evaluate("el => getComputedStyle(el).backgroundColor")
    assert dark_bg != light_bg
    v.scroll_into_view_if_needed()
    screenshot(page, "viewer-dark")
    page.keyboard.press("Control+Shift+C")
    palette.fill("Use Theme: JupyterLab Light")
    page.keyboard.press("Enter")
    page.wait_for_function("document.body.dataset.jpThemeLight === 'true'", timeout=30_000)
