"""Small models and steps shared by the graph-mode tests (hand-written, Tensor ops only)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

import vizflow_engine as vf


def mlp_params(sizes: tuple[int, ...], seed: int = 1, dtype: Any = np.float64) -> list[Any]:
    """Weights and biases of an MLP as leaf tensors requiring grad."""
    r = np.random.default_rng(seed)
    ps = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        w = vf.tensor((r.standard_normal((a, b)) / np.sqrt(a)).astype(dtype), requires_grad=True)
        w.name = f"w{i}"
        bias = vf.tensor(np.zeros(b, dtype), requires_grad=True)
        bias.name = f"b{i}"
        ps += [w, bias]
    return ps


def mlp(params: list[Any], x: Any) -> Any:
    """ReLU MLP; each layer under a name scope like an nn.Module."""
    n = len(params) // 2
    for i in range(n):
        with vf.name_scope(f"layer{i}"):
            x = x @ params[2 * i] + params[2 * i + 1]
            if i < n - 1:
                x = vf.relu(x)
    return x


def cross_entropy(logits: Any, onehot: Any) -> Any:
    """Mean softmax cross-entropy against one-hot targets."""
    return -(onehot * vf.log_softmax(logits, axis=1)).sum(axis=1).mean()


def sgd_step(params: list[Any], x: Any, y: Any, lr: float = 0.1) -> Any:
    """zero_grad, forward, backward, SGD update; returns the loss."""
    for p in params:
        p.grad = None
    loss = cross_entropy(mlp(params, x), y)
    loss.backward()
    with vf.no_grad():
        for p in params:
            p -= lr * p.grad
    return loss


class Adam:
    """Adam with state tensors (updated in place, so tracing turns them into variables)."""

    def __init__(
        self,
        params: list[Any],
        lr: float = 0.01,
        b1: float = 0.9,
        b2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        self.params = params
        self.lr, self.b1, self.b2, self.eps = lr, b1, b2, eps
        self.m = [vf.zeros_like(p) for p in params]
        self.v = [vf.zeros_like(p) for p in params]
        self.t = 0

    def step(self) -> None:
        """One update; bias corrections use the Python step count (as torch does)."""
        self.t += 1
        c1 = 1 - self.b1**self.t
        c2 = 1 - self.b2**self.t
        with vf.no_grad():
            for p, m, v in zip(self.params, self.m, self.v, strict=True):
                g = p.grad
                m *= self.b1
                m += (1 - self.b1) * g
                v *= self.b2
                v += (1 - self.b2) * g * g
                p -= self.lr * (m / c1) / (vf.sqrt(v / c2) + self.eps)


def data(n: int = 32, d: int = 8, k: int = 4, seed: int = 0) -> tuple[Any, Any]:
    """Random inputs and one-hot targets (float64)."""
    r = np.random.default_rng(seed)
    return r.standard_normal((n, d)), np.eye(k)[r.integers(0, k, n)]
