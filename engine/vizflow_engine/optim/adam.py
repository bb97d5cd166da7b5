"""Adam and AdamW (decoupled weight decay), PyTorch's update rule with bias correction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from ..autograd import no_grad
from ..ops.updates import ADAM_UPDATE
from .optimizer import Optimizer, apply_update


class Adam(Optimizer):
    """m ← β₁m + (1-β₁)g; v ← β₂v + (1-β₂)g²; p ← p - lr·m̂/(√v̂ + ε); L2 decay added to g."""

    _decoupled = False
    _state_spec: ClassVar[dict[str, str] | None] = {
        "exp_avg": "param",
        "exp_avg_sq": "param",
        "step": "step",
    }

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        if lr < 0 or eps < 0 or weight_decay < 0:
            raise ValueError("lr, eps and weight_decay must be non-negative")
        if not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ValueError(f"betas must be in [0, 1), got {betas}")
        super().__init__(
            params, {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay}
        )

    @no_grad()
    def step(self) -> None:
        """One adam_update_ op per parameter (it writes param, m, v and step in place)."""
        for g in self.param_groups:
            lr = self._lr(g)
            b1, b2 = g["betas"]
            params = {
                "beta1": b1,
                "beta2": b2,
                "eps": g["eps"],
                "weight_decay": g["weight_decay"],
                "decoupled": self._decoupled,
            }
            for p in g["params"]:
                if p.grad is not None:
                    m = self._buffer(p, "exp_avg")
                    v = self._buffer(p, "exp_avg_sq")
                    step = self._buffer(p, "step", "int64")
                    apply_update(ADAM_UPDATE, (p, p.grad, m, v, step, lr), params)


class AdamW(Adam):
    """Adam with decoupled weight decay: p ← p·(1 - lr·λ) before the Adam step."""

    _decoupled = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)
