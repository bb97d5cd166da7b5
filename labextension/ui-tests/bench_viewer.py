"""Scale benchmark of the graph viewer in a real JupyterLab + Debian's chromium.

Builds transformer-like GraphPayloads (scopes `blocks/<i>/{ln1,attn,ln2,mlp}`) of about
1,000 and 10,000 nodes, shows each through the real widget
(`vizflow_kernelext.GraphViewer(payload)`), and prints:
  - first draw: wall time from running the cell to data-layout-state="done", and the
    viewer's own figure (data-first-draw-ms: mount -> laid out and drawn);
  - expand one group: click its "+" and wait for the next drawn layout (data-draw-ms);
  - the JSON size of the 10,000-node payload.
Targets (issue 5): 1k first draw <= 1.5 s, 10k <= 2 s, expand <= 0.3 s.

    .venv/bin/python labextension/ui-tests/bench_viewer.py
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import nbformat
from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]


def transformer_payload(blocks: int, per_sub: int) -> dict[str, Any]:
    """A traced-transformer-like graph: a chain of blocks, each ln1/attn/ln2/mlp + residual."""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []

    def node(nid: str, op: str, scope: str, name: str = "", category: str = "elementwise",
             shape: list[int] | None = None) -> None:
        nodes.append(dict(id=nid, op=op, name=name, category=category,
                          shape=shape if shape is not None else [8, 64], dtype="float32",
                          device="cpu", scope=scope, phase="forward"))

    def link(s: str, t: str, port: int) -> None:
        edges.append(dict(id=f"e{len(edges)}", source=s, target=t, target_port=port,
                          shape=[8, 64], dtype="float32"))

    node("x", "placeholder", "", name="x", category="input")
    prev = "x"
    ops = ["matmul", "add", "relu", "mul", "softmax"]
    for b in range(blocks):
        block_in = prev
        for sub in ("ln1", "attn", "ln2", "mlp"):
            scope = f"blocks/{b}/{sub}"
            w = f"b{b}.{sub}.w"
            node(w, "variable", scope, name="weight", category="variable", shape=[64, 64])
            for k in range(per_sub):
                nid = f"b{b}.{sub}.{k}"
                op = ops[k % len(ops)]
                node(nid, op, scope, name=f"{sub}_{k}",
                     category="matmul" if op == "matmul" else "elementwise")
                link(prev, nid, 0)
                if op in ("matmul", "add", "mul"):
                    link(w if op == "matmul" else block_in, nid, 1)
                prev = nid
        res = f"b{b}.residual"
        node(res, "add", f"blocks/{b}", name="residual")
        link(prev, res, 0)
        link(block_in, res, 1)
        prev = res
    node("loss", "mean", "", name="loss", category="loss", shape=[])
    link(prev, "loss", 0)
    return dict(version="1.0", title=f"transformer x{blocks} ({len(nodes)} nodes)",
                nodes=nodes, edges=edges, outputs=["loss"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cell(page: Page, index: int) -> None:
    cell = page.locator(".jp-Cell").nth(index)
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")


def measure(page: Page, index: int, expected_viewers: int) -> dict[str, float]:
    t0 = time.perf_counter()
    run_cell(page, index)
    page.wait_for_function(
        f"document.querySelectorAll(\".vf-pane[data-layout-state='done']\").length >= {expected_viewers}",
        timeout=120_000, polling=16)
    wall = (time.perf_counter() - t0) * 1000
    pane = page.locator(".vf-pane").nth(expected_viewers - 1)
    first = float(pane.get_attribute("data-first-draw-ms") or "nan")
    items = int(pane.get_attribute("data-visible-items") or 0)
    count = int(pane.get_attribute("data-draw-count") or 0)
    toggle = pane.locator(".vf-group .vf-group-toggle").nth(1)
    t1 = time.perf_counter()
    toggle.evaluate("b => b.click()")  # may sit outside the page's viewport
    pane.locator(f"xpath=self::*[@data-draw-count='{count + 1}']").wait_for(timeout=60_000)
    expand_wall = (time.perf_counter() - t1) * 1000
    expand = float(pane.get_attribute("data-draw-ms") or "nan")
    expand_layout = float(pane.get_attribute("data-layout-ms") or "nan")
    return dict(first_draw_wall_ms=wall, first_draw_ms=first, visible_items=items,
                expand_ms=expand, expand_layout_ms=expand_layout, expand_wall_ms=expand_wall,
                visible_after_expand=int(pane.get_attribute("data-visible-items") or 0))


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="vizflow-bench-"))
    (tmp / "nb").mkdir()
    small = transformer_payload(blocks=20, per_sub=11)
    big = transformer_payload(blocks=48, per_sub=51)
    for name, p in (("small", small), ("big", big)):
        (tmp / "nb" / f"{name}.json").write_text(json.dumps(p))
    big_size = len(json.dumps(big, separators=(",", ":")))
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    load = "import json\nfrom vizflow_kernelext import GraphViewer\n"
    nb.cells = [nbformat.v4.new_code_cell(load),
                nbformat.v4.new_code_cell("GraphViewer(json.load(open('small.json')), height='500px')"),
                nbformat.v4.new_code_cell("GraphViewer(json.load(open('big.json')), height='500px')")]
    nbformat.write(nb, tmp / "nb" / "bench.ipynb")
    port, token = free_port(), "vizflow-bench"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "config"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "ws"))
    log = open(tmp / "lab.log", "w")
    lab = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={tmp / 'nb'}"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(180):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}")
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                         args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/lab/tree/bench.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                                   timeout=90_000)
            time.sleep(1)
            run_cell(page, 0)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
            results = {
                f"{len(small['nodes'])} nodes": measure(page, 1, 1),
                f"{len(big['nodes'])} nodes": measure(page, 2, 2),
            }
            browser.close()
    finally:
        lab.terminate()
        lab.wait(timeout=20)
    print(json.dumps(results, indent=1))
    print(f"10k payload JSON size: {big_size:,} bytes ({big_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
