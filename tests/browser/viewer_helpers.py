"""Helpers for the graph-viewer browser tests: scratch notebooks and viewer queries."""

from __future__ import annotations

import nbformat
from playwright.sync_api import Locator, Page, expect

from tests.browser.harness import LabServer

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
    """The index-th graph viewer of the page, once laid out and drawn."""
    loc = page.locator(".vf-graph-viewer")
    v = loc.last if index == -1 else loc.nth(index)
    expect(v.locator(".vf-pane").first).to_have_attribute(
        "data-layout-state", "done", timeout=60_000
    )
    return v


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
