"""Adadelta (Zeiler 2012), PyTorch's rule: a per-element step from running RMS ratios."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import functional as _F
from ..autograd import no_grad
from ..ops.updates import assign
from ._composed import check_non_negative, direction, lr_as
from .optimizer import Optimizer


class Adadelta(Optimizer):
    """s ← ρs + (1-ρ)g²; Δ = √(a + ε)/√(s + ε)·g; a ← ρa + (1-ρ)Δ²; p ← p - lr·Δ.

    State per parameter: square_avg (s) and acc_delta (a), PyTorch's names. Each write is
    an `assign` of a value computed by ordinary ops, so traced steps update the same state.
    foreach is accepted for PyTorch's signature and ignored.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative(lr=lr, eps=eps, weight_decay=weight_decay)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"invalid rho: {rho} (must be in [0, 1])")
        super().__init__(
            params,
            {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize},
        )

    @no_grad()
    def step(self) -> None:
        """One Adadelta update of every parameter that has a gradient."""
        for group in self.param_groups:
            lr = self._lr(group)
            rho, eps = group["rho"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = direction(p, group["maximize"], group["weight_decay"])
                sq = self._buffer(p, "square_avg")
                acc = self._buffer(p, "acc_delta")
                assign(sq, sq * rho + g * g * (1.0 - rho))
                delta = _F.sqrt(acc + eps) / _F.sqrt(sq + eps) * g
                assign(acc, acc * rho + delta * delta * (1.0 - rho))
                assign(p, p - delta * lr_as(lr, p))
