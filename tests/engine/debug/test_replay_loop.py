"""Eager replay (vf.record) equals the traced run; training-loop mode steps iterations."""

from __future__ import annotations

from typing import Any

import numpy as np

import vizflow_engine as vf
import vizflow_engine.nn.functional as F
from vizflow_engine import nn, optim

from .models import mlp_step


def test_eager_replay_equals_the_graph_run_forward_and_backward() -> None:
    model, step, x, y = mlp_step()
    traced = vf.debug(step, x, y)
    traced.run_to("cross_entropy")
    traced_loss = float(traced.value("cross_entropy"))
    traced.restart()
    with vf.record(model) as rec:
        loss = F.cross_entropy(model(x), y)
    assert [t.node.op.name for t in rec.tape if t.node is not None][:4] == [
        "linear",
        "relu",
        "linear",
        "cross_entropy",
    ]
    loss.backward()
    eager_grads = [p.grad.numpy().copy() for p in model.parameters()]
    dbg = rec.debug(loss)
    phases = []
    while dbg.state != "finished":
        ev = dbg.step()
        if ev is None:
            break
        phases.append(ev.phase)
        if ev.name == "cross_entropy":
            assert float(ev.output) == float(loss.numpy()) == traced_loss
    assert "backward" in phases and phases.index("backward") > phases.index("forward")
    assert dbg.outputs is not None
    grads = dbg.outputs[1:]
    assert len(grads) == len(eager_grads)
    for g, e in zip(grads, eager_grads, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-7)


def test_replay_reads_values_from_before_an_optimiser_step() -> None:
    model, _, x, y = mlp_step()
    opt = optim.SGD(model.parameters(), lr=0.5)
    with vf.record(model) as rec:
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    dbg = rec.debug()
    dbg.resume(block=True)
    assert dbg.outputs is not None
    assert float(dbg.outputs[0]) == float(loss.numpy())


def _fresh() -> tuple[Any, Any]:
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

    return model, train_step


def _loader(n: int, nan_at: int | None = None) -> list[tuple[Any, Any]]:
    rng = np.random.default_rng(1)
    out = []
    for i in range(n):
        xb = rng.standard_normal((6, 4)).astype(np.float32)
        if i == nan_at:
            xb[0, 0] = np.nan
        out.append((vf.tensor(xb), vf.tensor(rng.standard_normal((6, 1)).astype(np.float32))))
    return out


def test_training_loop_mode_keeps_losses_equal_to_running_the_step() -> None:
    _, reference = _fresh()
    expected = [float(reference(xb, yb).numpy()) for xb, yb in _loader(5)[:3]]
    _, train_step = _fresh()
    dbg = vf.debug(train_step, _loader(5), iterations=3)
    nodes = len(dbg.node_names)
    ev = dbg.step()
    assert ev is not None and ev.iteration == 0
    dbg.resume(block=True)
    assert dbg.state == "finished" and dbg.iteration == 2
    np.testing.assert_allclose(dbg.losses, expected, rtol=1e-6)
    assert len(dbg.history) == 3 * nodes


def test_breakpoints_fire_across_iterations_and_on_a_nan_loss() -> None:
    _, train_step = _fresh()
    dbg = vf.debug(train_step, _loader(6), iterations=6)
    bp = dbg.break_at(dbg.node_names[0], hits=3)
    ev = dbg.resume(block=True)
    assert ev is not None and ev.iteration == 2 and ev.index == 0 and bp.hit_count == 3
    _, train_step = _fresh()
    dbg = vf.debug(train_step, _loader(6, nan_at=3), iterations=6)
    dbg.break_on_loss()
    dbg.resume(block=True)
    assert dbg.state == "paused" and dbg.iteration == 3
    assert len(dbg.losses) == 4 and np.isnan(dbg.losses[-1])
    assert all(np.isfinite(dbg.losses[:3]))
    dbg.step()  # goes on with the next iteration
    assert dbg.iteration == 4
