"""Shared pieces of the optimisers whose updates are composed from elementwise ops + assign."""

from __future__ import annotations

from typing import Any

from .. import functional as _F
from ..tensor import Tensor


def check_non_negative(**values: float) -> None:
    """Refuse a negative hyper-parameter, naming it (PyTorch's checks)."""
    for name, v in values.items():
        if v < 0:
            raise ValueError(f"invalid {name}: {v} (must be >= 0)")


def direction(p: Tensor, maximize: bool, weight_decay: float) -> Any:
    """p's gradient (negated to maximise), plus the L2 term weight_decay·p."""
    g: Any = p.grad
    if maximize:
        g = -g
    return g + p * weight_decay if weight_decay else g


def lr_as(lr: Tensor, p: Tensor) -> Any:
    """The group's 0-d float64 learning rate in p's dtype (so float32 steps stay float32)."""
    return _F.cast(lr, p.dtype) if lr.dtype != p.dtype else lr
