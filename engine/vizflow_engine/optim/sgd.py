"""SGD with optional momentum, dampening, Nesterov and weight decay (PyTorch's rule)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from ..autograd import no_grad
from ..ops.updates import SGD_MOMENTUM_UPDATE, SGD_UPDATE
from .optimizer import Optimizer, apply_update


class SGD(Optimizer):
    """p ← p - lr·(g + λp), or with momentum μ: b ← μb + (1-τ)g; p ← p - lr·b (or Nesterov)."""

    _state_spec: ClassVar[dict[str, str] | None] = {"momentum_buffer": "param", "step": "step"}

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError("lr, momentum and weight_decay must be non-negative")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum needs momentum > 0 and dampening = 0")
        super().__init__(
            params,
            {
                "lr": lr,
                "momentum": momentum,
                "dampening": dampening,
                "weight_decay": weight_decay,
                "nesterov": nesterov,
            },
        )

    @no_grad()
    def step(self) -> None:
        """One update per parameter: a single sgd_update_ / sgd_momentum_update_ op each."""
        for g in self.param_groups:
            lr = self._lr(g)
            mom = g["momentum"]
            if mom == 0:
                params = {"weight_decay": g["weight_decay"]}
                for p in g["params"]:
                    if p.grad is not None:
                        apply_update(SGD_UPDATE, (p, p.grad, lr), params)
                continue
            params = {
                "momentum": mom,
                "dampening": g["dampening"],
                "nesterov": g["nesterov"],
                "weight_decay": g["weight_decay"],
            }
            for p in g["params"]:
                if p.grad is not None:
                    buf = self._buffer(p, "momentum_buffer")
                    step = self._buffer(p, "step", "int64")
                    apply_update(SGD_MOMENTUM_UPDATE, (p, p.grad, buf, step, lr), params)
