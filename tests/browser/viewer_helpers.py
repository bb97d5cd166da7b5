"""Helpers for the graph-viewer browser tests: scratch notebooks and viewer queries."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import nbformat
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.harness import LabServer, open_page, screenshot
from tests.browser.lab import open_notebook, run_all_cells

DONE = "[data-layout-state='done']"

SCOPED_PAYLOAD = r"""
def scoped_payload(blocks=20, per_sub=11, evil=False):
    nodes, edges = [], []
    def node(i, op, scope, name=""):
        nodes.append(dict(id=i, op=op, name=name, category="elementwise", shape=[8, 64],
                          dtype="float32", device="cpu", scope=scope, phase="forward"))
    def link(s, t, p):
        edges.append(dict(id=f"e{len(edges)}", source=s, target=t, target_port=p,
                          shape=[8, 64], dtype="float32"))
    node("x", "placeholder", "", "x")
    prev = "x"
    for b in range(blocks):
        block_in = prev
        for sub in ("attn", "mlp"):
            for k in range(per_sub):
                nid = f"b{b}.{sub}.{k}"
                node(nid, ["matmul", "add", "relu"][k % 3], f"blocks/{b}/{sub}", f"{sub}_{k}")
                link(prev, nid, 0)
                prev = nid
        node(f"b{b}.res", "add", f"blocks/{b}", "residual")
        link(prev, f"b{b}.res", 0)
        link(block_in, f"b{b}.res", 1)
        prev = f"b{b}.res"
    node("loss", "mean", "", "<img src=x onerror=alert(1)>" if evil else "loss")
    link(prev, "loss", 0)
    return dict(version="1.0", title="scoped", nodes=nodes, edges=edges, outputs=["loss"])
"""


def write_notebook(server: LabServer, name: str, cells: list[str]) -> str:
    """Write a scratch notebook into the served folder; returns its path."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, server.root / name)
    return name


def viewer(page: Page, index: int = -1) -> Locator:
    """The index-th graph viewer of the page, once laid out and drawn, scrolled into view."""
    loc = page.locator(".vf-graph-viewer")
    v = loc.last if index == -1 else loc.nth(index)
    expect(v.locator(".vf-pane").first).to_have_attribute(
        "data-layout-state", "done", timeout=60_000
    )
    v.scroll_into_view_if_needed()
    return v


def js_click(target: Locator) -> None:
    """Click an element by script.

    Nodes of the canvas may lie outside the page viewport (the canvas clips and pans
    them; the page cannot scroll to them), where Playwright's pointer click refuses.
    """
    target.evaluate("e => e.click()")


def wait_redrawn(pane: Locator, before: int) -> None:
    """Wait until the pane has drawn a layout after `before` draws."""
    pane.page.wait_for_function(
        "([el, n]) => Number(el.getAttribute('data-draw-count') || 0) > n"
        " && el.getAttribute('data-layout-state') === 'done'",
        arg=[pane.element_handle(), before],
        timeout=30_000,
    )


def draw_count(pane: Locator) -> int:
    return int(pane.get_attribute("data-draw-count") or 0)


def api(server: LabServer, method: str, path: str) -> object:
    """Call the Jupyter server's REST API; returns the decoded JSON reply (or None)."""
    req = urllib.request.Request(f"{server.url}{path}?token={server.token}", method=method)
    with urllib.request.urlopen(req, timeout=30) as reply:
        body = reply.read()
    return json.loads(body) if body else None


def open_and_run(page: Page, server: LabServer, path: str, shot: str) -> Locator:
    """Open `path` afresh, run all its cells and return its last viewer, drawn.

    A failure here happens in a fixture, where the harness takes no screenshot: take one.
    """
    try:
        open_notebook(page, server, path)
        run_all_cells(page)
        return viewer(page)
    except Exception:
        screenshot(page, f"FAILED-setup-{shot}")
        raise


def shared_page(browser: Browser) -> Iterator[Page]:
    """Body of a module-scoped `page` fixture: one page for a module's tests."""
    yield from open_page(browser)


def group_boxes_that_clip(v: Locator) -> list[str]:
    """Collapsed group boxes on screen whose text does not fit: the box overflows its
    canvas node, or a line (name, count, op summary) reaches past the box's padding."""
    bad: list[str] = v.locator(".vf-group").evaluate_all(
        """els => els.flatMap(g => {
            const node = g.closest('.react-flow__node');
            const gb = g.getBoundingClientRect();
            const nb = node.getBoundingClientRect();
            const zoom = gb.height / g.offsetHeight || 1;
            const out = [];
            const path = g.dataset.groupPath;
            if (g.scrollHeight > g.clientHeight)
                out.push(`${path}: scrollHeight ${g.scrollHeight} > ${g.clientHeight}`);
            if (gb.top < nb.top - 1 || gb.bottom > nb.bottom + 1
                || gb.left < nb.left - 1 || gb.right > nb.right + 1)
                out.push(`${path}: box outside its node`);
            const cs = getComputedStyle(g);
            const inner = gb.bottom - (parseFloat(cs.borderBottomWidth)
                                       + parseFloat(cs.paddingBottom)) * zoom;
            for (const line of g.children) {
                const lb = line.getBoundingClientRect();
                if (lb.bottom > inner + 1)
                    out.push(`${path}: ${line.className} ends at ${lb.bottom}`
                             + ` below ${inner}`);
            }
            return out;
        })"""
    )
    return bad
