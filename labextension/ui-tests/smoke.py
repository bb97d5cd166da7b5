"""Browser smoke check of the built labextension (not part of `jlpm test`).

Starts JupyterLab on a free port with the built extension (vizflow/labextension,
found through JUPYTER_PATH, so nothing is installed) and throw-away settings and
workspaces, runs a notebook with two GraphViewer widgets in Debian's chromium and
checks: the layout worker starts from the extension's static folder, both viewers
reach data-layout-state="done", nodes show op/name/shape text (as text, not HTML),
edges carry shape labels, the palette command fits the graphs, and with the worker
script blocked the viewer falls back to main-thread layout. Screenshots (light,
dark) go to the folder given as the first argument (default /tmp/vizflow-smoke).

    .venv/bin/python labextension/ui-tests/smoke.py [OUTDIR]
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

import nbformat
from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parents[2]
OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/vizflow-smoke")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]

CELL1 = r'''
from vizflow_kernelext.widgets.graph_viewer import GraphViewer
def n(id, op, **kw):
    d = dict(id=id, op=op, name="", category="elementwise", shape=[4, 3], dtype="float32",
             device="cpu", scope="", phase="forward")
    d.update(kw)
    return d
def e(id, s, t, p, shape=(4, 3)):
    return dict(id=id, source=s, target=t, target_port=p, shape=list(shape), dtype="float32")
payload = dict(version="1.0", title="tiny <b>mlp</b>", nodes=[
    n("x", "placeholder", name="x", category="input", phase="input"),
    n("W", "variable", name="W", category="variable", shape=[3, 3]),
    n("b", "variable", name="b", category="variable", shape=[3]),
    n("mm", "matmul", category="matmul"),
    n("add", "add"),
    n("relu", "relu", category="activation"),
    n("loss", "mean", name="<img src=x onerror=alert(1)>", category="reduction", shape=[]),
    n("g", "relu_grad", category="gradient", phase="backward", forward_of="relu"),
], edges=[e("e1", "x", "mm", 0), e("e2", "W", "mm", 1, (3, 3)), e("e3", "mm", "add", 0),
          e("e4", "b", "add", 1, (3,)), e("e5", "add", "relu", 0), e("e6", "relu", "loss", 0),
          e("e7", "relu", "g", 0)], outputs=["loss"])
w = GraphViewer(payload)
w
'''
CELL2 = '''
w2 = GraphViewer(payload, layout_direction="DOWN", height="500px")
w2
'''


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_all(page: Page) -> None:
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60000)
    time.sleep(1)
    try:
        page.get_by_role("button", name="No", exact=True).click(timeout=2000)
    except Exception:
        pass
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


def palette(page: Page, text: str) -> int:
    page.keyboard.press("Control+Shift+C")
    page.keyboard.type(text)
    time.sleep(0.5)
    found = page.locator(".lm-CommandPalette-item", has_text=text).count()
    page.keyboard.press("Enter")
    return found


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="vizflow-smoke-"))
    (tmp / "jp" / "labextensions" / "@vizflow").mkdir(parents=True)
    (tmp / "jp" / "labextensions" / "@vizflow" / "jupyterlab").symlink_to(REPO / "vizflow" / "labextension")
    (tmp / "nb").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(CELL1), nbformat.v4.new_code_cell(CELL2)]
    nbformat.write(nb, tmp / "nb" / "smoke.ipynb")

    port, token = free_port(), "vizflow-smoke"
    env = dict(
        os.environ,
        JUPYTER_PATH=str(tmp / "jp"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
        PYTHONPATH=os.pathsep.join(str(REPO / p) for p in ("kernelext", "engine", ".")),
    )
    log = open(tmp / "lab.log", "w")
    lab = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", "--allow-root",
         f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={tmp / 'nb'}"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    results: dict[str, object] = {}
    ok = True
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}")
                break
            except Exception:
                time.sleep(0.5)
        url = f"http://127.0.0.1:{port}/lab/tree/smoke.ipynb?token={token}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)

            # 1. the worker path
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            msgs: list[str] = []
            workers: list[str] = []
            page.on("console", lambda m: msgs.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: msgs.append(f"pageerror: {e}"))
            page.on("dialog", lambda d: (msgs.append("DIALOG " + d.message), d.dismiss()))
            page.on("worker", lambda w: workers.append(w.url))
            page.goto(url)
            run_all(page)
            page.wait_for_function(
                "document.querySelectorAll(\".vf-graph-viewer[data-layout-state='done']\").length >= 2",
                timeout=60000)
            first = page.locator(".vf-graph-viewer").nth(0)
            results["nodes"] = first.locator(".vf-node").evaluate_all(
                "els => els.map(e => [e.dataset.nodeId, e.querySelector('.vf-node-op')?.textContent,"
                " e.querySelector('.vf-node-name')?.textContent ?? null,"
                " e.querySelector('.vf-node-shape')?.textContent])")
            results["edge_labels"] = first.locator(".react-flow__edge-text").evaluate_all(
                "els => els.map(e => e.textContent)")
            results["img_elements_in_viewer"] = first.locator("img").count()
            results["workers"] = [w.rsplit("/", 1)[-1] for w in workers]
            first.screenshot(path=str(OUT / "viewer-light-right.png"))
            page.locator(".vf-graph-viewer").nth(1).screenshot(path=str(OUT / "viewer-light-down.png"))
            first.locator(".react-flow__controls-zoomin").click()
            first.locator(".react-flow__controls-zoomin").click()
            before = first.locator(".react-flow__viewport").get_attribute("style")
            results["palette_item"] = palette(page, "vizflow: Fit all graphs to view")
            time.sleep(0.8)
            results["fit_changed_viewport"] = before != first.locator(".react-flow__viewport").get_attribute("style")
            palette(page, "Use Theme: JupyterLab Dark")
            time.sleep(3)
            first.screenshot(path=str(OUT / "viewer-dark-right.png"))
            results["console"] = [m for m in msgs if "vizflow" in m.lower() or "error" in m.lower()]
            page.close()

            # 2. the worker script cannot load: main-thread fallback
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            fallback_msgs: list[str] = []
            page.on("console", lambda m: fallback_msgs.append(f"{m.type}: {m.text}"))
            page.route("**/vizflow-layout.*", lambda route: route.abort())
            page.goto(url)
            run_all(page)
            page.wait_for_function(
                "document.querySelectorAll(\".vf-graph-viewer[data-layout-state='done']\").length >= 2",
                timeout=60000)
            results["fallback_nodes"] = page.locator(".vf-graph-viewer").nth(0).locator(".vf-node").count()
            results["fallback_console"] = [m for m in fallback_msgs if "vizflow" in m.lower()]
            browser.close()
    except Exception as err:  # report, keep the log
        ok = False
        results["error"] = repr(err)
        results["lab_log"] = str(tmp / "lab.log")
    finally:
        lab.terminate()
        lab.wait(10)
    print(json.dumps(results, indent=1))
    checks = ok and (
        len(results.get("nodes", [])) == 8
        and results.get("img_elements_in_viewer") == 0
        and results.get("fit_changed_viewport") is True
        and results.get("palette_item") == 1
        and any(w.startswith("vizflow-layout.") for w in results.get("workers", []))
        and results.get("fallback_nodes") == 8
        and any("main thread" in m for m in results.get("fallback_console", []))
    )
    print("SMOKE", "PASSED" if checks else "FAILED")
    return 0 if checks else 1


if __name__ == "__main__":
    raise SystemExit(main())
