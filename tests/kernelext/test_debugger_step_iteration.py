"""The step_iteration command: one whole training-loop iteration per request (updates applied,
loss kept), stopped early by a breakpoint on the way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine import nn, optim
from vizflow_kernelext.debugger import DebuggerWidget
from vizflow_kernelext.debugger.commands import run_command


@pytest.fixture
def loop() -> Iterator[Any]:
    vf.manual_seed(3)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = optim.SGD(model.parameters(), lr=0.05)

    @vf.function
    def train_step(xb: Any, yb: Any) -> Any:
        opt.zero_grad()
        loss = ((model(xb) - yb) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    rng = np.random.default_rng(1)
    batches = [
        (
            vf.tensor(rng.standard_normal((6, 4)).astype(np.float32)),
            vf.tensor(rng.standard_normal((6, 1)).astype(np.float32)),
        )
        for _ in range(4)
    ]
    yield vf.debug(train_step, batches, iterations=4), model


def _step_iteration(session: Any) -> None:
    run_command(session, {"kind": "debug_command", "request_id": 1, "command": "step_iteration"})
    session.wait(30)


def test_each_request_runs_one_whole_iteration_with_its_updates(loop: Any) -> None:
    dbg, model = loop
    weight = np.array(model[0].weight.numpy(), copy=True)
    nodes = len(dbg.node_names)
    _step_iteration(dbg)
    assert dbg.state == "paused" and len(dbg.losses) == 1
    assert dbg.current.name == dbg.node_names[-1] and len(dbg.history) == nodes
    assert not np.array_equal(model[0].weight.numpy(), weight)  # the update ran
    _step_iteration(dbg)  # from the last node: the next iteration, whole
    assert len(dbg.losses) == 2 and len(dbg.history) == 2 * nodes
    dbg.step()
    dbg.step()
    _step_iteration(dbg)  # from mid-iteration: to its end
    assert len(dbg.losses) == 3 and len(dbg.history) == 3 * nodes


def test_a_breakpoint_on_the_way_stops_it_first(loop: Any) -> None:
    dbg, _ = loop
    dbg.break_at(dbg.node_names[2])
    _step_iteration(dbg)
    assert dbg.state == "paused" and dbg.current.index == 2 and dbg.losses == []


def test_the_widget_sends_the_state_after_it(loop: Any) -> None:
    dbg, _ = loop
    w = DebuggerWidget(dbg)
    _step_iteration(dbg)
    assert w.session["state"] == "paused" and len(w.session["losses"]) == 1
