"""Benchmark of the graph editor with a 500-node graph, in a real JupyterLab + Debian's chromium.

A notebook makes `vf.Editor()` and fills it with one step of 500 nodes (a placeholder and a
499-op chain in a 25-column grid, plus a free relu to wire into); then, in the page:
  - pan the canvas with the whole graph on screen, zoom with the wheel (in, then out) there,
    and drag a node zoomed in: frames per second. Playwright sends the pointer steps through
    the browser's real input pipeline one after another (a pointer move is delivered at the
    next frame, as a mouse's are), while the page records each animation frame and what the
    moved thing's transform was; the figure is frames in which it moved, per second, and the
    90th percentile of the time between them. The page's frame rate with nothing to redraw
    (the same steps over the palette) is printed beside them as the ceiling, and for the zoom
    the wheel events that reached the page per second (Playwright sends the next wheel once
    the page has handled the last, so they bound the zoom's frames per second); and the zoom
    again with the wheel events made in the page, one per animation frame ("zoom/frame"), as
    the browser hands a real wheel's events to a page (aligned to frames), without that wait;
  - each gesture again under a performance trace: the main thread's CPU time (not wall time,
    so less skewed by a loaded machine) over the gesture per moved frame, split into script /
    render (style, layout, hit tests) / paint / other, and the raster threads' CPU time;
    and once more counting React renders per frame by component (a DevTools-style hook);
  - live shape feedback after a connection: wall time from releasing a wire on a port to the
    kernel's new document drawn (the browser -> kernel -> browser round trip, measured from
    Playwright, so it includes its own messaging), median of CONNECTS runs (each connection
    is undone between runs, untimed; BENCH_CONNECTS=0 leaves it out).
Goals (issue 12): >= 30 frames/s, round trip <= 100 ms median.

    .venv/bin/python labextension/ui-tests/bench_editor.py

BENCH_LABEXT=<a built labextension folder> (one holding package.json and static/, e.g. a copy
of vizflow/labextension made before a change) serves that build instead of the installed one,
so a before and an after run side by side under the same load. BENCH_TRACE_DIR=<folder> keeps
each gesture's trace there (editor_<gesture>.trace.json, for DevTools' Performance panel).
Screenshots of the graph fitted into view and of the dragged node zoomed in go to
artifacts/screenshots/bench-editor-*.png.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from frame_trace import KINDS, RENDER_COUNTER, TRACE_CATEGORIES, main_thread_split
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.launch import launched_chromium, running_lab

NODES = int(os.environ.get("BENCH_NODES", "500"))
STEPS = int(os.environ.get("BENCH_STEPS", "60"))
CONNECTS = int(os.environ.get("BENCH_CONNECTS", "15"))
LABEXT = os.environ.get("BENCH_LABEXT")
TRACE_DIR = os.environ.get("BENCH_TRACE_DIR")
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

BUILD = f"""
import vizflow as vf
ed = vf.Editor(height='800px')
N, COLS = {NODES}, 25
def at(i):
    return {{"x": (i % COLS) * 260, "y": (i // COLS) * 140}}
cmds = [{{"cmd": "add_node", "kind": "placeholder", "id": "n0", "name": "x",
          "params": {{"shape": ["batch", 16], "dtype": "float32"}}, "position": at(0)}}]
for i in range(1, N - 1):
    cmds.append({{"cmd": "add_node", "kind": "op", "op": ("tanh", "relu", "exp")[i % 3],
                  "id": f"n{{i}}", "position": at(i)}})
    cmds.append({{"cmd": "connect", "source": f"n{{i - 1}}", "source_port": 0,
                  "target": f"n{{i}}", "target_port": 0}})
cmds.append({{"cmd": "add_node", "kind": "op", "op": "relu", "id": "free", "name": "free",
              "position": {{"x": -300, "y": 0}}}})
ed.edit(cmds)
ed
"""

# Record every animation frame's time and the watched element's transform until stopped, and
# when each wheel event reached the page (a passive listener: it does not delay the event).
RECORD = """(sel) => {
    const w = window;
    w.__vfFrames = [];
    w.__vfWheels = [];
    w.__vfRecording = true;
    if (!w.__vfWheelClock) {
        w.__vfWheelClock = true;
        document.addEventListener('wheel', () => {
            if (w.__vfRecording) w.__vfWheels.push(performance.now());
        }, {capture: true, passive: true});
    }
    const tick = t => {
        if (!w.__vfRecording) return;
        const el = document.querySelector(sel);
        w.__vfFrames.push([t, el ? el.style.transform : '']);
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}"""
STOP = "() => { window.__vfRecording = false; return [window.__vfFrames, window.__vfWheels]; }"
VIEWPORT = ".vf-editor .react-flow__viewport"


@dataclass
class Frames:
    """What the page drew during one gesture."""

    moved: int  # frames whose watched transform differs from the frame before
    fps: float  # moved frames per second, first to last
    p90_ms: float  # 90th percentile of the time between moved frames
    frame_rate: float  # all animation frames per second
    wheels: float = 0.0  # wheel events that reached the page per second (0: none)


def rate(times: list[float]) -> float:
    """Events per second from their times in ms (0 for fewer than two)."""
    return (len(times) - 1) * 1000 / (times[-1] - times[0]) if len(times) > 1 else 0.0


def frames_of(record: list[tuple[float, str]], wheels: list[float]) -> Frames:
    times = [t for t, _ in record]
    moved = [t for (_, before), (t, v) in itertools.pairwise(record) if v != before]
    gaps = sorted(b - a for a, b in itertools.pairwise(moved))
    span = moved[-1] - moved[0] if len(moved) > 1 else 0.0
    return Frames(
        moved=len(moved),
        fps=(len(moved) - 1) * 1000 / span if span else 0.0,
        p90_ms=gaps[int(0.9 * (len(gaps) - 1))] if gaps else 0.0,
        frame_rate=rate(times),
        wheels=rate(wheels),
    )


def recorded(page: Page, watch: str, gesture: Callable[[], None]) -> Frames:
    # the previous gesture's edit (a drag's move) has come back from the kernel
    page.wait_for_function(
        "document.querySelector('.vf-editor-body')?.dataset.busy === 'false'", timeout=30_000
    )
    page.evaluate(RECORD, watch)
    next_frame(page)
    gesture()
    next_frame(page)
    frames, wheels = page.evaluate(STOP)
    return frames_of(frames, wheels)


Point = tuple[float, float]


def pointer_steps(
    page: Page, start: Point | Callable[[], Point], dx: float, dy: float, press: bool
) -> Callable[[], None]:
    """A gesture: STEPS pointer moves by (dx, dy) from `start` (or where it says at the time),
    button held when `press`."""

    def run() -> None:
        x, y = start() if callable(start) else start
        page.mouse.move(x, y)
        if press:
            page.mouse.down()
        for i in range(1, STEPS + 1):
            page.mouse.move(x + dx * i, y + dy * i)
        if press:
            page.mouse.up()

    return run


def wheel_steps(page: Page, at: Point) -> Callable[[], None]:
    """A gesture: STEPS wheel notches at `at`, zooming in for the first half, out for the rest."""

    def run() -> None:
        page.mouse.move(*at)
        for i in range(STEPS):
            page.mouse.wheel(0, -40 if i < STEPS // 2 else 40)

    return run


# STEPS wheel notches made in the page, one per animation frame, at (x, y): how the browser
# hands a trackpad's or mouse's wheel to a page (wheel events are aligned to frames), without
# Playwright's wait for each event's handling in between
FRAME_WHEELS = """([x, y, steps]) => new Promise(done => {
    const target = document.elementFromPoint(x, y);
    let i = 0;
    const tick = () => {
        if (i >= steps) { done(null); return; }
        target.dispatchEvent(new WheelEvent('wheel', {
            deltaY: i < steps / 2 ? -40 : 40, deltaMode: 0, clientX: x, clientY: y,
            bubbles: true, cancelable: true, composed: true, view: window,
        }));
        i += 1;
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
})"""


def frame_wheel_steps(page: Page, at: Point) -> Callable[[], None]:
    """A gesture: STEPS wheel notches at `at` made in the page, one per animation frame."""

    def run() -> None:
        page.mouse.move(*at)
        page.evaluate(FRAME_WHEELS, [at[0], at[1], STEPS])

    return run


@dataclass
class Measured:
    frames: Frames  # the untraced run
    traced: Frames  # the run under the trace
    split: dict[str, float]  # main-thread ms per kind over the traced run
    renders: dict[str, int]  # React renders per component over the counting run
    counted: Frames  # the counting run


def measure(
    page: Page, name: str, watch: str, there: Callable[[], None], back: Callable[[], None]
) -> Measured:
    """A gesture untraced (fps), under a trace (ms/frame), and counting React renders;
    `there` and `back` alternate so the moved thing ends where it began."""
    frames = recorded(page, watch, there)
    browser = page.context.browser
    assert browser is not None
    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    traced = recorded(page, watch, back)
    trace = browser.stop_tracing()
    if TRACE_DIR:
        Path(TRACE_DIR).mkdir(parents=True, exist_ok=True)
        (Path(TRACE_DIR) / f"editor_{name}.trace.json").write_bytes(trace)
    events = json.loads(trace)["traceEvents"]
    page.evaluate("window.__vfRenders.reset(true)")
    counted = recorded(page, watch, there)
    renders: dict[str, int] = page.evaluate("window.__vfRenders.reset(false)")
    back()
    return Measured(frames, traced, main_thread_split(events), renders, counted)


def report(name: str, m: Measured, ceiling: float) -> None:
    per = max(m.traced.moved, 1)
    split = " ".join(f"{m.split[k] / per:5.1f}" for k in KINDS)
    total = sum(m.split[k] for k in KINDS) / per
    top = sorted(m.renders.items(), key=lambda kv: -kv[1])[:4]
    renders = ", ".join(f"{n} {c / max(m.counted.moved, 1):.1f}" for n, c in top) or "none"
    print(
        f"  {name:10} {m.frames.fps:5.1f} fps ({m.frames.fps / ceiling:4.0%}), p90 "
        f"{m.frames.p90_ms:5.1f} ms, {m.frames.moved:3d} frames | traced {m.traced.fps:5.1f} fps: "
        f"{split} = {total:5.1f} ms/frame, raster {m.split['raster'] / per:5.1f}"
    )
    print(f"        React renders per frame: {renders}")
    if m.frames.wheels:
        # Playwright sends the next wheel once the page has handled the last (d3's listener
        # blocks), so wheels delivered per second bound the zoom's frames per second
        print(
            f"        wheel events reaching the page: {m.frames.wheels:.1f}/s "
            f"(the page drew {m.frames.frame_rate:.1f} frames/s meanwhile)"
        )


def next_frame(page: Page) -> None:
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(null)))")


def pane_point(ed: Locator, y_from_bottom: float) -> Point:
    """A point on the empty pane near the canvas bottom (a press there pans, not drags)."""
    point = ed.evaluate(
        """(el, dy) => {
            const c = el.querySelector('.vf-editor-canvas').getBoundingClientRect();
            const y = c.bottom - dy;
            for (let x = c.left + c.width / 2; x < c.right - 60; x += 10) {
                const hit = document.elementFromPoint(x, y);
                if (hit && hit.classList.contains('react-flow__pane')) return [x, y];
            }
            return null;
        }""",
        y_from_bottom,
    )
    assert point, "no empty pane to press on"
    return float(point[0]), float(point[1])


def run_first_cell(page: Page) -> float:
    """Run the notebook's first cell, again while the kernel did not take it (a kernel that
    starts late on a loaded machine drops the first request); returns when it was sent."""
    cell = page.locator(".jp-Cell").first
    for _ in range(5):
        cell.locator(".jp-InputArea-editor").click()
        t0 = time.perf_counter()
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_function(
                "el => !/\\[ \\]/.test(el.textContent)",
                arg=cell.locator(".jp-InputPrompt").element_handle(),
                timeout=20_000,
            )
            return t0
        except PlaywrightTimeout:
            time.sleep(2)
    raise RuntimeError("the kernel never ran the cell")


def version(ed: Locator) -> int:
    return int(ed.locator(".vf-editor-body").get_attribute("data-version") or 0)


def connect_round_trip(page: Page, ed: Locator, source: str) -> float:
    """Drag a wire from `source` to the free relu; ms from release to the new document drawn."""
    src = ed.locator(f".vf-edit-node[data-node-id='{source}'] .vf-edit-output .react-flow__handle")
    dst = ed.locator(
        ".vf-edit-node[data-node-id='free'] .vf-edit-port[data-port='0'] .react-flow__handle"
    )
    a, b = src.bounding_box(), dst.bounding_box()
    assert a and b
    v = version(ed)
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=5)
    t0 = time.perf_counter()
    page.mouse.up()
    page.wait_for_function(
        """([el, n]) => Number(el.getAttribute('data-version')) > n
            && document.querySelector(".vf-edit-node[data-node-id='free']")
                       ?.dataset.state === 'valid'""",
        arg=[ed.locator(".vf-editor-body").element_handle(), v],
        polling="raf",
        timeout=30_000,
    )
    ms = (time.perf_counter() - t0) * 1000
    # undo it (untimed) so the port is free again
    ed.locator(".vf-edit-tool[data-action='undo']").click()
    page.wait_for_function(
        "([el, n]) => Number(el.getAttribute('data-version')) > n + 1"
        " && el.getAttribute('data-busy') === 'false'",
        arg=[ed.locator(".vf-editor-body").element_handle(), v],
        timeout=30_000,
    )
    return ms


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="vizflow-bench-editor-"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    (tmp / "nb").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(BUILD)]
    nbformat.write(nb, tmp / "nb" / "bench.ipynb")
    extra: dict[str, str] = {}
    if LABEXT:  # found first on JUPYTER_PATH, this build is served instead of the installed one
        ext = tmp / "share" / "labextensions" / "@vizflow"
        ext.mkdir(parents=True)
        (ext / "jupyterlab").symlink_to(Path(LABEXT).resolve())
        extra["JUPYTER_PATH"] = os.pathsep.join(
            p for p in (str(tmp / "share"), os.environ.get("JUPYTER_PATH")) if p
        )
    with (
        running_lab(tmp / "nb", "vizflow-bench", env=extra) as lab,
        launched_chromium() as browser,
    ):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.add_init_script(RENDER_COUNTER)
        page.goto(lab.lab_url("bench.ipynb"))
        page.wait_for_selector(
            ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000
        )
        time.sleep(1)
        # on a loaded machine the kernel can start late enough for Lab to ask for one
        dialog = page.locator(".jp-Dialog .jp-mod-accept")
        if dialog.count():
            dialog.first.click()
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000
            )
        page.keyboard.press("Control+b")
        t0 = run_first_cell(page)
        ed = page.locator(".vf-editor").first
        ed.locator(".vf-edit-node").first.wait_for(state="attached", timeout=120_000)
        page.wait_for_function(
            "document.querySelector('.vf-editor-body')?.dataset.version >= 1"
            " && document.querySelectorAll('.vf-edit-node').length > 0",
            timeout=120_000,
        )
        open_ms = (time.perf_counter() - t0) * 1000
        ed.scroll_into_view_if_needed()
        ed.locator(".react-flow__controls-fitview").click()
        time.sleep(0.5)
        in_dom = ed.locator(".react-flow__node").count()
        ed.screenshot(path=SHOTS / "bench-editor-overview.png")
        canvas = ed.locator(".vf-editor-canvas").bounding_box()
        assert canvas
        cx, cy = canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2
        # the page's frame rate with nothing to redraw: the same steps over the palette
        palette = ed.locator(".vf-palette").bounding_box()
        assert palette
        over_palette = pointer_steps(page, (palette["x"] + 20, palette["y"] + 200), 1, 0, False)
        ceiling = recorded(page, VIEWPORT, over_palette).frame_rate
        # pan and zoom with the whole graph on screen
        at = pane_point(ed, 30)
        pan = measure(
            page,
            "pan",
            VIEWPORT,
            pointer_steps(page, at, -4, 0, True),
            pointer_steps(page, (at[0] - 4 * STEPS, at[1]), 4, 0, True),
        )
        zooming = wheel_steps(page, (cx, cy))
        zoom = measure(page, "zoom", VIEWPORT, zooming, zooming)
        in_page = frame_wheel_steps(page, (cx, cy))
        zoom_frames = measure(page, "zoom/frame", VIEWPORT, in_page, in_page)
        for _ in range(6):  # zoom in so a node can be grabbed by its header
            page.mouse.wheel(0, -200)
            next_frame(page)
        time.sleep(1.0)  # the view at rest: the editor culls off-screen nodes 300 ms after
        # the node nearest the canvas centre
        nearest = ed.evaluate(
            """(el, [x, y]) => [...el.querySelectorAll('.vf-edit-node')]
                .map(n => {
                    const r = n.getBoundingClientRect();
                    return [Math.hypot(r.x + r.width / 2 - x, r.y + r.height / 2 - y),
                            n.dataset.nodeId];
                }).sort((a, b) => a[0] - b[0])[0][1]""",
            [cx, cy],
        )
        head = ed.locator(f".vf-edit-node[data-node-id='{nearest}'] .vf-edit-node-head")

        def grab() -> Point:
            box = head.bounding_box()
            assert box
            return box["x"] + 20, box["y"] + 8

        on_screen = ed.locator(".react-flow__node").count()
        drag = measure(
            page,
            "drag",
            f".vf-editor .react-flow__node[data-id='{nearest}']",
            pointer_steps(page, grab, 2, 1, True),
            pointer_steps(page, grab, -2, -1, True),
        )
        ed.screenshot(path=SHOTS / "bench-editor-dragged.png")
        trips: list[float] = []
        if CONNECTS:
            # back to the whole graph, then zoom in on the free relu and its neighbours
            ed.locator(".react-flow__controls-fitview").click()
            time.sleep(0.5)
            fb = ed.locator(".vf-edit-node[data-node-id='free']").bounding_box()
            assert fb
            page.mouse.move(fb["x"] + fb["width"] / 2, fb["y"] + fb["height"] / 2)
            for _ in range(6):
                page.mouse.wheel(0, -200)
                next_frame(page)
            time.sleep(0.5)
            sources = ed.evaluate(
                """(el) => {
                    const c = el.querySelector('.vf-editor-canvas').getBoundingClientRect();
                    return [...el.querySelectorAll('.vf-edit-node')].filter(n => {
                        const h = n.querySelector('.vf-edit-output .react-flow__handle');
                        const r = h && h.getBoundingClientRect();
                        return n.dataset.nodeId !== 'free' && r && r.x > c.x && r.y > c.y
                            && r.right < c.right - 220 && r.bottom < c.bottom - 160;
                    }).map(n => n.dataset.nodeId);
                }"""
            )
            assert sources, "no node to wire from on screen"
            trips = [
                connect_round_trip(page, ed, sources[k % len(sources)]) for k in range(CONNECTS)
            ]
    print(
        f"editor with {NODES} nodes: cell run -> drawn {open_ms:.0f} ms; "
        f"{in_dom} canvas nodes in the DOM after fit"
    )
    print(
        f"  frames/s (goal >= 30; {STEPS} pointer steps each; the page's frame rate with "
        f"nothing to redraw: {ceiling:.1f}) | main thread CPU ms per moved frame "
        f"({' '.join(KINDS)}) under a trace"
    )
    report("pan", pan, ceiling)
    report("zoom", zoom, ceiling)
    report("zoom/frame", zoom_frames, ceiling)
    report("drag", drag, ceiling)
    print(f"  (drag zoomed in: {on_screen} canvas nodes in the DOM)")
    if trips:
        print(
            f"  shape feedback after a connection (release -> new document drawn): "
            f"median {statistics.median(trips):.1f} ms, range {min(trips):.1f}-{max(trips):.1f} "
            f"(n={len(trips)}; goal <= 100 ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
