"""DataParallel trains as the single-process step does (both strategies, uneven shards), draws
its distributed step, and refuses steps it cannot split."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pytest

import vizflow as vf
import vizflow.nn.functional as F
from vizflow import nn, optim
from vizflow_kernelext.show import build

from .training import assert_same_training, batches, deep_sgd, mlp_adam, reference


@pytest.mark.parametrize("strategy", ["parameter_server", "allreduce"])
@pytest.mark.parametrize("make", [mlp_adam, deep_sgd], ids=["mlp-adam", "40-layers-sgd"])
def test_matches_single_process(client: Any, strategy: str, make: Any) -> None:
    data = batches(6, rows=101)  # 101 rows: shards of 51 and 50, weighted by their share
    ref_losses, ref_model, ref_opt = reference(make, data)
    model, opt, step = make()
    trainer = vf.distributed.DataParallel(step, client=client, strategy=strategy, verbose=False)
    losses = [float(trainer(x, y)) for x, y in data]
    trainer.sync()
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-9)
    assert_same_training(ref_model, ref_opt, model, opt)
    if strategy == "parameter_server":  # p.grad holds the combined gradient, as eagerly
        for p, q in zip(ref_model.parameters(), model.parameters(), strict=True):
            np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), rtol=1e-6, atol=1e-12)


def test_step_taking_its_model_and_optimiser(client: Any) -> None:
    data = batches(3, rows=50)
    ref_losses, ref_model, ref_opt = reference(mlp_adam, data)
    model, opt, _ = mlp_adam()

    @vf.function
    def step(xb: Any, yb: Any, net: Any, optimiser: Any) -> Any:
        optimiser.zero_grad()
        loss = F.cross_entropy(net(xb), yb)
        loss.backward()
        optimiser.step()
        return loss

    trainer = vf.distributed.DataParallel(step, client=client, verbose=False)
    losses = [float(trainer(vf.tensor(x), vf.tensor(y), model, opt)) for x, y in data]
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-9)
    assert_same_training(ref_model, ref_opt, model, opt)


def test_allreduce_lands_parameters_every_sync(client: Any) -> None:
    data = batches(4, rows=64)
    _, ref_model, _ = reference(mlp_adam, data[:2])
    model, _, step = mlp_adam()
    before = model[0].weight.numpy().copy()
    trainer = vf.distributed.DataParallel(
        step, client=client, strategy="allreduce", sync_every=2, verbose=False
    )
    trainer(*data[0])
    np.testing.assert_array_equal(model[0].weight.numpy(), before)  # replicas only, so far
    trainer(*data[1])
    np.testing.assert_allclose(model[0].weight.numpy(), ref_model[0].weight.numpy(), rtol=1e-9)


def test_learning_rate_change_reaches_replicas(client: Any) -> None:
    data = batches(4, rows=40)
    ref_model, ref_opt, ref_step = mlp_adam()
    model, opt, step = mlp_adam()
    trainer = vf.distributed.DataParallel(step, client=client, strategy="allreduce", verbose=False)
    for k, (x, y) in enumerate(data):
        lr = 1e-2 / (k + 1)
        ref_opt.param_groups[0]["lr"] = opt.param_groups[0]["lr"] = lr
        ref_step(vf.tensor(x), vf.tensor(y))
        trainer(x, y)
    trainer.sync()
    assert_same_training(ref_model, ref_opt, model, opt)


def test_show_draws_lanes_transfers_combine_and_update(client: Any) -> None:
    _, _, step = mlp_adam()
    trainer = vf.distributed.DataParallel(step, client=client, verbose=False)
    with pytest.raises(ValueError, match="once it has run"):
        build(trainer)
    trainer(*batches(1, rows=32)[0])
    nodes = build(trainer).payload["nodes"]
    scopes = {n["scope"] for n in nodes}
    assert {"worker 0", "worker 1", "combine", "driver", "driver/update"} <= scopes
    sends = [n["name"] for n in nodes if n["op"] == "to_device"]
    # 6 parameters to each worker, loss + 6 gradients from each, 6 gradients to the driver
    assert len(sends) == 6 * 2 + 7 * 2 + 6
    assert "0.weight → worker 1 (3.1 kB)" in sends  # 32 x 12 float64
    adds = [n for n in nodes if n["scope"] == "combine" and n["op"] == "add"]
    assert len(adds) == 7
    updates = [n for n in nodes if n["op"] == "adam_update_"]
    assert len(updates) == 6 and all(n["scope"] == "driver/update" for n in updates)
    assert trainer.dashboard_link.startswith("http")


def test_show_allreduce_updates_in_every_lane(client: Any) -> None:
    _, _, step = mlp_adam()
    trainer = vf.distributed.DataParallel(step, client=client, strategy="allreduce", verbose=False)
    trainer(*batches(1, rows=32)[0])
    nodes = build(trainer).payload["nodes"]
    updates = [n["scope"] for n in nodes if n["op"] == "adam_update_"]
    assert sorted(set(updates)) == ["worker 0/update", "worker 1/update"] and len(updates) == 12


def test_dashboard_link_printed(client: Any, capsys: Any) -> None:
    _, _, step = mlp_adam()
    vf.distributed.DataParallel(step, client=client)
    assert client.dashboard_link in capsys.readouterr().out


def test_step_that_updates_batch_statistics_is_refused(client: Any) -> None:
    model = nn.Sequential(nn.Linear(12, 8), nn.BatchNorm1d(8), nn.Linear(8, 4))
    opt = optim.SGD(model.parameters(), lr=0.1)

    @vf.function
    def step(xb: Any, yb: Any) -> Any:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    trainer = vf.distributed.DataParallel(step, client=client, verbose=False)
    x, y = batches(1, rows=16)[0]
    with pytest.raises(
        vf.distributed.SplitError, match="computed from the batch but is not a parameter gradient"
    ):
        trainer(x.astype(np.float32), y)


def test_step_returning_the_loss_after_the_update_is_refused(client: Any) -> None:
    model = nn.Linear(12, 4)
    opt = optim.SGD(model.parameters(), lr=0.1)

    @vf.function
    def step(xb: Any, yb: Any) -> Any:
        opt.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        opt.step()
        return F.cross_entropy(model(xb), yb)  # the loss after the update

    trainer = vf.distributed.DataParallel(step, client=client, verbose=False)
    x, y = batches(1, rows=16)[0]
    with pytest.raises(vf.distributed.SplitError, match=r"depend on node 'sgd_update_'"):
        trainer(x.astype(np.float32), y)


def test_step_without_backward_is_refused(client: Any) -> None:
    model = nn.Linear(12, 4)

    def step(xb: Any, yb: Any) -> Any:
        return F.cross_entropy(model(xb), yb)

    trainer = vf.distributed.DataParallel(step, client=client, verbose=False)
    x, y = batches(1, rows=16)[0]
    with pytest.raises(vf.distributed.SplitError, match="no parameter gradient"):
        trainer(x.astype(np.float32), y)


def test_bad_arguments(client: Any) -> None:
    _, _, step = mlp_adam()
    with pytest.raises(ValueError, match="strategy must be one of"):
        vf.distributed.DataParallel(step, client=client, strategy="ring")
    with pytest.raises(TypeError, match=r"dask\.distributed\.Client"):
        vf.distributed.DataParallel(step, client="tcp://scheduler:8786")
    trainer = vf.distributed.DataParallel(step, client=client, verbose=False)
    x, y = batches(1, rows=16)[0]
    with pytest.raises(ValueError, match="16 and 15 rows"):
        trainer(x, y[:15])
    with pytest.raises(ValueError, match="1 rows cannot be split across 2 workers"):
        trainer(x[:1], y[:1])


def test_without_dask_says_how_to_install(monkeypatch: Any) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    _, _, step = mlp_adam()
    with pytest.raises(ImportError, match=r"pip install vizflow\[distributed\]"):
        vf.distributed.DataParallel(step, client=None)
