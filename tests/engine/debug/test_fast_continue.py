"""The fast continue (debug/fastpath.py) records what stepping node by node records: long runs
go by as stretches whose zero counts are counted when read, by running the run again, and every
NaN/Inf is caught at the node that made it, also where numpy's FP flags cannot say so (BLAS,
non-finite literals, non-finite feeds) and not where a flag is raised but the value is finite."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.debug.fastpath import Stretch
from vizflow_engine.debug.health import health

from .models import mixed_chain


def _reference(dbg: vf.DebugSession, feeds: tuple[Any, ...]) -> list[Any]:
    """Each step's output, stepping the plan with Run.step (copies)."""
    return [ev.output for ev in dbg.plan.start(*feeds, copy=True)]


def _assert_history(dbg: vf.DebugSession, outs: list[Any]) -> None:
    steps = dbg.history.steps[:]
    assert [s.index for s in steps] == list(range(len(steps)))
    for s, want in zip(steps, outs, strict=False):
        assert s.health.to_json() == health(want).to_json(), s.name
        if s.value is not None:
            np.testing.assert_array_equal(s.value, want)


def _plain(dbg: vf.DebugSession) -> list[Stretch]:
    """The history's stretches run without keeping values."""
    return [s for s in dbg.history.steps.stretches if isinstance(s, Stretch)]


def _never(_ev: Any) -> bool:
    return False


def test_a_long_continue_is_a_stretch_whose_records_equal_stepping() -> None:
    g, feed = mixed_chain(3000)
    dbg = vf.debug(g, feed, max_values=100)
    outs = _reference(dbg, (feed,))
    dbg.break_on_nan()
    assert dbg.resume(block=True) is None and dbg.state == "finished"
    (stretch,) = _plain(dbg)
    assert stretch.counts is None  # nothing counted yet: no copy, no count while running
    kept = [s for s in dbg.history.steps if s.value is not None]
    assert len(kept) == 100 and kept[-1].index == len(outs) - 1
    assert sum(health(o).zeros for o in outs) > 0
    _assert_history(dbg, outs)  # zero counts of the stretch: counted now, by running again
    assert stretch.counts is not None
    # stepping node by node (a predicate breakpoint forces it) records the same
    slow = vf.debug(g, feed, max_values=100)
    slow.break_at(None, when=_never)
    slow.resume(block=True)
    assert not slow.history.steps.stretches
    for a, b in zip(slow.history.steps, dbg.history.steps, strict=True):
        assert (a.index, a.name, a.op, a.phase) == (b.index, b.name, b.op, b.phase)
        assert a.health.to_json() == b.health.to_json()


@pytest.mark.parametrize("max_values", [300, 2500])
def test_a_continue_to_the_end_keeps_the_last_values_as_the_runs_own(max_values: int) -> None:
    g, feed = mixed_chain(2000)
    dbg = vf.debug(g, feed, max_values=max_values)
    outs = _reference(dbg, (feed,))
    for _ in range(2):  # again after a restart, in the same memory
        dbg.break_on_nan()
        assert dbg.resume(block=True) is None
        assert len(dbg.history) == len(outs)
        kept = [s for s in dbg.history.steps if s.value is not None]
        assert len(kept) == min(max_values, len(outs)) and not any(s.owned for s in kept)
        assert dbg.history.total_bytes == sum(s.value.nbytes for s in kept)
        _assert_history(dbg, outs)
        dbg.restart()
    dbg.run_to(dbg.node_names[-1])  # a stop in the kept memory, then back and forth
    dbg.step_back(5)
    dbg.step()
    _assert_history(dbg, outs)
    assert len(dbg.history) == len(outs) - 4 and dbg.history[-1].index == len(outs) - 5


def test_a_byte_capped_continue_keeps_what_the_bytes_allow() -> None:
    g, feed = mixed_chain(2000)
    dbg = vf.debug(g, feed, max_values=1000, max_bytes=50 * 128)  # 50 values of 32 floats
    outs = _reference(dbg, (feed,))
    dbg.break_on_nan()
    assert dbg.resume(block=True) is None
    kept = [s for s in dbg.history.steps if s.value is not None]
    assert [s.index for s in kept] == list(range(len(outs) - 50, len(outs)))
    assert dbg.history.total_bytes == 50 * 128
    _assert_history(dbg, outs)


def test_run_to_a_node_far_past_the_cap_keeps_the_values_before_it() -> None:
    g, feed = mixed_chain(2000)
    dbg = vf.debug(g, feed, max_values=50)
    outs = _reference(dbg, (feed,))
    target = dbg.node_names[1500]
    ev = dbg.run_to(target)
    assert ev is not None and ev.index == 1500
    assert dbg.value(dbg.node_names[1451]) is not None
    np.testing.assert_array_equal(dbg.value(dbg.node_names[1460]), outs[1460])
    with pytest.raises(LookupError):
        dbg.value(dbg.node_names[100])  # beyond the cap: its value is let go, as stepping does
    _assert_history(dbg, outs)


def test_values_kept_before_a_stretch_stay_what_they_were() -> None:
    g, feed = mixed_chain(4000)
    dbg = vf.debug(g, feed, max_values=100)
    outs = _reference(dbg, (feed,))
    dbg.run_to(dbg.node_names[1000])  # the last 100 values: the run's own memory
    _assert_history(dbg, outs)
    dbg.run_to(dbg.node_names[3000])  # a stretch first: the run writes that memory again
    _assert_history(dbg, outs)
    dbg.step()
    dbg.resume(block=True)
    _assert_history(dbg, outs)
    assert len([s for s in dbg.history.steps if s.value is not None]) == 100


def test_a_step_back_lets_the_next_continue_run_fast_again() -> None:
    g, feed = mixed_chain(3000)
    dbg = vf.debug(g, feed, max_values=100)
    outs = _reference(dbg, (feed,))
    dbg.break_on_nan()
    dbg.run_to(dbg.node_names[1000])
    dbg.step_back(500)
    assert dbg.resume(block=True) is None
    assert len(_plain(dbg)) == 2  # before the step back, and after it
    _assert_history(dbg, outs)


def test_an_overflow_inside_blas_is_found_at_the_matmul() -> None:
    def f(x: Any) -> Any:
        h = x * 2.0
        for _ in range(300):
            h = h * 1.0 + 0.0
        return (h @ h) * 0.5 + 1.0

    x = vf.tensor(np.full((64, 64), 1e20, np.float32))
    dbg = vf.debug(f, x, max_values=10)
    bp = dbg.break_on_nan()
    ev = dbg.resume(block=True)
    assert ev is not None and ev.op == "matmul" and dbg.hit is bp
    assert ev.index == 601 == len(dbg.node_names) - 3  # x*2, 300 x (*1 +0), then it
    assert dbg.history.steps[-1].health.posinf > 0
    prior = dbg.history.steps[-10:-1]
    assert all(s.value is not None and s.health.finite for s in prior)  # the window is whole


def test_an_infinite_literal_is_found_at_the_node_using_it() -> None:
    def f(x: Any) -> Any:
        h = x
        for _ in range(400):
            h = h * 1.0
        return vf.where(h > 0, h, float("-inf")) * 2.0

    x = vf.tensor(np.linspace(-1.0, 1.0, 16, dtype=np.float32))
    dbg = vf.debug(f, x, max_values=20)
    dbg.break_at(None, when="inf")
    ev = dbg.resume(block=True)
    assert ev is not None and ev.op == "where" and dbg.current is not None
    assert dbg.history.steps[-1].health.neginf == 8


def test_a_nan_in_the_feed_stops_at_the_first_node_reading_it() -> None:
    g, feed = mixed_chain(1000)
    feed = feed.copy()
    feed[3] = np.nan
    dbg = vf.debug(g, feed, max_values=10)
    dbg.break_at(None, when="nan")
    ev = dbg.resume(block=True)
    assert ev is not None and ev.index == 0


def test_a_flag_raised_on_a_value_that_ends_finite_does_not_stop() -> None:
    def f(x: Any) -> Any:
        h = x
        for _ in range(300):
            h = h * 1.0
        return (h * -1.0).exp() + 1.0  # exp(-200) underflows to 0: a flag, no NaN/Inf

    x = vf.tensor(np.full(8, 200.0, np.float32))
    dbg = vf.debug(f, x, max_values=10)
    dbg.break_on_nan()
    assert dbg.resume(block=True) is None and dbg.state == "finished"
    assert all(s.health.finite for s in dbg.history.steps)


def test_pause_in_a_long_stretch_stops_mid_run_with_the_values_before_it() -> None:
    g, feed = mixed_chain(20_000, width=1024)
    dbg = vf.debug(g, feed, max_values=30)
    dbg.break_on_nan()
    started = threading.Event()
    dbg.observe(lambda s: started.set() if s.state == "running" else None)
    dbg.resume()
    started.wait(5)
    dbg.pause()
    assert dbg.state == "paused", dbg.state
    cur = dbg.current
    assert cur is not None and cur.index < len(dbg.node_names) - 1
    kept = [s for s in dbg.history.steps if s.value is not None]
    assert len(kept) == 30 and kept[-1].index == cur.index
    dbg.resume(block=True)
    assert dbg.state == "finished"


def test_random_nodes_count_and_step_back_the_same_draws() -> None:
    def f(x: Any) -> Any:
        h = x
        for k in range(200):
            h = (h + vf.rand_like(h) - 0.5).relu() if k % 50 == 0 else h * 1.0
        return h

    x = vf.tensor(np.linspace(-1.0, 1.0, 64, dtype=np.float32))
    vf.manual_seed(3)
    dbg = vf.debug(f, x, max_values=5)
    dbg.break_on_nan()
    dbg.resume(block=True)
    fast = [s.health.to_json() for s in dbg.history.steps]  # the stretch counted by running again
    last = np.array(dbg.history.steps[-1].value, copy=True)
    dbg.step_back(2)
    dbg.step()
    dbg.step()
    np.testing.assert_array_equal(dbg.history.steps[-1].value, last)  # the same draws again
    vf.manual_seed(3)
    slow = vf.debug(f, x, max_values=5)
    slow.break_at(None, when=_never)
    slow.resume(block=True)
    assert [s.health.to_json() for s in slow.history.steps] == fast
