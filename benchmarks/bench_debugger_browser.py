"""The debugger's step round trip in a real JupyterLab + Debian's chromium (issue 11).

One round trip: click Step → the kernel runs one node and sends the session → the node is
highlighted on the canvas (or, inside a collapsed group, the group is marked as paused inside
at it), and the inspector shows its output's statistics. Timed in the page from the click to
the DOM showing all of that ("shown"), and to the end of the next frame's paint ("painted").
Median and range over STEPS steps after WARMUP, for each graph, split by where the step
landed (on a drawn node, or inside a collapsed group):
  - a 1,000-node flat chain (vf.Graph: 999 elementwise ops on 64 floats), as it opens (its
    repeated add/mul blocks collapsed) and with every group expanded (all 1,000 nodes drawn);
  - a traced training step of a 40-layer Linear+ReLU Sequential (forward, backward, SGD
    updates: about 1,100 nodes, drawn as it opens), from its first node, and in its backward
    pass (stepped there from Python: the timeline full, gradients accumulating).
Besides wall time (which a loaded machine skews), each graph's costs per step: the CPU time of
the kernel process and of chromium (all its processes: what load does not inflate), and the
page's main-thread task, script, style and layout time (Chrome's Performance.getMetrics: wall
durations of main-thread work).
Goal (issue 11): median ≤ 50 ms on a 1,000-node graph. BENCH_GRAPH=<text> measures only the
graphs whose label contains it. The figures are for the extension as built (`jlpm build` is a
development build; `jlpm build:prod` is what pip installs).

    .venv/bin/python benchmarks/bench_debugger_browser.py      (BENCH_STEPS=60 by default)

BENCH_PROFILE=1 then takes STEPS more steps under a CPU profile (Chrome DevTools protocol,
written to artifacts/, open it in DevTools) and prints the functions with the most self time
per step; and STEPS more under a performance trace, printing the main thread's self time per
step by kind of work (script, style, layout, paint, ...: the browser's own costs, which the
machine's load skews less than wall time; the trace is written to artifacts/ too) and how many
times each React component rendered per step (counted by a React DevTools-style commit hook).
The timed steps run unprofiled.
Each step's reply is also timed in transit: from the kernel's stamp on it (its header's date)
to the page's handling of it ("reply in transit", the same clock: one machine).
The kernel websockets send each message at once (TCP_NODELAY, vizflow's server extension
vizflow_server). BENCH_NAGLE=1 serves JupyterLab without it, as jupyter_server opens them
(Nagle's algorithm): a reply written while the kernel's short 'busy' status is not yet
acknowledged waits for the browser's delayed ACK (up to 40 ms on Linux); stepping back to back,
the browser delays its ACKs, and most replies wait so.
Each graph is stepped twice: back to back (the next click as soon as a step is shown and
painted, while its effects and the kernel's idle message may still be running: stepping
throughput) and paced (PACE_MS, 300 ms by default, after each step: a person's clicks, each
on a settled page), the "paced" lines.
"""

from __future__ import annotations

import collections
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from playwright.sync_api import CDPSession, Page

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser.launch import launched_chromium, running_lab

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "labextension" / "ui-tests"))
from frame_trace import RENDER_COUNTER

STEPS = int(os.environ.get("BENCH_STEPS", "60"))
PACE_MS = int(os.environ.get("BENCH_PACE_MS", "300"))
ONLY = os.environ.get("BENCH_GRAPH", "")  # measure only the graphs whose label contains this
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
PROFILE_DIR = Path(__file__).resolve().parent.parent / "artifacts"
WARMUP = 5
NAGLE = os.environ.get("BENCH_NAGLE") == "1"

# A jupyter_server config without vizflow's server extension: kernel websockets as it opens them.
NAGLE_CONFIG = 'c.ServerApp.jpserver_extensions = {"vizflow_server": False}\n'


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

# The same training step, stepped from Python into its backward pass (timeline full, gradients
# accumulating) before it is shown.
DEEP_BACKWARD = (
    DEEP_STEP.rsplit("\n", 1)[0]
    + """
dbg = vf.debug(step, xb, yb)
while dbg.step().phase != "backward":
    pass
for _ in range(150):
    dbg.step()
dbg"""
)

TRACE_CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "v8.execute",
    "blink.user_timing",
    "disabled-by-default-devtools.timeline.invalidationTracking",
]
SCRIPT_EVENTS = {"FunctionCall", "EvaluateScript", "TimerFire", "FireAnimationFrame",
                 "EventDispatch", "RunMicrotasks", "V8.Execute", "v8.callFunction"}  # fmt: skip

# label -> (cell, whether every group is expanded before stepping)
GRAPHS = {
    "flat chain, 1,000 nodes, as opened": (CHAIN, False),
    "flat chain, 1,000 nodes, all expanded": (CHAIN, True),
    "40-layer MLP training step, as opened": (DEEP_STEP, False),
    "40-layer MLP training step, in its backward pass": (DEEP_BACKWARD, False),
}
METRICS = ("TaskDuration", "ScriptDuration", "RecalcStyleDuration", "LayoutDuration")
CHOSEN = {label: graph for label, graph in GRAPHS.items() if ONLY in label}

# Click Step on debugger `i`, resolve with [shown ms, painted ms, where] once the next node
# is the current one on the canvas (where: "node"), or its collapsed group is marked paused
# inside at it ("group"), and the inspector shows it with its output's statistics.
ROUND_TRIP = """
async (i) => {
  const d = document.querySelectorAll('.vf-debugger')[i];
  const before = Number(d.dataset.steps);
  const shown = () => {
    const id = d.dataset.current;
    if (Number(d.dataset.steps) !== before + 1 || !id) return null;
    const node = d.querySelector(`.vf-node.vf-debug-current[data-node-id="${id}"]`);
    const group = d.querySelector(`.vf-group.vf-debug-current + [data-paused-inside="${id}"]`);
    const panel = d.querySelector(`.vf-dbg-node[data-inspected="${id}"]`);
    if (!(panel && panel.querySelector(".vf-dbg-here")
          && panel.querySelector("[data-stats='output']"))) return null;
    return node ? "node" : group ? "group" : null;
  };
  return await new Promise(resolve => {
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      const where = shown();
      if (where) {
        obs.disconnect();
        const t1 = performance.now();
        // The next frame's callbacks run before its paint; a task queued there runs after it.
        requestAnimationFrame(() =>
          setTimeout(() => resolve([t1 - t0, performance.now() - t0, where]), 0));
      }
    });
    obs.observe(d, {subtree: true, childList: true, attributes: true});
    d.querySelector(".vf-dbg-btn[data-command='step']").click();
  });
}
"""


# For each DebugReply the page handles, the ms since the kernel stamped it:
# `window.__vfReplyTransit` (the kernel websocket's v1 frames: offsets, then channel, header,
# parent header, metadata, content).
REPLY_TRANSIT = """
(() => {
  window.__vfReplyTransit = [];
  const text = new TextDecoder();
  const part = (data, view, n, i) => {
    const at = k => Number(view.getBigUint64(8 * (k + 1), true));
    const end = i + 1 < n ? at(i + 1) : data.byteLength;
    return JSON.parse(text.decode(new Uint8Array(data, at(i), end - at(i))));
  };
  const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  Object.defineProperty(WebSocket.prototype, 'onmessage', {
    get() { return onmessage.get.call(this); },
    set(handler) {
      onmessage.set.call(this, function (event) {
        const data = event.data;
        if (data instanceof ArrayBuffer) {
          const view = new DataView(data);
          const n = Number(view.getBigUint64(0, true));
          const header = n > 4 ? part(data, view, n, 1) : null;
          if (header?.msg_type === 'comm_msg'
              && part(data, view, n, 4).data?.content?.kind === 'debug_reply') {
            window.__vfReplyTransit.push(Date.now() - Date.parse(header.date));
          }
        }
        return handler.call(this, event);
      });
    }
  });
})();
"""


def run_cell(page: Page, index: int) -> None:
    page.locator(".jp-Cell").nth(index).locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")


def summary(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):6.1f} ms "
        f"(min {min(values):.1f}, max {max(values):.1f}, n={len(values)})"
    )


LAYOUT_DONE = """
(i) => {
  const d = document.querySelectorAll('.vf-debugger')[i];
  return !!(d && d.querySelector(".vf-pane[data-layout-state='done'] .react-flow__node"));
}
"""


def cpu_s(nb_dir: Path) -> tuple[float, float]:
    """CPU seconds used so far (all threads) by the kernels working in nb_dir (this benchmark's:
    their working directory), and by this benchmark's chromium (its processes below this one)."""
    procs: dict[int, tuple[int, int, bytes, Path | None]] = {}  # pid: ppid, ticks, cmd, cwd
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (proc / "cmdline").read_bytes()
            cwd = Path(os.readlink(proc / "cwd")) if b"ipykernel" in cmd else None
        except OSError:
            continue
        # ppid, utime + stime (clock ticks)
        procs[int(proc.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]), cmd, cwd)

    def ours(pid: int) -> bool:
        while pid > 1 and pid in procs:
            pid = procs[pid][0]
            if pid == os.getpid():
                return True
        return False

    kernel = sum(t for _, t, _, cwd in procs.values() if cwd == nb_dir)
    browser = sum(
        t for pid, (_, t, cmd, _) in procs.items() if b"chrom" in cmd.split(b"\0")[0] and ours(pid)
    )
    tick = os.sysconf("SC_CLK_TCK")
    return kernel / tick, browser / tick


def page_metrics(cdp: CDPSession) -> dict[str, float]:
    """The page's cumulative main-thread times (s) by kind."""
    got = cdp.send("Performance.getMetrics")["metrics"]
    return {m["name"]: m["value"] for m in got if m["name"] in METRICS}


def measure(
    page: Page, index: int, expand_all: bool, nb_dir: Path
) -> tuple[dict[str, list[float]], dict[str, float], str]:
    """Run cell `index` (a new debugger), expand its groups if asked, then time STEPS round
    trips after WARMUP (and, with BENCH_PROFILE, profile STEPS more): shown and painted ms by
    where each step landed, the kernel's CPU and the page's main-thread ms per step, and the
    pane's node counts."""
    run_cell(page, index)
    page.wait_for_function(LAYOUT_DONE, arg=index, timeout=180_000)
    d = page.locator(".vf-debugger").nth(index)
    d.scroll_into_view_if_needed()
    toggle = d.locator(".vf-collapse-all")
    if expand_all and toggle.text_content() == "Expand all":
        toggle.click()
        page.wait_for_function(
            "i => document.querySelectorAll('.vf-debugger')[i]"
            ".querySelectorAll('.vf-group').length === 0",
            arg=index,
            timeout=180_000,
        )
        page.wait_for_function(LAYOUT_DONE, arg=index, timeout=180_000)
    times: dict[str, list[float]] = collections.defaultdict(list)
    for _ in range(WARMUP):
        page.evaluate(ROUND_TRIP, index)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.wait_for_timeout(300)  # the last warm-up step's paint and effects
    before, cpu = page_metrics(cdp), cpu_s(nb_dir)
    page.evaluate("window.__vfReplyTransit = []")
    for _ in range(STEPS):
        shown, painted, where = page.evaluate(ROUND_TRIP, index)
        times[f"shown ({where})"].append(shown)
        times[f"painted ({where})"].append(painted)
        times["shown (all)"].append(shown)
        times["painted (all)"].append(painted)
    page.wait_for_timeout(300)
    times["reply in transit"] = page.evaluate("window.__vfReplyTransit")
    after = page_metrics(cdp)
    cpu_after = cpu_s(nb_dir)
    costs = {
        "kernel CPU": (cpu_after[0] - cpu[0]) * 1000 / STEPS,
        "browser CPU": (cpu_after[1] - cpu[1]) * 1000 / STEPS,
    }
    for name in METRICS:
        costs[name] = (after[name] - before[name]) * 1000 / STEPS
    cdp.detach()
    page.evaluate("window.__vfReplyTransit = []")
    for _ in range(STEPS):  # clicked as a person clicks: once the last step's work is done
        page.wait_for_timeout(PACE_MS)
        shown, painted, _where = page.evaluate(ROUND_TRIP, index)
        times["shown, paced (all)"].append(shown)
        times["painted, paced (all)"].append(painted)
    times["reply in transit, paced"] = page.evaluate("window.__vfReplyTransit")
    if PROFILE:
        profile_steps(page, index)
    PROFILE_DIR.mkdir(exist_ok=True)
    d.screenshot(path=PROFILE_DIR / f"bench_debugger_{index}.png")
    return times, costs, d.locator(".vf-graph-counts").first.text_content() or ""


def profile_steps(page: Page, index: int) -> None:
    """STEPS steps under a CPU profile, then STEPS under a trace with React render counts."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.start")
    for _ in range(STEPS):
        page.evaluate(ROUND_TRIP, index)
    report_profile(cdp.send("Profiler.stop")["profile"], index)
    cdp.detach()
    browser = page.context.browser
    assert browser is not None
    page.evaluate("window.__vfRenders.reset(true)")
    page.evaluate(ROUND_TRIP, index)  # the first commits counted see every fiber as new
    page.evaluate("window.__vfRenders.reset(true)")
    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    for _ in range(STEPS):
        page.evaluate(ROUND_TRIP, index)
    renders: dict[str, int] = page.evaluate("window.__vfRenders.reset(false)")
    raw = browser.stop_tracing()
    (PROFILE_DIR / f"bench_debugger_{index}.trace.json").write_bytes(raw)
    trace = json.loads(raw)
    report_trace(trace["traceEvents"], renders, index)


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
    print(f"{list(CHOSEN)[index]}: CPU profile in {path}; self time per step:")
    for name, ms in self_ms.most_common(12):
        print(f"    {ms / STEPS:6.1f} ms  {name}")


def main_thread_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The complete ('X') events of the busiest renderer main thread (the page's)."""
    mains = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M" and e.get("args", {}).get("name") == "CrRendererMain"
    }
    per: collections.Counter[tuple[int, int]] = collections.Counter(
        (e["pid"], e["tid"]) for e in events if e.get("ph") == "X"
    )
    main = max(mains, key=lambda k: per[k])
    return [e for e in events if e.get("ph") == "X" and (e["pid"], e["tid"]) == main]


def report_trace(events: list[dict[str, Any]], renders: dict[str, int], index: int) -> None:
    """Print the main thread's self time per step by trace event, the layouts forced by script,
    and React's renders per step by component."""
    xs = sorted(main_thread_events(events), key=lambda e: (e["ts"], -e.get("dur", 0)))
    self_us: dict[str, float] = collections.defaultdict(float)
    count = collections.Counter(e["name"] for e in xs)
    stack: list[tuple[dict[str, Any], list[float]]] = []  # event, [its self time left]
    forced = [0.0, 0.0]  # layouts and style recalcs run inside script: count, ms
    for e in xs:
        dur = float(e.get("dur", 0))
        while stack and e["ts"] >= stack[-1][0]["ts"] + stack[-1][0].get("dur", 0):
            top, left = stack.pop()
            self_us[top["name"]] += left[0]
        if stack:
            stack[-1][1][0] -= dur
            if e["name"] in ("Layout", "UpdateLayoutTree") and any(
                s[0]["name"] in SCRIPT_EVENTS for s in stack
            ):
                forced[0] += 1
                forced[1] += dur / 1000
        stack.append((e, [dur]))
    for top, left in stack:
        self_us[top["name"]] += left[0]
    print(f"{list(CHOSEN)[index]}: main-thread self time per step (trace):")
    for name, us in sorted(self_us.items(), key=lambda kv: -kv[1])[:14]:
        print(f"    {us / 1000 / STEPS:6.1f} ms  {name} ({count[name] / STEPS:.1f}×)")
    print(
        f"    style/layout forced by script: {forced[0] / STEPS:.1f} per step, "
        f"{forced[1] / STEPS:.1f} ms per step"
    )
    report_raster(events)
    print(f"{list(CHOSEN)[index]}: React renders per step:")
    for name, n in sorted(renders.items(), key=lambda kv: -kv[1])[:14]:
        print(f"    {n / STEPS:7.1f}  {name}")


def report_raster(events: list[dict[str, Any]]) -> None:
    """Print the raster threads' time per step by layer (tiles re-rastered and their ms: what a
    step's repaint costs in software raster), and the style invalidations per step by element
    and what changed (the trace's invalidation tracking: what a step touched)."""
    ms: collections.Counter[int] = collections.Counter()
    tiles: collections.Counter[int] = collections.Counter()
    for e in events:
        if e.get("name") == "RasterTask" and e.get("ph") == "X":
            layer = e["args"]["tileData"]["layerId"]
            ms[layer] += e.get("dur", 0) / 1000
            tiles[layer] += 1
    print("    raster per step by layer (tiles, ms):")
    for layer, total in ms.most_common(4):
        print(f"    {tiles[layer] / STEPS:7.1f} tiles {total / STEPS:7.1f} ms  layer {layer}")
    why: collections.Counter[str] = collections.Counter()
    for e in events:
        if e.get("name") == "ScheduleStyleInvalidationTracking":
            data = e["args"]["data"]
            changed = next((v for k, v in data.items() if k.startswith("changed")), "?")
            why[f"{data.get('nodeName', '?')[:60]}: {changed}"] += 1
    print("    style invalidations per step (element: what changed):")
    for name, n in why.most_common(8):
        print(f"    {n / STEPS:7.1f}  {name}")


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="vizflow-bench-dbg-"))
    (tmp / "nb").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(src) for src, _ in CHOSEN.values()]
    nbformat.write(nb, tmp / "nb" / "bench.ipynb")
    env = None
    if NAGLE:
        (tmp / "config").mkdir()
        (tmp / "config" / "jupyter_server_config.py").write_text(NAGLE_CONFIG)
        env = {"JUPYTER_CONFIG_DIR": str(tmp / "config")}
    sockets = "as jupyter_server opens them (Nagle)" if NAGLE else "TCP_NODELAY"
    print(f"kernel websockets: {sockets}")
    with (
        running_lab(tmp / "nb", "vizflow-bench", env=env) as lab,
        launched_chromium() as browser,
    ):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.add_init_script(REPLY_TRANSIT)
        if PROFILE:
            page.add_init_script(RENDER_COUNTER)
        page.goto(lab.lab_url("bench.ipynb"))
        page.wait_for_selector(
            ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000
        )
        time.sleep(1)
        for i, (label, (_, expand_all)) in enumerate(CHOSEN.items()):
            times, costs, counts = measure(page, i, expand_all, tmp / "nb")
            print(f"{label} ({counts}):")
            transit = {k: times.pop(k) for k in ("reply in transit", "reply in transit, paced")}
            for kind in sorted(times, key=lambda k: ("(all)" not in k, k)):
                print(f"  click -> {kind:16}  {summary(times[kind])}")
            print(
                f"  per step: kernel CPU {costs['kernel CPU']:.1f} ms; chromium CPU "
                f"{costs['browser CPU']:.1f} ms (all processes); page main thread "
                f"{costs['TaskDuration']:.1f} ms (script {costs['ScriptDuration']:.1f}, "
                f"style {costs['RecalcStyleDuration']:.1f}, "
                f"layout {costs['LayoutDuration']:.1f})"
            )
            for kind, values in transit.items():
                print(f"  kernel -> page: {kind:23}  {summary(values)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
