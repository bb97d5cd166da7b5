"""restart() in training-loop mode goes back to iteration 0: the parameters as they were before
the first iteration, the losses cleared, the same batches again."""

from __future__ import annotations

from typing import Any

import numpy as np

import vizflow_engine as vf
from vizflow_engine import nn, optim


def _model_and_step() -> tuple[Any, Any]:
    vf.manual_seed(5)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)  # momentum: state to restore too

    @vf.function
    def train_step(xb: Any, yb: Any) -> Any:
        opt.zero_grad()
        loss = ((model(xb) - yb) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    return model, train_step


def _batches(n: int) -> Any:
    """A one-pass loader (a generator): the batches cannot be asked for again."""
    rng = np.random.default_rng(2)
    for _ in range(n):
        yield (
            vf.tensor(rng.standard_normal((6, 4)).astype(np.float32)),
            vf.tensor(rng.standard_normal((6, 1)).astype(np.float32)),
        )


def test_restart_goes_back_to_the_first_iteration_with_the_first_parameters() -> None:
    model, train_step = _model_and_step()
    before = [np.array(p.numpy(), copy=True) for p in model.parameters()]
    dbg = vf.debug(train_step, _batches(4), iterations=4)
    nodes = len(dbg.node_names)
    dbg.run_to(dbg.node_names[-1])
    dbg.run_to(dbg.node_names[-1])
    dbg.step()
    dbg.step()
    assert dbg.iteration == 2 and len(dbg.losses) == 2
    first_losses = list(dbg.losses)
    dbg.restart()
    assert dbg.state == "idle" and dbg.iteration == -1 and dbg.losses == []
    assert len(dbg.history) == 0 and dbg.current is None
    for p, b in zip(model.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.numpy(), b)
    ev = dbg.step()
    assert ev is not None and ev.iteration == 0
    dbg.resume(block=True)
    assert dbg.state == "finished" and dbg.iteration == 3 and len(dbg.history) == 4 * nodes
    assert dbg.losses[:2] == first_losses  # the same batches from the same parameters
    _, reference = _model_and_step()
    expected = [float(reference(xb, yb).numpy()) for xb, yb in _batches(4)]
    np.testing.assert_allclose(dbg.losses, expected, rtol=1e-6)
    dbg.restart()  # after the end too
    dbg.resume(block=True)
    np.testing.assert_allclose(dbg.losses, expected, rtol=1e-6)


def test_restart_in_the_first_iteration_and_of_a_single_call() -> None:
    model, train_step = _model_and_step()
    before = [np.array(p.numpy(), copy=True) for p in model.parameters()]
    dbg = vf.debug(train_step, _batches(2), iterations=2)
    dbg.run_to(dbg.node_names[-1])  # the update ran
    dbg.restart()
    for p, b in zip(model.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.numpy(), b)
    xb, yb = next(_batches(1))
    single = vf.debug(train_step, xb, yb)
    single.resume(block=True)
    loss = single.losses
    single.restart()
    assert single.iteration == -1 and single.losses == []
    single.resume(block=True)
    assert single.losses == loss and single.state == "finished"


def test_a_repeated_batch_is_kept_once_for_restarts() -> None:
    from itertools import repeat

    from vizflow_engine.debug.loop import Batches

    xb, yb = next(_batches(1))
    batches = Batches(repeat((xb, yb)), iterations=1000)
    seen = []
    while batches.more():
        seen.append(batches.next_feeds())
        batches.end([np.float32(1.0)])
    assert len(seen) == 1000 and all(f is seen[0] for f in seen)  # one entry's memory
    batches.rewind()
    assert batches.losses == [] and batches.next_feeds() is seen[0] and batches.iteration == 0


def test_step_back_in_a_later_iteration_restores_that_iterations_parameters() -> None:
    model, train_step = _model_and_step()
    dbg = vf.debug(train_step, _batches(4), iterations=4)
    last = dbg.node_names[-1]
    for iteration in range(3):
        dbg.run_to(last)  # the whole iteration, updates included
        starts = [np.array(p.numpy(), copy=True) for p in model.parameters()]
        dbg.step()  # the next iteration begins
        assert dbg.iteration == iteration + 1
        dbg.run_to(last)
        assert not np.array_equal(model[0].weight.numpy(), starts[0])  # updated
        dbg.step_back(len(dbg.node_names) - 1)  # to its first node, before the updates
        assert dbg.current is not None and dbg.current.index == 0
        for p, s in zip(model.parameters(), starts, strict=True):
            np.testing.assert_array_equal(p.numpy(), s)


def test_restarted_runs_reuse_the_first_runs_buffers() -> None:
    _, train_step = _model_and_step()
    xb, yb = next(_batches(1))
    dbg = vf.debug(train_step, xb, yb)
    dbg.step()
    kernels = dbg._need_run().kernels
    dbg.restart()
    dbg.restart()  # twice: still the same run to reuse
    dbg.resume(block=True)
    assert dbg._need_run().kernels is kernels and dbg.state == "finished"
