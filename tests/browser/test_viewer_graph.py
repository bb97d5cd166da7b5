"""The graph viewer in a real JupyterLab: groups, search, keyboard, text safety, themes.

The tests of this module share one page and one run notebook (they run in file order):
opening JupyterLab and running a notebook is the slow part on a small machine.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.harness import LabServer, screenshot
from tests.browser.lab import dismiss_notices
from tests.browser.viewer_helpers import (
    SCOPED_PAYLOAD,
    draw_count,
    group_boxes_that_clip,
    js_click,
    open_and_run,
    shared_page,
    wait_redrawn,
    write_notebook,
)

CELLS = [
    SCOPED_PAYLOAD,
    "from vizflow_kernelext import GraphViewer\n"
    "GraphViewer(scoped_payload(evil=True), height='560px')",
]


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    yield from shared_page(browser)


@pytest.fixture(scope="module")
def groups_viewer(page: Page, lab_server: LabServer) -> Locator:
    path = write_notebook(lab_server, "viewer_groups.ipynb", CELLS)
    return open_and_run(page, lab_server, path, "groups")


def test_renders_collapsed_groups(page: Page, groups_viewer: Locator) -> None:
    v = groups_viewer
    # 20 blocks x 23 nodes + 2: opened collapsed to a readable size, repeated blocks badged.
    groups = v.locator(".vf-group")
    assert 1 <= groups.count() <= 200
    assert v.locator(".vf-node").count() + groups.count() <= 200
    expect(v.locator(".vf-repeat-badge").first).to_contain_text("×")
    expect(v.locator(".vf-graph-counts")).to_contain_text("462 nodes")
    # Flowing to the right too, a closed group's lines all fit inside its box.
    assert v.locator(".vf-group .vf-group-ops").count() >= 1
    assert group_boxes_that_clip(v) == []
    screenshot(page, "viewer-groups-collapsed")


def test_expand_and_collapse_a_group(page: Page, groups_viewer: Locator) -> None:
    v = groups_viewer
    pane = v.locator(".vf-pane").first
    groups = v.locator(".vf-group")
    # Items off screen are culled from the DOM: count what the pane laid out instead.
    items_before = int(pane.get_attribute("data-visible-items") or 0)
    path0 = groups.first.get_attribute("data-group-path")
    n = draw_count(pane)
    js_click(groups.first.locator(".vf-group-toggle"))
    wait_redrawn(pane, n)
    frame = v.locator(f".vf-frame[data-frame-path='{path0}']")
    expect(frame).to_have_count(1)
    assert int(pane.get_attribute("data-visible-items") or 0) > items_before
    expect(frame.locator(".vf-group-toggle")).to_be_attached()
    screenshot(page, "viewer-group-expanded")
    n = draw_count(pane)
    js_click(frame.locator(".vf-group-toggle"))
    wait_redrawn(pane, n)
    expect(frame).to_have_count(0)
    assert int(pane.get_attribute("data-visible-items") or 0) == items_before


def test_search_jump_and_keyboard(page: Page, groups_viewer: Locator) -> None:
    v = groups_viewer
    pane = v.locator(".vf-pane").first
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


def test_evil_name_is_text(page: Page, groups_viewer: Locator) -> None:
    v = groups_viewer
    search = v.locator(".vf-search-input")
    search.fill("loss")
    search.press("Enter")
    evil = v.locator(".vf-node[data-node-id='loss'] .vf-node-name")
    expect(evil).to_have_text("<img src=x onerror=alert(1)>")
    expect(v.locator(".vf-inspector")).to_contain_text("<img src=x onerror=alert(1)>")
    assert v.locator("img").count() == 0
    assert page.locator("img[src='x']").count() == 0
    title = v.locator(".vf-inspector-title").bounding_box()
    fold = v.locator(".vf-inspector-fold").bounding_box()
    assert title and fold and title["x"] + title["width"] <= fold["x"]  # the name clears them
    screenshot(page, "viewer-evil-name")
    assert page.vf_dialogs == []  # type: ignore[attr-defined]
    assert page.vf_errors == []  # type: ignore[attr-defined]


def _use_theme(page: Page, name: str, light: bool) -> None:
    """Switch the theme from the command palette and wait until the switch is over:
    the body's flag has flipped and JupyterLab's splash (shown while the theme's CSS
    loads) is gone."""
    page.keyboard.press("Control+Shift+C")
    palette = page.locator(".lm-CommandPalette-input")
    palette.fill(f"Use Theme: {name}")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"document.body.dataset.jpThemeLight === '{'true' if light else 'false'}'",
        timeout=30_000,
    )
    expect(page.locator("#jupyterlab-splash")).to_have_count(0, timeout=30_000)


# Relative luminance (0 black .. 1 white) of a computed CSS colour, as a JS function.
LUMINANCE = """c => {
    const m = c.match(/[\\d.]+/g).map(Number);
    const [r, g, b] = m.slice(0, 3).map(v => {
        v /= 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}"""


def colours(v: Locator) -> dict[str, float]:
    """Luminance of what the eye sees of the viewer: canvas, node box and node text."""
    result: dict[str, float] = v.evaluate(
        f"""v => {{
            const lum = {LUMINANCE};
            // The first ancestor-or-self with a background that is not transparent.
            const bg = el => {{
                for (; el; el = el.parentElement) {{
                    const c = getComputedStyle(el).backgroundColor;
                    if (!/rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent') return c;
                }}
                return 'rgb(255, 255, 255)';
            }};
            const canvas = v.querySelector('.react-flow__pane');
            const node = v.querySelector('.vf-node');
            return {{
                canvas: lum(bg(canvas)),
                node: lum(bg(node)),
                text: lum(getComputedStyle(node).color),
                header: lum(bg(v.querySelector('.vf-graph-header'))),
            }};
        }}"""
    )
    return result


def test_dark_theme(page: Page, groups_viewer: Locator) -> None:
    v = groups_viewer
    canvas = v.locator(".vf-graph-canvas").first
    light = colours(v)
    assert light["canvas"] > 0.6 and light["node"] > 0.6 and light["text"] < 0.2, light
    try:
        _use_theme(page, "JupyterLab Dark", light=False)
        # The theme's CSS arrives after the flag flips: wait for the viewer's colours.
        page.wait_for_function(
            f"v => ({LUMINANCE})(getComputedStyle(v).backgroundColor) < 0.2",
            arg=v.element_handle(),
            timeout=30_000,
        )
        dismiss_notices(page)
        dark = colours(v)
        # Dark boxes on a dark canvas, light text: the viewer really follows the theme.
        assert dark["canvas"] < 0.1 and dark["node"] < 0.1 and dark["header"] < 0.1, dark
        assert dark["text"] > 0.4, dark
        expect(canvas).to_be_visible()
        v.scroll_into_view_if_needed()
        expect(page.locator("#jupyterlab-splash")).to_have_count(0)
        screenshot(page, "viewer-dark")
    finally:
        _use_theme(page, "JupyterLab Light", light=True)
