"""The viewer settings (Settings > vizflow) reach viewers opened after they change.

The setting is written through the server's settings API, as the settings editor does;
the page is then loaded afresh. A fixture puts the user's settings back afterwards.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.harness import LabServer, screenshot
from tests.browser.viewer_helpers import (
    SCOPED_PAYLOAD,
    group_boxes_that_clip,
    js_click,
    open_and_run,
    shared_page,
    viewer,
    write_notebook,
)

PLUGIN = "@vizflow/jupyterlab:plugin"
NOTEBOOK = "viewer_settings.ipynb"
CELLS = [
    SCOPED_PAYLOAD + "\nfrom vizflow_kernelext import GraphViewer",
    # No direction chosen: the setting decides.
    "GraphViewer(scoped_payload(blocks=3), height='520px')",
    # An explicit direction wins over the setting.
    "import vizflow as vf\n"
    "t = vf.tensor([1.0, 2.0], name='t', requires_grad=True)\n"
    "vf.show(((t * 2) + 1).exp().sum(), direction='RIGHT')",
]


def put_settings(server: LabServer, values: dict[str, object]) -> None:
    """Store the vizflow user settings (the raw JSON the settings editor saves)."""
    body = json.dumps({"raw": json.dumps(values)}).encode()
    req = urllib.request.Request(
        f"{server.url}/lab/api/settings/{PLUGIN}?token={server.token}",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as reply:
        assert reply.status == 204, reply.status


def get_settings(server: LabServer) -> dict[str, object]:
    req = urllib.request.Request(f"{server.url}/lab/api/settings/{PLUGIN}?token={server.token}")
    with urllib.request.urlopen(req, timeout=30) as reply:
        data: dict[str, object] = json.loads(reply.read())
    return data


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    yield from shared_page(browser)


@pytest.fixture(scope="module")
def down_depth1(lab_server: LabServer) -> Iterator[None]:
    """Settings: lay out top to bottom, open groups to depth 1; restored afterwards."""
    before = get_settings(lab_server).get("raw") or "{}"
    put_settings(lab_server, {"direction": "DOWN", "collapseDepth": 1})
    stored = get_settings(lab_server)["settings"]
    assert isinstance(stored, dict)
    assert stored.get("direction") == "DOWN", stored
    try:
        yield
    finally:
        req = urllib.request.Request(
            f"{lab_server.url}/lab/api/settings/{PLUGIN}?token={lab_server.token}",
            data=json.dumps({"raw": before}).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30):
            pass


def centre(box: Locator) -> tuple[float, float]:
    """Centre of an element on the page (it may lie outside the page's viewport)."""
    r = box.evaluate(
        "e => { const b = e.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; }"
    )
    return r[0] + r[2] / 2, r[1] + r[3] / 2


@pytest.fixture(scope="module")
def viewers(page: Page, lab_server: LabServer, down_depth1: None) -> tuple[Locator, Locator]:
    write_notebook(lab_server, NOTEBOOK, CELLS)
    last = open_and_run(page, lab_server, NOTEBOOK, "settings")
    return viewer(page, 0), last


def test_direction_setting_lays_the_graph_out_top_to_bottom(
    page: Page, viewers: tuple[Locator, Locator]
) -> None:
    v, _ = viewers
    expect(v).to_have_attribute("data-direction", "DOWN")
    # The chain x -> blocks -> loss flows downwards: y grows, x stays about the same.
    x = v.locator(".vf-node[data-node-id='x']")
    blocks = v.locator(".vf-frame[data-frame-path='blocks']")
    loss = v.locator(".vf-node[data-node-id='loss']")
    js_click(v.locator(".vf-fit"))  # opened at a readable zoom: show all, none culled
    page.wait_for_timeout(300)
    for el in (x, blocks, loss):
        expect(el).to_be_attached()
    (x0, y0), (_, y1), (x2, y2) = centre(x), centre(blocks), centre(loss)
    assert y0 < y1 < y2, (y0, y1, y2)
    assert abs(x2 - x0) < (y2 - y0), ((x0, y0), (x2, y2))
    # Inside the frame the three blocks are stacked top to bottom too.
    ys = [centre(v.locator(f".vf-group[data-group-path='blocks/{b}']"))[1] for b in range(3)]
    assert ys == sorted(ys) and ys[0] < ys[2], ys
    # Each closed block shows all its lines (name, count, op summary) inside its box.
    expect(v.locator(".vf-group .vf-group-ops")).to_have_count(3)
    assert group_boxes_that_clip(v) == []
    screenshot(page, "viewer-setting-down-depth1")


def test_collapse_depth_setting_opens_groups_to_that_depth(
    viewers: tuple[Locator, Locator],
) -> None:
    v, _ = viewers
    # Depth 1: the top group `blocks` is open (a frame), its children `blocks/<b>` are
    # closed boxes, and nothing deeper is drawn.
    expect(v.locator(".vf-frame[data-frame-path='blocks']")).to_have_count(1)
    expect(v.locator(".vf-group[data-group-path^='blocks/']")).to_have_count(3)
    expect(v.locator(".vf-frame[data-frame-path^='blocks/']")).to_have_count(0)
    expect(v.locator(".vf-node[data-node-id^='b0.']")).to_have_count(0)
    # x, loss and the three closed blocks (a frame is not an item).
    expect(v.locator(".vf-graph-counts")).to_contain_text("(5 shown)")


def test_explicit_direction_wins_over_the_setting(viewers: tuple[Locator, Locator]) -> None:
    _, v = viewers
    expect(v).to_have_attribute("data-direction", "RIGHT")
    ops = ["parameter", "mul", "add", "exp", "sum"]
    centres = [centre(v.locator(".vf-node-op", has_text=op).first) for op in ops]
    xs = [c[0] for c in centres]
    assert xs == sorted(xs) and xs[0] < xs[-1], centres
    spread_y = max(c[1] for c in centres) - min(c[1] for c in centres)
    assert spread_y < xs[-1] - xs[0], centres
