"""Loss modules (PyTorch's names, arguments and defaults) over vf.nn.functional and ops."""

from __future__ import annotations

from typing import Any

from .. import functional as _F
from ..tensor import Tensor
from . import functional as F
from .functional import _reduce, legacy_reduction
from .module import Module


class _Loss(Module):
    """A loss with PyTorch's reduction argument ('mean', 'sum' or 'none')."""

    def __init__(
        self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
    ) -> None:
        super().__init__()
        self.reduction = legacy_reduction(size_average, reduce, reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    """A loss with an optional per-class (or per-element) weight, kept as a buffer."""

    weight: Tensor | None

    def __init__(
        self,
        weight: Any = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """|x - y|, reduced."""

    def forward(self, input: Any, target: Any) -> Any:
        """The reduced absolute error."""
        return _reduce(_F.abs(input - target), self.reduction)


class MSELoss(_Loss):
    """(x - y)², reduced."""

    def forward(self, input: Any, target: Any) -> Any:
        """The reduced squared error."""
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """0.5·d²/β where |d| < β, else |d| - 0.5·β (d = x - y), reduced."""

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        beta: float = 1.0,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        if beta < 0:
            raise ValueError(f"SmoothL1Loss: beta must be non-negative, not {beta}")
        self.beta = beta

    def forward(self, input: Any, target: Any) -> Any:
        """The reduced smooth-L1 error (plain L1 when beta is 0)."""
        a = _F.abs(input - target)
        if self.beta == 0:
            return _reduce(a, self.reduction)
        loss = _F.where(_F.lt(a, self.beta), a * a * (0.5 / self.beta), a - 0.5 * self.beta)
        return _reduce(loss, self.reduction)


class HuberLoss(_Loss):
    """0.5·d² where |d| ≤ δ, else δ·(|d| - 0.5·δ) (d = x - y), reduced."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        if delta <= 0:
            raise ValueError(f"HuberLoss: delta must be positive, not {delta}")
        self.delta = delta

    def forward(self, input: Any, target: Any) -> Any:
        """The reduced Huber error."""
        a = _F.abs(input - target)
        d = self.delta
        return _reduce(_F.where(_F.le(a, d), a * a * 0.5, (a - 0.5 * d) * d), self.reduction)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class indices given log-probabilities (N, C[, d1, …])."""

    def __init__(
        self,
        weight: Any = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Any, target: Any) -> Any:
        """The reduced NLL (weighted by class when weight is set)."""
        return F.nll_loss(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy of logits (N, C[, d1, …]) with class indices or probabilities."""

    def __init__(
        self,
        weight: Any = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1], not {label_smoothing}")
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Any, target: Any) -> Any:
        """The reduced cross-entropy (weighted by class when weight is set)."""
        return F.cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class BCELoss(_WeightedLoss):
    """-w·(y·log x + (1-y)·log(1-x)) of probabilities x, logs floored at -100 as PyTorch's."""

    def forward(self, input: Any, target: Any) -> Any:
        """The reduced binary cross-entropy."""
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Sigmoid and binary cross-entropy in one stable expression (weight, pos_weight)."""

    def __init__(
        self,
        weight: Any = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        pos_weight: Any = None,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.pos_weight: Tensor | None
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Any, target: Any) -> Any:
        """The reduced binary cross-entropy of logits."""
        return F.binary_cross_entropy_with_logits(
            input, target, self.reduction, self.pos_weight, weight=self.weight
        )


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence t·(log t - x) of log-probabilities x from target t."""

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        log_target: bool = False,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Any, target: Any) -> Any:
        """The reduced divergence ('batchmean' divides the sum by the batch size)."""
        if self.log_target:
            loss = _F.exp(target) * (target - input)
        else:  # 0·log 0 is 0
            pos = _F.gt(target, 0)
            loss = _F.where(pos, target * _F.log(_F.where(pos, target, 1.0)), 0.0) - target * input
        if self.reduction == "batchmean":
            return _F.sum(loss) / input.shape[0] if input.ndim else _F.sum(loss)
        return _reduce(loss, self.reduction)


__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "HuberLoss",
    "KLDivLoss",
    "L1Loss",
    "MSELoss",
    "NLLLoss",
    "SmoothL1Loss",
]
