"""Breakpoints on nodes and groups, conditions, hit counts, toggling; first NaN/Inf, named."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf

from .models import chain_graph, mlp_step


def test_node_breakpoint_with_hits_toggle_and_remove() -> None:
    dbg = vf.debug(chain_graph(), np.ones(3))
    bp = dbg.break_at("add_2")
    ev = dbg.resume(block=True)
    assert ev is not None and ev.name == "add_2" and dbg.hit is bp and dbg.state == "paused"
    dbg.breakpoints.toggle(bp.id)
    assert dbg.resume(block=True) is None and dbg.state == "finished"
    assert bp.describe()["enabled"] is False
    dbg.restart()
    dbg.breakpoints.remove(bp.id)
    assert dbg.breakpoints.list() == []
    every = dbg.break_at(None, hits=4)  # anywhere, from the 4th node on
    ev = dbg.resume(block=True)
    assert ev is not None and ev.index == 3 and every.hit_count == 4
    with pytest.raises(KeyError, match="no node or group"):
        dbg.break_at("missing")
    with pytest.raises(ValueError, match="unknown breakpoint condition"):
        dbg.break_at("add", when="sometimes")


def test_group_breakpoint_and_predicate_and_grad_threshold() -> None:
    _, step, x, y = mlp_step()
    dbg = vf.debug(step, x, y)
    dbg.break_at("2")  # the Sequential's third layer, by scope path
    ev = dbg.resume(block=True)
    assert ev is not None and ev.scope == "2" and ev.phase == "forward"
    ev = dbg.resume(block=True)
    assert ev is not None and ev.scope == "2" and ev.phase == "backward"
    dbg.restart()
    dbg.breakpoints.remove(dbg.breakpoints.list()[0].id)
    dbg.break_at(None, when=lambda e: e.node.op.name == "relu")
    ev = dbg.resume(block=True)
    assert ev is not None and ev.op == "relu"
    dbg.restart()
    dbg.breakpoints.remove(dbg.breakpoints.list()[0].id)
    dbg.break_at(None, when=("grad_above", 0.0))
    ev = dbg.resume(block=True)
    assert ev is not None and ev.phase == "backward" and np.abs(ev.output).max() > 0
    listed = [b.describe() for b in dbg.breakpoints.list()]
    assert listed[0]["condition"] == {"kind": "grad_above", "threshold": 0.0}


def _planted(kind: str) -> tuple[vf.DebugSession, int]:
    """A step with a NaN planted in forward (log of a negative) or an Inf in backward
    (sqrt's gradient at 0); returns the session and the planted line."""
    w = vf.tensor(np.array([1.0, 2.0, 0.0], np.float32), requires_grad=True)

    @vf.function
    def f(x: Any) -> Any:
        h = x * w
        # planted: log of a negative in forward; sqrt's gradient at h = 0 is infinite
        bad = vf.log(h - 1.5) if kind == "forward" else vf.sqrt(h)
        loss = (bad * 2).sum()
        loss.backward()
        return loss

    lines, first = inspect.getsourcelines(f.fn)
    line = first + next(k for k, text in enumerate(lines) if "bad = " in text)
    return vf.debug(f, vf.ones(3)), line


@pytest.mark.parametrize("kind", ["forward", "backward"])
def test_run_to_first_nan_names_the_producing_node(kind: str) -> None:
    dbg, line = _planted(kind)
    ev = dbg.run_to_nan()
    assert ev is not None and dbg.state == "paused"
    assert ev.phase == kind
    report = dbg.nan_report()
    assert report["produced_nonfinite"] is True
    assert all(i["nan"] == 0 and i["posinf"] == 0 for i in report["inputs"] if "nan" in i)
    assert report["output"]["nan"] + report["output"]["posinf"] + report["output"]["neginf"] > 0
    if kind == "forward":
        assert ev.op == "log" and ev.source is not None and ev.source.line == line
    else:
        assert ev.forward_of is not None and ev.forward_of.startswith("sqrt")
        assert ev.forward_source is not None and ev.forward_source.line == line
        assert ev.source is not None and ev.source.line == line + 2  # loss.backward()
    # the break_on_nan breakpoint lands on the same node, not on the nodes passing it on
    dbg.restart()
    dbg.break_on_nan()
    again = dbg.resume(block=True)
    assert again is not None and again.index == ev.index
    after = dbg.resume(block=True)
    assert after is None or after.index != ev.index
