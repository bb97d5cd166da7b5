"""The debugger's costs: `continue` with no breakpoint hit vs an unstepped run of the same plan,
and the memory a paused 10,000-node session holds against the history cap it reports.

Cases: an MLP training step (784-512-512-10, batch 256: matmul-bound), a 10,000-node chain
of elementwise ops on 4,096 floats (per-step overhead-bound) and a 200-node chain on 1M floats
(memory-bound). "continue" is restart() then resume() from the start to the end with a
breakpoint whose condition never holds (checked at every node), the always-on health summaries
and the history's values (default cap: 1,000 values; cap 0: none); "continue alone" times the
resume() only. "bare Run.step loop" is the executor's stepping API (a fresh buffer set, an
Event per node); "bare Run.kernels loop" steps the run's bare step functions one by one. Each
case ends with where a continue's time goes: the fast stretch, and the steps recorded whole at
its end.
Usage: python benchmarks/bench_debugger.py
"""

from __future__ import annotations

import gc
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_mlp import interleaved_ms

import vizflow_engine as vf
import vizflow_engine.nn.functional as F
from vizflow_engine import nn, optim
from vizflow_engine.debug.fastpath import Stretch

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


def chain_session(
    max_values: int, nodes: int = CHAIN, width: int = CHAIN_WIDTH, max_bytes: int | None = None
) -> vf.DebugSession:
    """A debug session of a chain of `nodes` elementwise nodes on `width` floats."""
    g = vf.Graph("chain")
    h = g.placeholder("x", (width,), "float32")
    for k in range(nodes // 2):
        h = (h * 0.5) + 0.25 if k % 2 else (h - 0.125) * 1.5
    g.output(h)
    feed = np.random.default_rng(0).standard_normal(width, dtype=np.float32)
    return vf.debug(g, feed, max_values=max_values, max_bytes=max_bytes)


def wide_chain_session(max_values: int) -> vf.DebugSession:
    """A debug session of a 200-node elementwise chain on 1M floats."""
    return chain_session(max_values, 200, 1 << 20)


def wide_chain_bytes_session(max_values: int) -> vf.DebugSession:
    """The same, its history also capped at 256 MiB (64 of its 4 MiB values)."""
    return chain_session(max_values, 200, 1 << 20, max_bytes=256 << 20 if max_values else None)


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


def bare_kernels_fn(dbg: vf.DebugSession) -> Callable[[], None]:
    """The same plan stepped as the session's loop steps it, doing nothing else: one run's
    buffers restarted, its bare step functions called one by one under one errstate."""
    plan, feeds = dbg.plan, _feeds(dbg)
    run = plan.start(*feeds, copy=False)

    def go() -> None:
        run.restart(*feeds)
        kernels, slots = run.kernels, run.slots
        with np.errstate(all="ignore"):
            for k in range(len(kernels)):
                kernels[k](slots)

    return go


def where_time_goes(dbg: vf.DebugSession, base_us: float) -> str:
    """One continue's time split: the fast stretch (no value kept, zeros counted when read)
    and the steps recorded whole at its end (the history's cap, or the 200 the timeline shows),
    per step, against the unstepped run's time per node."""
    dbg.restart()
    t0 = time.perf_counter()
    dbg.resume(block=True)
    total = time.perf_counter() - t0
    stretches = [s for s in dbg.history.steps.stretches if isinstance(s, Stretch)]
    s_steps = sum(s.length for s in stretches)
    s_time = sum(s.seconds for s in stretches)
    w_steps = len(dbg.history) - s_steps
    parts = [f"unstepped {base_us:.2f} µs/node"]
    if s_steps:
        parts.append(f"stretch {s_steps} steps at {s_time / s_steps * 1e6:.2f} µs")
    if w_steps:
        w_us = (total - s_time) / w_steps * 1e6
        parts.append(f"recorded whole {w_steps} steps at {w_us:.2f} µs")
    return ", ".join(parts)


def resume_alone_ms(dbg: vf.DebugSession, reps: int = 15) -> float:
    """Median ms of resume() to the end alone: each after a restart() that is not timed (it
    puts the variables back, a copy of them all, which a continue does not do)."""
    times = []
    for _ in range(reps):
        dbg.restart()
        t0 = time.perf_counter()
        dbg.resume(block=True)
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1e3)


def speed(name: str, make: Callable[[int], vf.DebugSession]) -> None:
    steps: dict[str, Callable[[], object]] = {}
    sessions = {}
    for cap in (1000, 0):
        sessions[cap] = dbg = make(cap)
        steps[f"continue, history cap {cap}"] = continue_fn(dbg)
    plain = make(0)
    steps["bare Run.step loop"] = bare_steps_fn(plain)
    steps["bare Run.kernels loop"] = bare_kernels_fn(plain)
    steps["unstepped plan.run"] = unstepped_fn(plain)
    ms = interleaved_ms(steps, rounds=5, reps=3)
    base = ms["unstepped plan.run"]
    n = len(plain.node_names)
    print(f"{name}: {n} nodes")
    for k, v in ms.items():
        extra = (v - base) / n * 1e3
        print(f"  {k:30s} {v:9.2f} ms  {v / base:6.2f}x unstepped  (+{extra:6.1f} µs/node)")
    for cap, dbg in sessions.items():
        alone = resume_alone_ms(dbg)
        print(f"  continue alone, cap {cap:<4} {alone:9.2f} ms  {alone / base:6.2f}x unstepped")
    for cap, dbg in sessions.items():
        print(f"  where a continue's time goes, cap {cap}: {where_time_goes(dbg, base / n * 1e3)}")


def _allocated(f: Callable[[], object]) -> int:
    """Bytes newly allocated by f() and still held, with what it returns."""
    before = tracemalloc.get_traced_memory()[0]
    result = f()
    held = tracemalloc.get_traced_memory()[0] - before
    del result
    gc.collect()  # a run's step functions and their namespace are a cycle: free it now
    return held


def memory() -> None:
    """A 10,000-node session paused at its last step but one, twice (the second time after a
    restart, reusing the first run's memory): what it allocates against what it reports."""
    dbg = chain_session(1000)
    h = dbg.history
    value_bytes = CHAIN_WIDTH * 4
    mib = 2**20
    tracemalloc.start()
    first = _allocated(lambda: dbg.run_to(dbg.node_names[-2]))
    steps, reported = len(h), h.total_bytes
    kept = [s for s in h.steps if s.value is not None]
    copies = sum(s.value.nbytes for s in kept if s.owned)
    shared = sum(s.value.nbytes for s in kept if not s.owned)
    plan_bytes = dbg.plan.memory.buffer_bytes
    dbg.restart()
    again = _allocated(lambda: dbg.run_to(dbg.node_names[-2]))
    tracemalloc.stop()
    print(
        f"paused 10,000-node session at step {steps}: keeps {len(kept)} values, reports "
        f"{reported / mib:.1f} MiB held (cap 1000 x {value_bytes} B = "
        f"{1000 * value_bytes / mib:.1f} MiB; every value would be {steps * value_bytes / mib:.1f}"
        f" MiB)\n  of which {shared / mib:.1f} MiB are the run's own memory (the plan writes the "
        f"last 1000 values' memory again only after the history lets them go) and "
        f"{copies / mib:.2f} MiB copies; the plan's buffers are {plan_bytes / mib:.1f} MiB in all"
        f"\n  allocated running there: {first / mib:.1f} MiB (the run's buffers, step functions, "
        f"copies and step records); after restart() running there again allocates "
        f"{again / mib:.1f} MiB (no new arrays), holding {h.total_bytes / mib:.1f} MiB"
    )


if __name__ == "__main__":
    speed("MLP training step 784-512-512-10, batch 256", mlp_session)
    speed(f"elementwise chain, {CHAIN} nodes x {CHAIN_WIDTH} floats", chain_session)
    speed("elementwise chain, 200 nodes x 1M floats", wide_chain_session)
    speed("the same, history capped at 256 MiB", wide_chain_bytes_session)
    memory()
