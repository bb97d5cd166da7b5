"""The debugger's step round trip in a real JupyterLab + Debian's chromium (issue 11).

One round trip: click Step → the kernel runs one node and sends the session → the node is
highlighted (and centred) on the canvas, and the inspector shows its output's statistics
(asked of the kernel with its inputs'). Timed in the page from the click to the DOM showing
all of that ("shown"), and to the next animation frame after it ("painted"). Median and range
over STEPS steps after WARMUP, for each graph:
  - a 1,000-node flat chain (vf.Graph: 999 elementwise ops on 64 floats);
  - a traced training step of a 40-layer Linear+ReLU Sequential (forward, backward, SGD
    updates: about 1,100 nodes drawn).
Goal (issue 11): median ≤ 50 ms on a 1,000-node graph.

    .venv/bin/python benchmarks/bench_debugger_browser.py      (BENCH_STEPS=60 by default)

BENCH_PROFILE=1 also records a CPU profile of the page over the timed steps (Chrome DevTools
protocol), writes it to artifacts/ (open in DevTools' Performance panel) and prints the
functions with the most self time per step: where the round trip's browser time goes.
"""

from __future__ import annotations

import collections
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import nbformat
from playwright.sync_api import Page, sync_playwright

STEPS = int(os.environ.get("BENCH_STEPS", "60"))
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
PROFILE_DIR = Path(__file__).resolve().parent.parent / "artifacts"
WARMUP = 5
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

CHAIN = """\
import numpy as np
import vizflow as vf
g = vf.Graph("chain 1k")
h = g.placeholder("x", (64,), "float32")
for k in range(999):
    h = h * 1.001 if k % 2 else h + 0.5
g.output(h)
vf.debug(g, np.ones(64, np.float32))"""

DEEP_STEP = """\
import numpy as np
import vizflow as vf
import vizflow.nn.functional as F
from vizflow import nn, optim
vf.manual_seed(0)
layers = []
for _ in range(40):
    layers += [nn.Linear(32, 32), nn.ReLU()]
model = nn.Sequential(*layers, nn.Linear(32, 4))
opt = optim.SGD(model.parameters(), lr=0.01)

@vf.function
def step(x, y):
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return loss

rng = np.random.default_rng(0)
xb = vf.tensor(rng.standard_normal((16, 32)).astype(np.float32))
yb = vf.tensor(rng.integers(0, 4, 16))
vf.debug(step, xb, yb)"""

GRAPHS = {"flat chain, 1,000 nodes": CHAIN, "40-layer MLP training step": DEEP_STEP}

# Click Step on debugger `i`, resolve with [shown ms, painted ms] once the next node is the
# current one on the canvas and in the inspector with its output's statistics.
ROUND_TRIP = """
async (i) => {
  const d = document.querySelectorAll('.vf-debugger')[i];
  const before = Number(d.dataset.steps);
  const shown = () => {
    const id = d.dataset.current;
    if (Number(d.dataset.steps) !== before + 1 || !id) return false;
    const node = d.querySelector(`.vf-node.vf-debug-current[data-node-id="${id}"]`);
    const panel = d.querySelector(`.vf-dbg-node[data-inspected="${id}"]`);
    return !!(node && panel && panel.querySelector(".vf-dbg-here")
              && panel.querySelector("[data-stats='output']"));
  };
  return await new Promise(resolve => {
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (shown()) {
        obs.disconnect();
        const t1 = performance.now();
        requestAnimationFrame(() => resolve([t1 - t0, performance.now() - t0]));
      }
    });
    obs.observe(d, {subtree: true, childList: true, attributes: true});
    d.querySelector(".vf-dbg-btn[data-command='step']").click();
  });
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cell(page: Page, index: int) -> None:
    page.locator(".jp-Cell").nth(index).locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")


def summary(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):6.1f} ms "
        f"(min {min(values):.1f}, max {max(values):.1f}, n={len(values)})"
    )


def measure(page: Page, index: int) -> tuple[list[float], list[float], str]:
    """Run cell `index` (a new debugger), then time STEPS round trips after WARMUP; also the
    pane's node counts."""
    run_cell(page, index)
    page.wait_for_function(
        f"document.querySelectorAll('.vf-debugger').length > {index}"
        f" && document.querySelectorAll('.vf-debugger')[{index}]"
        ".querySelector(\".vf-pane[data-layout-state='done']\")",
        timeout=180_000,
    )
    d = page.locator(".vf-debugger").nth(index)
    d.scroll_into_view_if_needed()
    shown: list[float] = []
    painted: list[float] = []
    for _ in range(WARMUP):
        page.evaluate(ROUND_TRIP, index)
    cdp = page.context.new_cdp_session(page) if PROFILE else None
    if cdp is not None:
        cdp.send("Profiler.enable")
        cdp.send("Profiler.start")
    for _ in range(STEPS):
        a, b = page.evaluate(ROUND_TRIP, index)
        shown.append(a)
        painted.append(b)
    if cdp is not None:
        report_profile(cdp.send("Profiler.stop")["profile"], index)
    return shown, painted, d.locator(".vf-graph-counts").first.text_content() or ""


def report_profile(profile: dict[str, Any], index: int) -> None:
    """Write the CPU profile to artifacts/ and print the top self times per step."""
    PROFILE_DIR.mkdir(exist_ok=True)
    path = PROFILE_DIR / f"bench_debugger_{index}.cpuprofile"
    path.write_text(json.dumps(profile))
    frames = {n["id"]: n["callFrame"] for n in profile["nodes"]}
    self_ms: collections.Counter[str] = collections.Counter()
    for node_id, delta_us in zip(profile["samples"], profile["timeDeltas"], strict=False):
        frame = frames[node_id]
        where = frame["url"].rsplit("/", 1)[-1].split("?")[0]
        self_ms[f"{frame['functionName'] or '(anonymous)'} {where}"] += delta_us / 1000
    print(f"{list(GRAPHS)[index]}: CPU profile in {path}; self time per step:")
    for name, ms in self_ms.most_common(12):
        print(f"    {ms / STEPS:6.1f} ms  {name}")


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="vizflow-bench-dbg-"))
    (tmp / "nb").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(src) for src in GRAPHS.values()]
    nbformat.write(nb, tmp / "nb" / "bench.ipynb")
    port, token = free_port(), "vizflow-bench"
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(tmp / "config"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "ws"),
    )
    with open(tmp / "lab.log", "w") as log:
        lab = subprocess.Popen(
            [
                sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
                f"--port={port}", "--ServerApp.ip=127.0.0.1",
                f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp / 'nb'}",
            ],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            for _ in range(180):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}")
                    break
                except OSError:
                    time.sleep(0.5)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
                )
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"http://127.0.0.1:{port}/lab/tree/bench.ipynb?token={token}")
                page.wait_for_selector(
                    ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000
                )
                time.sleep(1)
                for i, label in enumerate(GRAPHS):
                    shown, painted, counts = measure(page, i)
                    print(f"{label} ({counts}):")
                    print(f"  click -> highlighted, values shown  {summary(shown)}")
                    print(f"  click -> next frame painted         {summary(painted)}")
                browser.close()
        finally:
            lab.terminate()
            lab.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
