"""Adagrad (Duchi et al. 2011), PyTorch's rule with learning-rate decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import functional as _F
from ..autograd import no_grad
from ..creation import full
from ..ops.updates import assign
from ._composed import check_non_negative, direction, lr_as
from .optimizer import Optimizer


class Adagrad(Optimizer):
    """s ← s + g²; p ← p - lr/(1 + (t-1)·decay) · g/(√s + ε), t counting this parameter's steps.

    State per parameter: sum (starting at initial_accumulator_value, made at construction as
    PyTorch does) and step (an int64 counter); each write is an `assign`. foreach is ignored.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        super().__init__(
            params,
            {
                "lr": lr,
                "lr_decay": lr_decay,
                "weight_decay": weight_decay,
                "initial_accumulator_value": initial_accumulator_value,
                "eps": eps,
                "maximize": maximize,
            },
        )
        for group in self.param_groups:
            for p in group["params"]:
                start = float(group["initial_accumulator_value"])
                self.state.setdefault(p, {})["sum"] = full(
                    p.shape, start, dtype=p.dtype, device=p.device
                )

    @no_grad()
    def step(self) -> None:
        """One Adagrad update of every parameter that has a gradient."""
        for group in self.param_groups:
            lr = self._lr(group)
            decay, eps = group["lr_decay"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = direction(p, group["maximize"], group["weight_decay"])
                step = self._buffer(p, "step", "int64")
                assign(step, step + 1)
                s = self._buffer(p, "sum")
                assign(s, s + g * g)
                rate = lr_as(lr, p)
                if decay:
                    rate = rate / (_F.cast(step - 1, p.dtype) * decay + 1.0)
                assign(p, p - g / (_F.sqrt(s) + eps) * rate)
