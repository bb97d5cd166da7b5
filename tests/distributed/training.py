"""Shared by the distributed tests: models, their training steps and the single-process
reference run that DataParallel must reproduce."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import vizflow as vf
import vizflow.nn.functional as F
from vizflow import nn, optim

Factory = Callable[[], tuple[Any, Any, Any]]


def mlp_adam() -> tuple[Any, Any, Any]:
    """A 3-layer MLP trained with Adam on cross-entropy (float64), its optimiser and step."""
    vf.manual_seed(3)
    model = nn.Sequential(
        nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 4)
    ).to(vf.float64)
    opt = optim.Adam(model.parameters(), lr=1e-2)

    @vf.function
    def step(xb: Any, yb: Any) -> Any:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    return model, opt, step


def deep_sgd() -> tuple[Any, Any, Any]:
    """A 40-layer Linear+ReLU Sequential trained with SGD momentum on MSE (float64)."""
    vf.manual_seed(4)
    layers: list[Any] = [nn.Linear(12, 8), nn.ReLU()]
    for _ in range(38):
        layers += [nn.Linear(8, 8), nn.ReLU()]
    layers.append(nn.Linear(8, 4))
    model = nn.Sequential(*layers).to(vf.float64)
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

    @vf.function
    def step(xb: Any, yb: Any) -> Any:
        opt.zero_grad()
        loss = F.mse_loss(model(xb), F.one_hot(yb, 4).to(vf.float64))
        loss.backward()
        opt.step()
        return loss

    return model, opt, step


def batches(n_batches: int, rows: int, seed: int = 0) -> list[tuple[Any, Any]]:
    """Fixed float64 batches of 12 features and labels in 0..3."""
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(rows, 12)), rng.integers(0, 4, size=rows)) for _ in range(n_batches)]


def reference(make: Factory, data: list[tuple[Any, Any]]) -> tuple[list[float], Any, Any]:
    """Losses, model and optimiser of the single-process run of the same step on `data`."""
    model, opt, step = make()
    losses = [float(step(vf.tensor(x), vf.tensor(y))) for x, y in data]
    return losses, model, opt


def max_relative_gap(a: Any, b: Any) -> float:
    """max |a - b| / max |a| over two arrays."""
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a))), 1e-300))


def assert_same_training(model_a: Any, opt_a: Any, model_b: Any, opt_b: Any) -> None:
    """Parameters, gradients and optimiser state agree within 1e-6 relative."""
    pa, pb = dict(model_a.named_parameters()), dict(model_b.named_parameters())
    assert pa.keys() == pb.keys()
    for name in pa:
        assert max_relative_gap(pa[name].numpy(), pb[name].numpy()) < 1e-6, name
    sa, sb = opt_a.state_dict()["state"], opt_b.state_dict()["state"]
    assert sa.keys() == sb.keys()
    for i in sa:
        for key in sa[i]:
            if np.any(sa[i][key]):
                assert max_relative_gap(sa[i][key], sb[i][key]) < 1e-6, (i, key)
