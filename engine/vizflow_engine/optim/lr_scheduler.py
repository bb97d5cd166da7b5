"""Learning-rate schedules: StepLR and CosineAnnealingLR (closed forms, PyTorch's semantics)."""

from __future__ import annotations

import math
from typing import Any

from .optimizer import Optimizer


class LRScheduler:
    """Sets each group's "lr" from the epoch count; call step() once per epoch."""

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        self.optimizer = optimizer
        for g in optimizer.param_groups:
            g.setdefault("initial_lr", g["lr"])
        self.base_lrs = [g["initial_lr"] for g in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def lr_at(self, base_lr: float, epoch: int) -> float:
        """The learning rate of a group with base_lr at `epoch`."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last step()."""
        return [g["lr"] for g in self.optimizer.param_groups]

    def step(self) -> None:
        """Advance one epoch and write the new rates into the optimizer's groups."""
        self.last_epoch += 1
        for g, base in zip(self.optimizer.param_groups, self.base_lrs, strict=True):
            g["lr"] = self.lr_at(base, self.last_epoch)

    def state_dict(self) -> dict[str, Any]:
        """The schedule's position and settings as plain data (every attribute but the optimizer).

        As PyTorch's: save it beside the optimizer's state_dict, which holds the current rates.
        """
        return {
            k: list(v) if isinstance(v, list) else v
            for k, v in vars(self).items()
            if k != "optimizer"
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Resume the schedule saved by state_dict (the optimizer's rates are not changed)."""
        unknown = set(state_dict) - (set(vars(self)) - {"optimizer"})
        if unknown:
            raise KeyError(
                f"{type(self).__name__} has no state named {sorted(unknown)}; was this "
                "state_dict saved by another scheduler?"
            )
        for k, v in state_dict.items():
            setattr(self, k, list(v) if isinstance(v, list) else v)


class StepLR(LRScheduler):
    """lr = base · gamma^(epoch // step_size)."""

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        """Decay by gamma every step_size epochs."""
        return base_lr * self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base - eta_min)(1 + cos(π·epoch / T_max)) / 2."""

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        """Half a cosine from base_lr down to eta_min over T_max epochs."""
        return (
            self.eta_min
            + (base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2
        )


__all__ = ["CosineAnnealingLR", "LRScheduler", "StepLR"]


from .._api import public_dir  # noqa: E402

__dir__ = public_dir(__all__)
