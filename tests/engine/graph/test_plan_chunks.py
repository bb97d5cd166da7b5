"""The debugger's plan pieces: chunks of steps run straight through (Plan.chunk_code) give what
the plan gives and stop where asked, and a plan keeping its tail (keep_tail) writes the memory of
its last values again only after as many more steps."""

from __future__ import annotations

import numpy as np

import vizflow_engine as vf
from vizflow_engine.graph.executor.plan import CHUNK, Plan
from vizflow_engine.graph.ir import Graph

from ..debug.models import mixed_chain


def _run_chunks(plan: Plan, feed: np.ndarray, looks: tuple[bool, ...]) -> tuple[list, list]:
    """Run a plan by its chunks; (the outputs, where each chunk returned)."""
    run = plan.start(feed, copy=False)
    stops = []
    for c, chunk in enumerate(run.chunks(looks)):
        done = chunk(run.slots, [])
        stops.append(done)
        for k in range(c * CHUNK + done + 1, min((c + 1) * CHUNK, len(plan.instrs))):
            run.kernels[k](run.slots)  # the rest of a chunk that stopped early, one by one
    run.pc = len(plan.instrs)
    return run.finish(), stops


def test_chunks_run_the_plan_and_stop_after_the_steps_that_look() -> None:
    g, feed = mixed_chain(300)
    plan = Plan(g, parallel=False)
    want = plan.run(feed)
    n = len(plan.instrs)
    got, stops = _run_chunks(plan, feed, (False,) * n)
    np.testing.assert_array_equal(got[0], want[0])
    assert stops == [CHUNK] * ((n + CHUNK - 1) // CHUNK)  # CHUNK: all its steps ran
    looks = tuple(k in (5, 70) for k in range(n))
    got, stops = _run_chunks(plan, feed, looks)
    np.testing.assert_array_equal(got[0], want[0])
    assert stops[:2] == [5, 70 - CHUNK]


def test_a_raised_flag_stops_a_chunk_after_the_step_that_raised_it() -> None:
    g = Graph("overflow")
    h = g.placeholder("x", (4,), "float32")
    for _ in range(10):
        h = h * 1.0
    h = h * 1e30  # overflows: numpy raises the flag here, step 10
    for _ in range(10):
        h = h * 1.0
    g.output(h)
    plan = Plan(g, parallel=False)
    run = plan.start(np.full(4, 1e10, np.float32), copy=False)
    flags: list[str] = []
    with np.errstate(all="call", call=lambda kind, _flag: flags.append(kind)):
        done = run.chunks((False,) * len(plan.instrs))[0](run.slots, flags)
    assert done == 10 and flags == ["overflow"]


def test_a_kept_tail_is_not_written_again_before_its_values_are_let_go() -> None:
    g, feed = mixed_chain(400)
    plain = Plan(g, parallel=False)
    kept = Plan(g, parallel=False, keep_tail=50)
    n = len(kept.instrs)
    assert (
        plain.memory.buffer_bytes < kept.memory.buffer_bytes <= plain.memory.buffer_bytes + 52 * 128
    )
    buffers = [kept.memory.buffer_of.get(kept.graph.out[i.node].uid) for i in kept.instrs]
    for k in range(n - 50, n):
        later = [j for j in range(k + 1, n) if buffers[j] == buffers[k]]
        assert not later or later[0] - k > 50, (k, later[:1])
    np.testing.assert_array_equal(kept.run(feed)[0], plain.run(feed)[0])


def test_a_debug_session_keeps_its_last_values_as_the_runs_own_memory() -> None:
    g, feed = mixed_chain(400)
    dbg = vf.debug(g, feed, max_values=50)
    dbg.resume(block=True)
    kept = [s for s in dbg.history.steps if s.value is not None]
    assert len(kept) == 50 and not any(s.owned for s in kept)
