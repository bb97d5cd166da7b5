"""Small training steps and graphs the debugger tests step through."""

from __future__ import annotations

from typing import Any

import numpy as np

import vizflow_engine as vf
import vizflow_engine.nn.functional as F
from vizflow_engine import nn, optim


def mlp_step(lr: float = 0.1, seed: int = 0) -> tuple[Any, Any, Any, Any]:
    """(model, a compiled train step, x, y) for a 4-8-3 MLP with cross-entropy and SGD."""
    vf.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    opt = optim.SGD(model.parameters(), lr=lr)

    @vf.function
    def step(x: Any, y: Any) -> Any:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    rng = np.random.default_rng(seed)
    x = vf.tensor(rng.standard_normal((5, 4)).astype(np.float32))
    y = vf.tensor(rng.integers(0, 3, 5))
    return model, step, x, y


def chain_graph(n: int = 6) -> vf.Graph:
    """x -> (x*2) -> +1 -> ... a chain of n elementwise nodes plus a side branch from x."""
    g = vf.Graph("chain")
    x = g.placeholder("x", (3,), "float64")
    h = x
    for _ in range(n):
        h = h * 2.0 + 1.0
    side = x - 1.0
    g.output(h, side)
    return g


def mixed_chain(n: int, width: int = 32) -> tuple[vf.Graph, Any]:
    """n elementwise nodes mixing relu (zeros to count), scaling and shifts."""
    g = vf.Graph("mixed")
    h = g.placeholder("x", (width,), "float32")
    for k in range(n // 2):
        h = (h * 1.5 - 0.25).relu() if k % 3 == 0 else (h * 0.5) + 0.125
    g.output(h)
    return g, np.linspace(-2.0, 2.0, width, dtype=np.float32)
