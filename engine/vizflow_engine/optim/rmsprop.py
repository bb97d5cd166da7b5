"""RMSprop (Hinton), PyTorch's rule with optional momentum and centring."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import functional as _F
from ..autograd import no_grad
from ..ops.updates import assign
from ._composed import check_non_negative, direction, lr_as
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """s ← αs + (1-α)g²; d = √s + ε (centred: √(s - ḡ²) + ε, ḡ ← αḡ + (1-α)g);
    p ← p - lr·g/d, or with momentum μ: b ← μb + g/d; p ← p - lr·b.

    State per parameter: square_avg, momentum_buffer (momentum > 0) and grad_avg (centred),
    PyTorch's names; each write is an `assign`. foreach is accepted and ignored.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative(
            lr=lr, eps=eps, weight_decay=weight_decay, momentum=momentum, alpha=alpha
        )
        super().__init__(
            params,
            {
                "lr": lr,
                "alpha": alpha,
                "eps": eps,
                "weight_decay": weight_decay,
                "momentum": momentum,
                "centered": centered,
                "maximize": maximize,
            },
        )

    @no_grad()
    def step(self) -> None:
        """One RMSprop update of every parameter that has a gradient."""
        for group in self.param_groups:
            lr = self._lr(group)
            alpha, eps, mom = group["alpha"], group["eps"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = direction(p, group["maximize"], group["weight_decay"])
                sq = self._buffer(p, "square_avg")
                assign(sq, sq * alpha + g * g * (1.0 - alpha))
                if group["centered"]:
                    ga = self._buffer(p, "grad_avg")
                    assign(ga, ga + (g - ga) * (1.0 - alpha))
                    avg = _F.sqrt(sq - ga * ga) + eps
                else:
                    avg = _F.sqrt(sq) + eps
                if mom > 0:
                    buf = self._buffer(p, "momentum_buffer")
                    assign(buf, buf * mom + g / avg)
                    assign(p, p - buf * lr_as(lr, p))
                else:
                    assign(p, p - g / avg * lr_as(lr, p))
