"""Where a page's frames go, from a Chromium performance trace and a React commit hook.

`main_thread_split(events)` sums the page's main-thread CPU time by kind of work, as DevTools'
summary does: script (JS, event dispatch, GC), render (style recalculation, layout, hit tests),
paint (paint records, layerize, commit) and other (task overhead, IPC); plus `raster`, the
software rasterisation on the renderer's other threads (--disable-gpu). An event whose name is
not listed takes the kind of the event around it. `RENDER_COUNTER` (an init script) counts React
renders per component name; `window.__vfRenders.reset(on)` returns the counts so far.
"""

from __future__ import annotations

import collections
from typing import Any

TRACE_CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "toplevel",
    "v8.execute",
    "blink.user_timing",
    "cc",
]

SCRIPT = {
    "FunctionCall",
    "EvaluateScript",
    "TimerFire",
    "FireAnimationFrame",
    "EventDispatch",
    "RunMicrotasks",
    "v8.compile",
    "v8.compileModule",
    "v8.evaluateModule",
    "v8.run",
    "v8.callFunction",
    "V8.Execute",
    "MajorGC",
    "MinorGC",
    "XHRReadyStateChange",
    "XHRLoad",
}
RENDER = {
    "UpdateLayoutTree",
    "RecalculateStyles",
    "Layout",
    "HitTest",
    "UpdateLayerTree",
    "UpdateLayer",
    "PrePaint",
    "ComputeIntersections",
    "IntersectionObserverController::computeIntersections",
    "ParseAuthorStyleSheet",
}
PAINT = {"Paint", "PaintImage", "Layerize", "CompositeLayers", "Commit", "PaintSetup"}
KINDS = ("script", "render", "paint", "other")


def kind_of(name: str) -> str | None:
    """The kind of work a trace event is, or None when its enclosing event decides."""
    if name in SCRIPT or name.startswith(("V8.GC", "BlinkGC", "v8.gc")):
        return "script"
    if name in RENDER:
        return "render"
    if name in PAINT:
        return "paint"
    return None


def _spans(
    events: list[dict[str, Any]], thread: tuple[int, int]
) -> list[tuple[float, float, str, float]]:
    """(start, end, name, CPU time), all in microseconds, of one thread's complete events
    that carry their thread time."""
    return [
        (float(e["ts"]), float(e["ts"]) + float(e["dur"]), e["name"], float(e["tdur"]))
        for e in events
        if e.get("ph") == "X" and "tdur" in e and (e.get("pid"), e.get("tid")) == thread
    ]


def _threads(events: list[dict[str, Any]], name: str) -> list[tuple[int, int]]:
    return [
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M"
        and e.get("name") == "thread_name"
        and e.get("args", {}).get("name", "").startswith(name)
    ]


def main_thread_split(events: list[dict[str, Any]]) -> dict[str, float]:
    """Milliseconds of CPU time per kind on the page's main thread (the busiest renderer main
    thread), each event's own time less its children's; and 'raster', the CPU time of
    rasterisation on that renderer's other threads. CPU time, not wall time: a thread waiting
    for a core on a loaded machine does not count."""
    per: collections.Counter[tuple[int, int]] = collections.Counter(
        (e.get("pid"), e.get("tid")) for e in events if e.get("ph") == "X"
    )
    main = max(_threads(events, "CrRendererMain"), key=lambda k: per[k])
    spans = sorted(_spans(events, main), key=lambda s: (s[0], -(s[1] - s[0])))
    out = dict.fromkeys((*KINDS, "raster"), 0.0)
    # a stack of [end, kind, CPU time left] for the events enclosing the current one
    stack: list[list[Any]] = []

    def close(frame: list[Any]) -> None:
        out[frame[1]] += max(frame[2], 0.0) / 1000

    for start, end, name, cpu in spans:
        while stack and start >= stack[-1][0]:
            close(stack.pop())
        if stack:
            stack[-1][2] -= cpu
        inherited = stack[-1][1] if stack else "other"
        stack.append([end, kind_of(name) or inherited, cpu])
    for frame in stack:
        close(frame)
    others = {(e.get("pid"), e.get("tid")) for e in events if e.get("pid") == main[0]} - {main}
    for thread in others:
        out["raster"] += sum(c / 1000 for _, _, n, c in _spans(events, thread) if n == "RasterTask")
    return out


# A stand-in for React DevTools' global hook: React calls onCommitFiberRoot after each
# commit; a fiber rendered in it when it did work (PerformedWork) and is not the same
# object as in the root's previous commit. Trees are walked only while counting (turning it
# on first marks every root's current tree as seen), so the uncounted runs pay nothing.
RENDER_COUNTER = """
(() => {
  const counts = new Map();
  const seen = new WeakMap();
  const lastCommit = new WeakMap();
  let commit = 0;
  let counting = false;
  let ids = 0;
  const roots = new Set();
  const walk = (root, count) => {
    const prev = lastCommit.get(root) ?? -1;
    lastCommit.set(root, commit);
    const todo = [root.current];
    while (todo.length) {
      const f = todo.pop();
      if (count && (f.flags & 1) && seen.get(f) !== prev) {
        const n = nameOf(f);
        if (n) counts.set(n, (counts.get(n) ?? 0) + 1);
      }
      seen.set(f, commit);
      if (f.sibling) todo.push(f.sibling);
      if (f.child) todo.push(f.child);
    }
  };
  const nameOf = f => {
    const t = f.elementType ?? f.type;
    if (typeof t === 'function') return t.displayName || t.name || null;
    if (t && typeof t === 'object') {
      const inner = t.type || t.render;
      return t.displayName || (inner && (inner.displayName || inner.name)) || null;
    }
    return null;
  };
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true,
    isDisabled: false,
    renderers: new Map(),
    inject(r) { ids += 1; this.renderers.set(ids, r); return ids; },
    checkDCE() {},
    onScheduleFiberRoot() {},
    onCommitFiberUnmount() {},
    onPostCommitFiberRoot() {},
    onCommitFiberRoot(_id, root) {
      commit += 1;
      roots.add(root);
      if (counting) walk(root, true);
    }
  };
  window.__vfRenders = {
    reset(on) {
      const out = Object.fromEntries(counts);
      counts.clear();
      counting = on;
      if (on) {
        commit += 1;
        for (const r of roots) walk(r, false);
      }
      return out;
    }
  };
})();
"""
