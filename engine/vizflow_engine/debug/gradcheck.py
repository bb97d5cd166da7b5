"""Gradient check of one node: its VJP (through the op's own rule) against central finite
differences of its forward, both in float64 on the node's recorded inputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..creation import tensor
from ..dispatch import dispatch
from ..node import Node
from ..tensor import Tensor

DEFAULT_EPS = 1e-6
MAX_CHECKED_ELEMENTS = 4096  # finite differences cost two forwards per element


@dataclass
class GradCheck:
    """The largest absolute and relative error between the analytic and numeric gradients,
    per input (None where the node gives an input no gradient, e.g. a literal or an int)."""

    node: str
    max_abs_error: float
    max_rel_error: float
    per_input: list[float | None]

    def __repr__(self) -> str:
        return (
            f"<GradCheck {self.node}: max abs error {self.max_abs_error:.3g}, "
            f"max rel error {self.max_rel_error:.3g}>"
        )


def _float(x: Any) -> bool:
    return hasattr(x, "dtype") and np.asarray(x).dtype.kind == "f"


def check_grad(node: Node, name: str, inputs: list[Any], eps: float = DEFAULT_EPS) -> GradCheck:
    """Compare d<r, f(inputs)>/d inputs from the op's VJP with central differences (r random)."""
    op = node.op
    if op.vjp is None or not op.differentiable:
        raise ValueError(f"node {name!r} ({op.name}) has no gradient rule to check")
    # C order: the perturbation below writes through reshape(-1), a copy for a transposed input.
    arrays = [np.array(x, dtype=np.float64, order="C") if _float(x) else x for x in inputs]
    big = [i for i, a in enumerate(arrays) if _float(a) and np.size(a) > MAX_CHECKED_ELEMENTS]
    if big:
        raise ValueError(
            f"node {name!r}: input {big[0]} has more than {MAX_CHECKED_ELEMENTS} elements; "
            "finite differences would take two runs per element"
        )
    out = np.asarray(op.forward(np, *arrays, **node.params), dtype=np.float64)
    r = np.random.default_rng(0).standard_normal(out.shape)

    def objective(args: list[Any]) -> float:
        return float(np.sum(np.asarray(op.forward(np, *args, **node.params)) * r))

    leaves = [tensor(a, requires_grad=True) if _float(a) else a for a in arrays]
    res = dispatch(op, tuple(leaves), node.params)
    assert isinstance(res, Tensor)
    (res * tensor(r)).sum().backward()
    per: list[float | None] = []
    worst_abs = worst_rel = 0.0
    for i, leaf in enumerate(leaves):
        if not isinstance(leaf, Tensor) or leaf.grad is None:  # not differentiated here
            per.append(None)
            continue
        analytic = leaf.grad.numpy()
        numeric = np.zeros_like(arrays[i])
        flat = numeric.reshape(-1)
        base = arrays[i].reshape(-1)
        for k in range(base.size):
            keep = base[k]
            base[k] = keep + eps
            up = objective(arrays)
            base[k] = keep - eps
            down = objective(arrays)
            base[k] = keep
            flat[k] = (up - down) / (2 * eps)
        err = float(np.max(np.abs(analytic - numeric))) if numeric.size else 0.0
        scale = float(np.max(np.abs(numeric))) if numeric.size else 0.0
        per.append(err)
        worst_abs = max(worst_abs, err)
        worst_rel = max(worst_rel, err / max(scale, 1e-12))
    return GradCheck(name, worst_abs, worst_rel, per)
