"""The debugger's costs: `continue` with no breakpoint hit vs an unstepped run of the same plan,
and the memory a paused 10,000-node session holds against the history cap it reports.

Cases: an MLP training step (784-512-512-10, batch 256: matmul-bound), a 10,000-node chain
of elementwise ops on 4,096 floats (per-step overhead-bound) and a 200-node chain on 1M floats
(memory-bound). "continue" is resume() from the start to the end with a breakpoint whose
condition never holds (checked at every node), the always-on health summaries and the
history's value copies (default cap: 1,000 values; cap 0: none). "bare Run.step loop" is the
executor's own stepping API with nothing else: the floor of any stepped run.
Usage: python benchmarks/bench_debugger.py
"""

from __future__ import annotations

import os
import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_mlp import interleaved_ms

import vizflow_engine as vf
import vizflow_engine.nn.functional as F
from vizflow_engine import nn, optim

CHAIN = 10_000
CHAIN_WIDTH = 4096


def mlp_session(max_values: int) -> vf.DebugSession:
    """A debug session of a compiled MLP training step."""
    vf.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
    )
    opt = optim.SGD(model.parameters(), lr=0.01)

    @vf.function
    def step(x: Any, y: Any) -> Any:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    r = np.random.default_rng(0)
    x = vf.tensor(r.standard_normal((256, 784), dtype=np.float32))
    y = vf.tensor(r.integers(0, 10, 256))
    return vf.debug(step, x, y, max_values=max_values)


def chain_session(max_values: int, nodes: int = CHAIN, width: int = CHAIN_WIDTH) -> vf.DebugSession:
    """A debug session of a chain of `nodes` elementwise nodes on `width` floats."""
    g = vf.Graph("chain")
    h = g.placeholder("x", (width,), "float32")
    for k in range(nodes // 2):
        h = (h * 0.5) + 0.25 if k % 2 else (h - 0.125) * 1.5
    g.output(h)
    feed = np.random.default_rng(0).standard_normal(width, dtype=np.float32)
    return vf.debug(g, feed, max_values=max_values)


def wide_chain_session(max_values: int) -> vf.DebugSession:
    """A debug session of a 200-node elementwise chain on 1M floats."""
    return chain_session(max_values, 200, 1 << 20)


def continue_fn(dbg: vf.DebugSession) -> Callable[[], None]:
    """restart + resume to the end, a never-holding condition checked at every node."""
    dbg.break_at(None, when="nan")

    def go() -> None:
        dbg.restart()
        dbg.resume(block=True)
        assert dbg.state == "finished", dbg.state

    return go


def _feeds(dbg: vf.DebugSession) -> tuple[Any, ...]:
    feeds = dbg.batches.next_feeds()
    dbg.batches.rewind()
    return feeds


def unstepped_fn(dbg: vf.DebugSession) -> Callable[[], object]:
    """The same plan run whole (generated code, no events)."""
    plan, feeds = dbg.plan, _feeds(dbg)
    return lambda: plan.run(*feeds)


def bare_steps_fn(dbg: vf.DebugSession) -> Callable[[], None]:
    """The same plan stepped through its Run API, doing nothing with the events."""
    plan, feeds = dbg.plan, _feeds(dbg)

    def go() -> None:
        run = plan.start(*feeds, copy=False)
        while not run.done:
            run.step()

    return go


def speed(name: str, make: Callable[[int], vf.DebugSession]) -> None:
    steps: dict[str, Callable[[], object]] = {}
    for cap in (1000, 0):
        dbg = make(cap)
        steps[f"continue, history cap {cap}"] = continue_fn(dbg)
    plain = make(0)
    steps["bare Run.step loop"] = bare_steps_fn(plain)
    steps["unstepped plan.run"] = unstepped_fn(plain)
    ms = interleaved_ms(steps, rounds=5, reps=3)
    base = ms["unstepped plan.run"]
    n = len(plain.node_names)
    print(f"{name}: {n} nodes")
    for k, v in ms.items():
        extra = (v - base) / n * 1e3
        print(f"  {k:30s} {v:9.2f} ms  {v / base:6.2f}x unstepped  (+{extra:6.1f} µs/node)")


def memory() -> None:
    dbg = chain_session(1000)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    dbg.run_to(dbg.node_names[-2])
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    h = dbg.history
    value_bytes = CHAIN_WIDTH * 4
    kept = sum(s.value is not None for s in h.steps)
    print(
        f"paused 10,000-node session at step {len(h)}: history keeps {kept} values, "
        f"reports {h.total_bytes / 2**20:.1f} MiB (cap 1000 x {value_bytes} B = "
        f"{1000 * value_bytes / 2**20:.1f} MiB)"
    )
    print(
        f"  allocated while running there (history, health summaries of {len(h)} steps, the "
        f"run's reused buffers): {held / 2**20:.1f} MiB; plan buffers "
        f"{dbg.plan.memory.buffer_bytes / 2**20:.2f} MiB; every value held would be "
        f"{len(h) * value_bytes / 2**20:.1f} MiB"
    )


if __name__ == "__main__":
    speed("MLP training step 784-512-512-10, batch 256", mlp_session)
    speed(f"elementwise chain, {CHAIN} nodes x {CHAIN_WIDTH} floats", chain_session)
    speed("elementwise chain, 200 nodes x 1M floats", wide_chain_session)
    memory()
