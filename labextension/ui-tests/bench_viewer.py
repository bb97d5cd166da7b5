"""Scale benchmark of the graph viewer in a real JupyterLab + Debian's chromium.

Builds transformer-like GraphPayloads (scopes `blocks/<i>/{ln1,attn,ln2,mlp}`) of about
1,000 and 10,000 nodes, and the shapes of issue 10: flat chains with no scopes (1k, 10k,
100k nodes), a deep chain (a 40-layer Linear+ReLU Sequential, and 1,000 small repeated
blocks, both without scopes), wide fan-outs (one node feeding 1,000 or 10,000) and two real
graphs through `vf.show`: a traced training step (`step.graph(xb, yb)` of an MLP with Adam),
issue 10's `nn.Sequential` of 40 Linear+ReLU (`vf.show(big(xb).sum())`) and a flat chain of
10,000 eager ops made in a loop (`vf.show(c)`, the payload built from the tape). Shows each
synthetic one through the real widget (`vizflow_kernelext.GraphViewer(payload)`), and prints:
  - first draw: wall time from running the cell to data-layout-state="done", and the
    viewer's own figure (data-first-draw-ms: mount -> laid out and drawn);
  - expand one group: click its "+" and wait for the next drawn layout (data-draw-ms),
    right after the previous draw (no idle time for the viewer to lay groups out ahead);
    the first expand of each group is also shown apart from the repeats;
  - the JSON size of each synthetic payload, expanded and as the widget sends it (the
    compact CompactGraph, which the 2 MB target is about);
  - the kernel's share of a first draw, timed in this process: what the shape's cell runs
    (json.load, GraphViewer: validate, encode, open the comm) and its display bundle;
  - a closing table of every shape against its targets.
Each figure is the median (and range) of several runs: the cell is run DRAWS times (each
run is a new viewer), then EXPANDS different groups are expanded one after another.
Targets (issues 5, 10): 1k first draw <= 1.5 s, 10k <= 2 s, expand <= 0.3 s, payload < 2 MB.
BENCH_SHAPES (comma-separated labels) picks some shapes only. BENCH_PROFILE=1 also records
the page's CPU profile over each shape's first draws (artifacts/bench_viewer_<shape>.cpuprofile,
for DevTools' Performance panel) and prints the functions with the most self and inclusive
time per draw.

    .venv/bin/python labextension/ui-tests/bench_viewer.py
"""

from __future__ import annotations

import collections
import json
import math
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.browser.launch import launched_chromium, running_lab
from vizflow_kernelext import GraphViewer
from vizflow_kernelext.payload.compact import encode

REPO = Path(__file__).resolve().parents[2]
DRAWS = int(os.environ.get("BENCH_DRAWS", "5"))
EXPANDS = int(os.environ.get("BENCH_EXPANDS", "7"))
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
PROFILE_DIR = REPO / "artifacts"


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


def _node(nid: str, op: str, scope: str = "", phase: str = "forward",
          category: str = "elementwise") -> dict[str, Any]:
    return dict(id=nid, op=op, name="", category=category, shape=[8, 32], dtype="float32",
                device="cpu", scope=scope, phase=phase)


def _payload(title: str, nodes: list[dict[str, Any]], links: list[tuple[str, str, int]],
             outputs: list[str]) -> dict[str, Any]:
    edges = [dict(id=f"e{i}", source=s, target=t, target_port=p, shape=[8, 32], dtype="float32")
             for i, (s, t, p) in enumerate(links)]
    return dict(version="1.0", title=title, nodes=nodes, edges=edges, outputs=outputs)


def flat_chain(n: int) -> dict[str, Any]:
    """x followed by n nodes in one chain, no scopes (a graph built with vf.Graph in a loop)."""
    nodes = [_node("x", "placeholder", phase="input", category="input")]
    links = []
    for i in range(n):
        nodes.append(_node(f"n{i}", ("add", "mul", "relu")[i % 3]))
        links.append((nodes[-2]["id"], f"n{i}", 0))
    return _payload(f"flat chain {n}", nodes, links, [nodes[-1]["id"]])


def repeated_blocks(blocks: int, ops: tuple[str, ...]) -> dict[str, Any]:
    """`blocks` copies of a small block (a weight, then `ops` in a chain), no scopes."""
    nodes = [_node("x", "placeholder", phase="input", category="input")]
    links: list[tuple[str, str, int]] = []
    prev = "x"
    for b in range(blocks):
        w = f"w{b}"
        nodes.append(_node(w, "variable", category="variable"))
        for k, op in enumerate(ops):
            nid = f"b{b}.{k}"
            nodes.append(_node(nid, op))
            links.append((prev, nid, 0))
            if k == 0:
                links.append((w, nid, 1))
            prev = nid
    nodes.append(_node("loss", "sum"))
    links.append((prev, "loss", 0))
    return _payload(f"{blocks} blocks of {'+'.join(ops)}", nodes, links, ["loss"])


def fan_out(width: int) -> dict[str, Any]:
    """One node feeding `width` nodes that one node gathers."""
    nodes = [_node("x", "placeholder", phase="input", category="input")]
    links = []
    for i in range(width):
        nodes.append(_node(f"f{i}", "relu"))
        links.append(("x", f"f{i}", 0))
    nodes.append(_node("total", "stack"))
    links += [(f"f{i}", "total", i) for i in range(width)]
    return _payload(f"fan-out {width}", nodes, links, ["total"])


TRAINING_STEP = """import vizflow as vf
from vizflow import data, nn, optim
import vizflow.nn.functional as F
images, labels = data.load_digits()
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
opt = optim.Adam(model.parameters(), lr=1e-2)

@vf.function
def step(xb, yb):
    opt.zero_grad()
    loss = F.cross_entropy(model(xb), yb)
    loss.backward()
    opt.step()
    return loss

vf.show(step.graph(images[:64], labels[:64]), title="training step")
"""

SEQUENTIAL_40 = """import vizflow as vf
from vizflow import data, nn
images, _ = data.load_digits()
big = nn.Sequential(*[m for _ in range(40) for m in (nn.Linear(32, 32), nn.ReLU())])
vf.show(big(images[:8, :32]).sum(), title="Sequential 40")
"""
# Issue 10's flat graph as a user makes it: 10,000 eager ops in a loop (recorded once, so
# each run of the cell times vf.show: the payload build, the widget and its drawing).
EAGER_CHAIN_10K = """import numpy as np
import vizflow as vf
if "chain_10k" not in globals():
    chain_10k = vf.tensor(np.ones(3, np.float32), requires_grad=True)
    for _ in range(10_000):
        chain_10k = chain_10k + 1
vf.show(chain_10k)
"""
# Cells that build a real graph and show it with vf.show (the others load a payload file).
SHOW_CELLS = {
    "training step": TRAINING_STEP,
    "Sequential 40": SEQUENTIAL_40,
    "eager chain 10k": EAGER_CHAIN_10K,
}
# First draw targets by node count (issues 5, 10); expand and payload targets hold for all.
FIRST_DRAW_TARGET_MS = ((2_500, 1_500.0), (10_100, 2_000.0))
EXPAND_TARGET_MS = 300.0
PAYLOAD_TARGET_BYTES = 2_000_000


def run_cell(page: Page, index: int) -> None:
    """Run cell `index` with Shift+Enter, pressed again should the page (busy under load)
    have lost the keystroke: its prompt must change ('[ ]:' to '[*]:' or a new count)."""
    cell = page.locator(".jp-Cell").nth(index)
    prompt = cell.locator(".jp-InputPrompt")
    before = prompt.inner_text()
    for _ in range(3):
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_function(
                "([el, text]) => el.innerText !== text", arg=[prompt.element_handle(), before],
                timeout=10_000)
            return
        except PlaywrightTimeout:
            continue
    raise RuntimeError(f"cell {index} did not start running")


def first_draw(page: Page, index: int) -> dict[str, float]:
    """Run cell `index` (its output becomes a new viewer) and time its first draw."""
    page.evaluate("document.querySelectorAll('.vf-pane').forEach(p => p.dataset.benchOld = '1')")
    t0 = time.perf_counter()
    run_cell(page, index)
    page.wait_for_function(
        "document.querySelector(\".vf-pane[data-layout-state='done']:not([data-bench-old])\")",
        timeout=120_000, polling=16)
    wall = (time.perf_counter() - t0) * 1000
    pane = page.locator(".vf-pane:not([data-bench-old])").first
    counts = pane.locator(".vf-graph-counts").first.text_content() or ""
    return dict(first_draw_wall_ms=wall,
                first_draw_ms=float(pane.get_attribute("data-first-draw-ms") or "nan"),
                visible_items=int(pane.get_attribute("data-visible-items") or 0),
                nodes=int(re.sub(r"[^0-9].*", "", counts.replace(",", "")) or 0))


def wait_draws(pane: Any, count: int) -> None:
    pane.locator(f"xpath=self::*[@data-draw-count='{count}']").wait_for(timeout=60_000)


def expand_runs(page: Page, runs: int) -> list[dict[str, float]]:
    """Expand `runs` different collapsed groups of the newest viewer, one at a time (each
    collapsed again before the next), timing each expand to its drawn layout."""
    pane = page.locator(".vf-pane:not([data-bench-old])").first
    out = []
    # Groups drawn on screen now (the canvas draws only what is in view).
    paths = pane.locator(".vf-group").evaluate_all("els => els.map(e => e.dataset.groupPath)")
    for k in range(runs if paths else 0):  # a graph with no group on screen has none to open
        count = int(pane.get_attribute("data-draw-count") or 0)
        path = paths[(k + 1) % len(paths)]
        group = pane.locator(f".vf-group[data-group-path='{path}']")
        t1 = time.perf_counter()
        group.locator(".vf-group-toggle").evaluate("b => b.click()")  # may be off-screen
        wait_draws(pane, count + 1)
        wall = (time.perf_counter() - t1) * 1000
        out.append(dict(path=path, first_time=k < len(paths),
                        expand_ms=float(pane.get_attribute("data-draw-ms") or "nan"),
                        expand_layout_ms=float(pane.get_attribute("data-layout-ms") or "nan"),
                        expand_wall_ms=wall,
                        visible_after=int(pane.get_attribute("data-visible-items") or 0)))
        pane.locator(f".vf-frame[data-frame-path='{path}'] .vf-group-toggle").evaluate(
            "b => b.click()")
        wait_draws(pane, count + 2)
    return out


def pan_check(page: Page) -> dict[str, Any]:
    """Open every group on screen of the newest viewer, then drag the canvas along the flow:
    how many nodes are in the DOM at each step (the canvas should draw only what is on
    screen) against how many are laid out, and how long the drag took."""
    pane = page.locator(".vf-pane:not([data-bench-old])").first
    for _ in range(3):
        group = pane.locator(".vf-group").first
        if group.count() == 0:
            break
        count = int(pane.get_attribute("data-draw-count") or 0)
        group.locator(".vf-group-toggle").evaluate("b => b.click()")
        wait_draws(pane, count + 1)
    laid_out = int(pane.get_attribute("data-visible-items") or 0)
    box = pane.locator(".vf-graph-canvas").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.5
    page.mouse.move(x, y)
    page.mouse.down()
    in_dom = []
    t0 = time.perf_counter()
    for step in range(1, 11):
        page.mouse.move(x - step * box["width"] * 0.06, y)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(null)))")
        in_dom.append(pane.locator(".react-flow__node").count())
    page.mouse.up()
    return dict(laid_out=laid_out, in_dom_max=max(in_dom), in_dom_min=min(in_dom),
                drag_ms=(time.perf_counter() - t0) * 1000)


def kernel_ms(text: str, runs: int = 5) -> list[float]:
    """Wall ms of the kernel's part of a first draw: load the payload, build the viewer
    (validation, encoding, comm open) and its display bundle, as the shape's cell does."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        GraphViewer(json.loads(text), height="500px")._repr_mimebundle_()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def summary(values: list[float]) -> str:
    v = sorted(values)
    if not v:
        return "(none)"
    return f"median {statistics.median(v):7.1f} ms  (range {v[0]:.1f}-{v[-1]:.1f}, n={len(v)})"


def measure(page: Page, index: int, draws: int, expands: int, label: str) -> dict[str, Any]:
    cdp = page.context.new_cdp_session(page) if PROFILE else None
    if cdp is not None:
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 200})
        cdp.send("Profiler.start")
    firsts = [first_draw(page, index) for _ in range(draws)]
    if cdp is not None:
        report_profile(cdp.send("Profiler.stop")["profile"], label, draws)
        cdp.detach()
    return dict(first=firsts, expand=expand_runs(page, expands), pan=pan_check(page))


def first_draw_target(nodes: int) -> float | None:
    """The first draw target (ms) for a graph of `nodes` nodes, None past the largest."""
    return next((ms for most, ms in FIRST_DRAW_TARGET_MS if nodes <= most), None)


def print_table(results: dict[str, Any], wire: dict[str, int]) -> None:
    """One row per shape: medians against the targets, and whether each is met."""
    def verdict(value: float, target: float | None) -> str:
        return "-" if target is None or math.isnan(value) else "ok" if value <= target else "OVER"

    print(f"\n{'shape':18} {'nodes':>7} {'first draw (wall)':>18} {'viewer':>8} "
          f"{'target':>7} {'':4} {'1st expand':>10} {'':4} {'wire MB':>7}")
    for name, r in results.items():
        nodes = r["first"][0]["nodes"]
        wall = statistics.median(f["first_draw_wall_ms"] for f in r["first"])
        viewer = statistics.median(f["first_draw_ms"] for f in r["first"])
        target = first_draw_target(nodes)
        firsts = [e["expand_ms"] for e in r["expand"] if e["first_time"]]
        expand = statistics.median(firsts) if firsts else math.nan
        size = f"{wire[name] / 1e6:7.2f}" if name in wire else "      -"
        size_ok = "" if name not in wire else "ok" if wire[name] < PAYLOAD_TARGET_BYTES else "OVER"
        print(f"{name:18} {nodes:7,} {wall:15.0f} ms {viewer:5.0f} ms "
              f"{'-' if target is None else f'{target:.0f}':>7} {verdict(wall, target):4} "
              f"{expand:7.0f} ms {verdict(expand, EXPAND_TARGET_MS):4} {size} {size_ok}")


def report_profile(profile: dict[str, Any], label: str, draws: int) -> None:
    """Write the page's CPU profile over the first draws to artifacts/ and print, per draw,
    the functions with the most self time and the most inclusive time."""
    PROFILE_DIR.mkdir(exist_ok=True)
    path = PROFILE_DIR / f"bench_viewer_{label.replace(' ', '_')}.cpuprofile"
    path.write_text(json.dumps(profile))
    nodes = {n["id"]: n for n in profile["nodes"]}
    parent = {c: n["id"] for n in profile["nodes"] for c in n.get("children", [])}

    def name(node_id: int) -> str:
        frame = nodes[node_id]["callFrame"]
        where = frame["url"].rsplit("/", 1)[-1].split("?")[0]
        return f"{frame['functionName'] or '(anonymous)'} {where}".strip()

    self_ms: collections.Counter[str] = collections.Counter()
    total_ms: collections.Counter[str] = collections.Counter()
    for node_id, delta_us in zip(profile["samples"], profile["timeDeltas"], strict=False):
        self_ms[name(node_id)] += delta_us / 1000
        seen = set()
        at: int | None = node_id
        while at is not None:  # the sample's stack, each function once
            seen.add(name(at))
            at = parent.get(at)
        for fn in seen:
            total_ms[fn] += delta_us / 1000
    print(f"{label}: CPU profile in {path}; per first draw, self time:")
    for fn, ms in self_ms.most_common(14):
        print(f"    {ms / draws:7.1f} ms  {fn}")
    print("  inclusive time (vizflow code):")
    ours = [(fn, ms) for fn, ms in total_ms.most_common() if ".js" in fn and "lib_" in fn]
    for fn, ms in ours[:22]:
        print(f"    {ms / draws:7.1f} ms  {fn}")


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="vizflow-bench-"))
    (tmp / "nb").mkdir()
    payloads = {
        "transformer 1k": transformer_payload(blocks=20, per_sub=11),
        "transformer 10k": transformer_payload(blocks=48, per_sub=51),
        "flat chain 1k": flat_chain(1_000),
        "flat chain 10k": flat_chain(10_000),
        "flat chain 100k": flat_chain(100_000),
        "40 Linear+ReLU": repeated_blocks(40, ("matmul", "add", "relu")),
        "1000 small blocks": repeated_blocks(1_000, ("matmul", "tanh")),
        "fan-out 1k": fan_out(1_000),
        "fan-out 10k": fan_out(10_000),
    }
    chosen = os.environ.get("BENCH_SHAPES")
    labels = chosen.split(",") if chosen else [*payloads, *SHOW_CELLS]
    sizes: dict[str, int] = {}
    wire: dict[str, int] = {}  # what the widget sends: the compact CompactGraph
    kernel: dict[str, list[float]] = {}
    cells = [nbformat.v4.new_code_cell(
        "import json\nfrom vizflow_kernelext import GraphViewer\n")]
    for label in labels:
        if label in SHOW_CELLS:
            cells.append(nbformat.v4.new_code_cell(SHOW_CELLS[label]))
            continue
        p = payloads[label]
        file = f"shape{len(cells)}.json"
        (tmp / "nb" / file).write_text(json.dumps(p))
        sizes[label] = len(json.dumps(p, separators=(",", ":")))
        wire[label] = len(json.dumps(encode(p), separators=(",", ":")))
        kernel[label] = kernel_ms(json.dumps(p))
        cells.append(nbformat.v4.new_code_cell(
            f"GraphViewer(json.load(open('{file}')), height='500px')"))
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = cells
    nbformat.write(nb, tmp / "nb" / "bench.ipynb")
    with running_lab(tmp / "nb", "vizflow-bench") as lab, launched_chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(lab.lab_url("bench.ipynb"))
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                               timeout=90_000)
        time.sleep(1)
        run_cell(page, 0)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
        results = {}
        for i, label in enumerate(labels):
            results[label] = measure(page, i + 1, DRAWS, EXPANDS, label)
            print(f"measured {label}", flush=True)
    if os.environ.get("BENCH_JSON"):
        print(json.dumps(results, indent=1))
    for name, r in results.items():
        print(f"{name}: first draw after the page loaded "
              f"{r['first'][0]['first_draw_ms']:.1f} ms (viewer), "
              f"{r['first'][0]['first_draw_wall_ms']:.0f} ms (cell run to drawn, wall)")
        print(f"  first draw (viewer mount -> drawn) {summary([f['first_draw_ms'] for f in r['first']])}"
              f"  [{r['first'][0]['visible_items']} items]")
        print(f"  first draw (cell run -> drawn, wall) "
              f"{summary([f['first_draw_wall_ms'] for f in r['first']])}")
        if name in kernel:
            print(f"    of which the kernel (cell + bundle) {summary(kernel[name])}")
        print(f"  expand one group (click -> drawn)   {summary([e['expand_ms'] for e in r['expand']])}")
        firsts = [e['expand_ms'] for e in r['expand'] if e['first_time']]
        again = [e['expand_ms'] for e in r['expand'] if not e['first_time']]
        print(f"    first expand of a group           {summary(firsts)}")
        if again:
            print(f"    the same groups again             {summary(again)}")
        print(f"    of which layout in the worker     "
              f"{summary([e['expand_layout_ms'] for e in r['expand']])}")
        pan = r["pan"]
        print(f"  panning: {pan['in_dom_min']}-{pan['in_dom_max']} nodes in the DOM of "
              f"{pan['laid_out']} laid out; 10-step drag {pan['drag_ms']:.0f} ms")
    print_table(results, wire)
    for label, size in sizes.items():
        print(f"{label} payload JSON size: {size:,} bytes ({size / 1e6:.2f} MB); on the wire "
              f"(CompactGraph, the widget's message): {wire[label]:,} bytes "
              f"({wire[label] / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
