"""The history's memory: copies recycled as spares within the caps (counted in total_bytes),
the run's own arrays kept where the run never writes them again, and zero counts that stay
exact though they are counted late (from the copy, at eviction, for a dropped step held)."""

from __future__ import annotations

from typing import Any

import numpy as np

import vizflow_engine as vf
from vizflow_engine.debug.health import pending_health
from vizflow_engine.debug.history import History, Step


def _step(k: int, value: Any) -> Step:
    return Step(k, f"n{k}", "op", "forward", pending_health(value), 0.0)


def _values(n: int, size: int = 8, zeros: int = 0) -> list[np.ndarray]:
    out = []
    for k in range(n):
        a = np.full(size, k + 1.0, np.float32)
        a[: zeros + k % 3] = 0.0
        out.append(a)
    return out


def test_the_oldest_copy_is_reused_for_the_newest_and_counted_first() -> None:
    h = History(max_values=3)
    live = np.empty(8, np.float32)  # the run's buffer, rewritten by every step
    steps = []
    for k, v in enumerate(_values(6)):
        live[:] = v
        steps.append(_step(k, live))
        h.add(steps[-1], live)
        if k == 2:
            first_copy = steps[0].value
    assert steps[3].value is first_copy  # recycled, not allocated
    assert [s.value is not None for s in steps] == [False] * 3 + [True] * 3
    assert [s.health.zeros for s in steps] == [k % 3 for k in range(6)]
    for s, v in zip(steps[3:], _values(6)[3:], strict=True):
        np.testing.assert_array_equal(s.value, v)
    assert h.total_bytes == h.kept_bytes == 3 * 32 and h.spare_bytes == 0


def test_copies_of_dropped_steps_become_spares_within_the_caps() -> None:
    h = History(max_values=4)
    for k, v in enumerate(_values(4)):
        h.add(_step(k, v), v)
    h.truncate(1)
    assert len(h) == 1 and h.kept_bytes == 32 and h.spare_bytes == 3 * 32
    assert h.summary()["total_bytes"] == 4 * 32  # what the history holds, spares included
    wide = np.ones(100, np.float32)
    h.add(_step(1, wide), wide)  # no spare fits: one is freed to stay within 4 arrays
    assert h.summary()["values_kept"] == 2 and h.spare_bytes == 2 * 32
    h.truncate(0)
    narrow = _values(1)[0]
    for k in range(3):
        h.add(_step(k, narrow), narrow)
    assert h.spare_bytes == 400 and h.kept_bytes == 3 * 32  # the spares of the size were used
    capped = History(max_values=10, max_bytes=100)
    for k, v in enumerate(_values(8)):
        capped.add(_step(k, v), v)
        assert capped.total_bytes <= 100
    capped.truncate(0)
    for k in range(3):
        capped.add(_step(k, wide), wide)  # 400 B: above the cap, only its health is kept
        assert capped.total_bytes <= 100 and capped.steps[-1].value is None
        assert capped.steps[-1].health.zeros == 0


def test_a_dropped_step_somebody_holds_keeps_its_exact_zero_count() -> None:
    h = History(max_values=2)
    vals = _values(2, zeros=2)
    for k, v in enumerate(vals):
        h.add(_step(k, v), v)
    held = h.steps[1]
    assert held.health.pending
    h.truncate(0)  # its copy becomes a spare...
    assert not held.health.pending and held.health.zeros == 3
    other = np.ones(8, np.float32)
    h.add(_step(0, other), other)  # ...reused for another value
    h.add(_step(1, other), other)
    assert held.health.zeros == 3 and h.steps[0].health.zeros == 0


def test_a_value_the_run_never_writes_again_is_kept_without_a_copy() -> None:
    h = History(max_values=5)
    v = _values(1, zeros=1)[0]
    h.add(_step(0, v), v, stable=True)
    s = h.steps[0]
    assert s.value is v and not s.owned and h.kept_bytes == v.nbytes
    h.own(0)  # before a re-run writes its memory: now a copy of the history's own
    assert s.value is not v and s.owned
    v[:] = 7.0
    assert s.health.zeros == 1 and s.value[0] == 0.0
    h.truncate(0)
    assert h.spare_bytes == v.nbytes  # the copy is a spare, never the run's array


def test_a_paused_10000_node_session_holds_its_values_within_the_cap() -> None:
    g = vf.Graph("chain")
    h = g.placeholder("x", (256,), "float32")
    for k in range(10_000):
        h = h * 0.5 if k % 2 else h + 0.25
    g.output(h)
    feed = np.linspace(-1.0, 1.0, 256, dtype=np.float32)
    dbg = vf.debug(g, feed, max_values=100)
    outs = [ev.output for ev in dbg.plan.start(feed, copy=True)]
    # the plan writes the memory of the last 100 steps' values again only after the history
    # has let go of them: those values are kept as the run's own memory, not copied, and the
    # plan's memory is about the cap's
    assert dbg.plan.memory.buffer_bytes <= 103 * 1024
    dbg.run_to(dbg.node_names[-2])
    hist = dbg.history
    kept = [s for s in hist.steps if s.value is not None]
    assert len(kept) == 100 and [s.index for s in kept if s.owned] == [9899]  # before the tail
    assert hist.total_bytes == hist.kept_bytes == 100 * 1024
    for s in kept:
        np.testing.assert_array_equal(s.value, outs[s.index])
    shared = {id(s.value) for s in kept}
    dbg.restart()
    assert hist.total_bytes == hist.spare_bytes == 1024  # the one copy, kept for the next run
    dbg.run_to(dbg.node_names[-2])
    assert {id(s.value) for s in hist.steps if s.value is not None} == shared  # the same memory
    assert hist.total_bytes == hist.kept_bytes == 100 * 1024


def test_a_what_if_rerun_in_place_leaves_the_recorded_values_as_they_were() -> None:
    from .models import chain_graph

    dbg = vf.debug(chain_graph(), np.ones(3), keep_values=True)
    dbg.run_to("sub")
    hist = dbg.history
    shared = [s for s in hist.steps if s.value is not None and not s.owned]
    assert shared  # with memory of its own for every value, the history copies none
    recorded = {s.name: np.array(s.value, copy=True) for s in hist.steps}
    dbg.set_value("add_2", np.zeros(3))  # re-runs mul_3 ... add_5 in their own memory
    for s in hist.steps:
        np.testing.assert_array_equal(s.value, recorded[s.name])  # what each step made then
    assert not np.array_equal(dbg.value("add_5"), recorded["add_5"])  # the value now
