"""The lean continue loop records what stepping node by node with Run.step records: every
step's exact health and the same kept values, and breakpoints fire at the same node (a NaN
planted mid-chain of 10,000 nodes, an Inf made in the backward pass, |grad| > t, predicates)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.debug.health import health
from vizflow_engine.debug.loop import feeds_of

from .models import mlp_step


def _variables(dbg: vf.DebugSession) -> list[Any]:
    return [v.tensor.array if v.tensor is not None else v.value for v in dbg.graph.variables]


def _reference(dbg: vf.DebugSession, feeds: tuple[Any, ...]) -> list[Any]:
    """Each step's output (a copy), stepping the session's plan with Run.step; the variables
    are put back as they were."""
    saved = [np.array(a, copy=True) for a in _variables(dbg)]
    outs = [ev.output for ev in dbg.plan.start(*feeds, copy=True)]
    for a, was in zip(_variables(dbg), saved, strict=True):
        np.copyto(a, was)
    return outs


def _first(outs: list[Any], dbg: vf.DebugSession, holds: Any) -> int:
    return next(k for k, out in enumerate(outs) if holds(k, out, dbg.plan.instrs[k].node))


def _produces_nonfinite(dbg: vf.DebugSession, outs: list[Any]) -> Any:
    index = {name: k for k, name in enumerate(dbg.node_names)}

    def holds(k: int, out: Any, node: Any) -> bool:
        ins = [outs[index[x.name]] for x in node.inputs if getattr(x, "name", None) in index]
        return not health(out).finite and all(health(x).finite for x in ins)

    return holds


def _assert_history_matches(dbg: vf.DebugSession, outs: list[Any], start: int = 0) -> None:
    steps = dbg.history.steps[start:]
    assert [s.index for s in steps] == list(range(len(steps)))
    for s, want in zip(steps, outs, strict=False):
        assert s.health.to_json() == health(want).to_json(), s.name
        if s.value is not None:
            np.testing.assert_array_equal(s.value, want)


@pytest.mark.parametrize(
    ("max_values", "max_bytes"), [(1000, None), (7, None), (0, None), (1000, 600), (1000, 100)]
)
def test_every_steps_health_and_kept_values_equal_stepping_node_by_node(
    max_values: int, max_bytes: int | None
) -> None:
    _, step, x, y = mlp_step()
    dbg = vf.debug(step, x, y, max_values=max_values, max_bytes=max_bytes)
    outs = _reference(dbg, feeds_of((x, y)))
    assert any(health(o).zeros for o in outs)  # relu's zeros and gt's False are counted
    for _ in range(2):  # the second run reuses the first one's buffers and copies
        dbg.resume(block=True)
        assert dbg.state == "finished"
        _assert_history_matches(dbg, outs)
        kept = [s for s in dbg.history.steps if s.value is not None]
        assert len(kept) <= max_values and kept == dbg.history.steps[len(outs) - len(kept) :]
        if max_bytes is not None:
            assert dbg.history.total_bytes <= max_bytes
        dbg.restart()
    dbg.run_to(dbg.node_names[-3])
    dbg.step_back(4)
    _assert_history_matches(dbg, outs)
    assert dbg.current is not None and dbg.current.index == len(outs) - 7


@pytest.fixture(scope="module")
def planted_chain() -> tuple[vf.DebugSession, list[Any]]:
    """A 10,000-node elementwise chain whose log at node 5,001 makes NaNs (of negative
    elements) that every later node passes on; its reference outputs."""
    g = vf.Graph("planted")
    h = g.placeholder("x", (64,), "float32")
    for k in range(5000):
        h = h * 2.0 if k % 2 else h * 0.5  # exact: the elements keep their values
    h = h.log()  # the planted NaN: of the elements below 0
    for k in range(4999):
        h = h * 2.0 if k % 2 else h * 0.5
    g.output(h)
    feed = np.linspace(-1.0, 1.0, 64, dtype=np.float32)
    dbg = vf.debug(g, feed)
    return dbg, _reference(dbg, (feed,))


def test_a_nan_planted_mid_chain_stops_where_stepping_finds_it(
    planted_chain: tuple[vf.DebugSession, list[Any]],
) -> None:
    dbg, outs = planted_chain
    made = _first(outs, dbg, _produces_nonfinite(dbg, outs))
    assert dbg.plan.instrs[made].node.op.name == "log" and made == 5000
    dbg.restart()
    for bp in dbg.breakpoints.list():
        dbg.breakpoints.remove(bp.id)
    first = dbg.break_on_nan()
    ev = dbg.resume(block=True)
    assert ev is not None and ev.index == made and dbg.hit is first and ev.op == "log"
    _assert_history_matches(dbg, outs)
    assert dbg.resume(block=True) is None and dbg.state == "finished"  # nothing else makes one
    _assert_history_matches(dbg, outs)
    dbg.restart()
    dbg.breakpoints.remove(first.id)
    third = dbg.break_at(None, when="nan", hits=3)  # the log, then the nodes passing it on
    ev = dbg.resume(block=True)
    assert ev is not None and ev.index == made + 2 and third.hit_count == 3
    dbg.restart()
    dbg.breakpoints.remove(third.id)
    ev = dbg.run_to_nan()
    assert ev is not None and ev.index == made


def test_a_breakpoint_added_while_running_fires_in_the_same_run(
    planted_chain: tuple[vf.DebugSession, list[Any]],
) -> None:
    dbg, _ = planted_chain
    dbg.restart()
    for bp in dbg.breakpoints.list():
        dbg.breakpoints.remove(bp.id)
    target = dbg.node_names[20]

    def add_one_at_ten(ev: Any) -> bool:
        if ev.index == 10:
            dbg.break_at(target)
        return False

    dbg.break_at(None, when=add_one_at_ten)
    ev = dbg.resume(block=True)
    assert ev is not None and ev.index == 20 and ev.name == target


def _inf_in_backward() -> tuple[vf.DebugSession, tuple[Any, ...]]:
    """A step whose backward pass makes an Inf (sqrt's gradient at 0) from finite values."""
    w = vf.tensor(np.array([1.0, 2.0, 0.0, 3.0], np.float32), requires_grad=True)
    opt = vf.optim.SGD([w], lr=0.1)

    @vf.function
    def f(x: Any) -> Any:
        opt.zero_grad()
        loss = (vf.sqrt(x * w) * 2).sum() + (w * w).sum()
        loss.backward()
        opt.step()
        return loss

    x = vf.ones(4)
    return vf.debug(f, x), feeds_of((x,))


def test_an_inf_made_in_the_backward_pass_stops_where_stepping_finds_it() -> None:
    dbg, feeds = _inf_in_backward()
    outs = _reference(dbg, feeds)
    made = _first(outs, dbg, _produces_nonfinite(dbg, outs))
    assert dbg.plan.instrs[made].node.phase == "backward"
    dbg.break_on_nan()
    ev = dbg.resume(block=True)
    assert ev is not None and ev.index == made and ev.phase == "backward"
    _assert_history_matches(dbg, outs)
    assert dbg.nan_report()["produced_nonfinite"] is True
    dbg.restart()
    ev = dbg.run_to_nan()
    assert ev is not None and ev.index == made


def test_grad_threshold_and_predicates_stop_where_stepping_finds_them() -> None:
    _, step, x, y = mlp_step()
    dbg = vf.debug(step, x, y)
    outs = _reference(dbg, feeds_of((x, y)))
    big = _first(
        outs,
        dbg,
        lambda k, out, node: node.phase == "backward" and float(np.abs(out).max()) > 0.2,
    )
    bp = dbg.break_at(None, when=("grad_above", 0.2))
    ev = dbg.resume(block=True)
    assert ev is not None and ev.index == big
    dbg.restart()
    dbg.breakpoints.remove(bp.id)
    seen: list[Any] = []

    def second_matmul_input(e: Any) -> bool:
        seen.append(e)
        return e.node.op.name == "matmul" and e.inputs[0].shape == (5, 3)

    dbg.break_at(None, when=second_matmul_input)
    ev = dbg.resume(block=True)
    want = _first(
        outs,
        dbg,
        lambda k, out, node: node.op.name == "matmul" and tuple(node.inputs[0].shape) == (5, 3),
    )
    assert ev is not None and ev.index == want == len(seen) - 1
    assert [e.index for e in seen] == list(range(want + 1))  # an Event for every step asked
    np.testing.assert_array_equal(seen[-1].output, outs[want])


def test_a_restarted_run_steps_its_bare_kernels_to_the_plans_results() -> None:
    _, step, x, y = mlp_step()
    dbg = vf.debug(step, x, y)
    feeds = feeds_of((x, y))
    outs = _reference(dbg, feeds)
    saved = [np.array(a, copy=True) for a in _variables(dbg)]
    run = dbg.plan.start(*feeds, copy=False)
    kernels, slots = run.kernels, run.slots
    for k in range(3):
        kernels[k](slots)
    run.pc = 3
    assert run.restart(*feeds) is run and run.pc == 0 and run.kernels is kernels
    with np.errstate(all="ignore"):
        for k in range(len(outs)):
            run.kernels[k](run.slots)
            ev = run.event_at(k, 0.5)
            assert (ev.index, ev.node, ev.time_s) == (k, dbg.plan.instrs[k].node, 0.5)
            np.testing.assert_array_equal(ev.output, outs[k])
            assert ev.nbytes == np.asarray(outs[k]).nbytes and len(ev.inputs) == len(ev.node.inputs)
    for a, was in zip(_variables(dbg), saved, strict=True):
        np.copyto(a, was)
