"""Composite ops written with primitives (gradients come free); listed in COMPOSITES."""

from __future__ import annotations

import math
from typing import Any

from .. import functional as F
from ..registry import composite
from . import shape as _shape
from ._names import axis_arg, reduction_args
from ._rules import norm_axes


@composite("sigmoid", "elementwise", "z = 1 / (1 + e^-x) = (1 + tanh(x/2)) / 2")
def sigmoid(x: Any) -> Any:
    """Logistic sigmoid, via tanh so it never overflows."""
    return (F.tanh(x * 0.5) + 1.0) * 0.5


@composite(
    "softplus",
    "elementwise",
    "z = ln(1 + e^(βx)) / β = (relu(βx) + ln(1 + e^-|βx|)) / β; x where βx > threshold",
    params=("beta", "threshold"),
)
def softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Any:
    """Smooth ReLU of sharpness beta, computed stably; x itself where beta·x > threshold."""
    if beta == 1.0 and threshold == 20.0:  # the common call: no where(), within 1e-9 of x above
        return F.relu(x) + F.log1p(F.exp(-F.abs(x)))
    bx = x * beta
    soft = (F.relu(bx) + F.log1p(F.exp(-F.abs(bx)))) * (1.0 / beta)
    return F.where(bx > threshold, x, soft)


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT2 = 1.0 / math.sqrt(2.0)


@composite(
    "gelu",
    "elementwise",
    "z = x Φ(x) = x (1 + erf(x/√2)) / 2; tanh: x (1 + tanh(√(2/π)(x + 0.044715 x³))) / 2",
    params=("approximate",),
)
def gelu(x: Any, approximate: str = "none") -> Any:
    """Gaussian error linear unit: exact (erf) or approximate='tanh'."""
    if approximate == "tanh":
        return x * 0.5 * (F.tanh((x + x * x * x * 0.044715) * _SQRT_2_OVER_PI) + 1.0)
    if approximate != "none":
        raise ValueError(f"gelu approximate must be 'none' or 'tanh', not {approximate!r}")
    return x * 0.5 * (F.erf(x * _INV_SQRT2) + 1.0)


def _count(x: Any, axis: Any) -> int | None:
    """Elements over axis, or None when a dim is unknown until run time (graph mode)."""
    n = 1
    for a in norm_axes(axis, len(x.shape)):
        if not isinstance(x.shape[a], int):
            return None
        n *= x.shape[a]
    return n


def _divide_by_count(total: Any, x: Any, axis: Any, correction: int = 0) -> Any:
    """total / (n - correction), n read at run time when the traced shape does not know it."""
    n = _count(x, axis)
    if n is not None:
        return total / float(max(n - correction, 0))
    n_run = F.count(x, axis)
    return total / (F.maximum(n_run - float(correction), 0.0) if correction else n_run)


@composite("mean", "reduction", "z = Σ x / n over axis", params=("axis", "keepdims"))
def mean(
    x: Any,
    axis: Any = None,
    keepdims: bool = False,
    *,
    dim: Any = None,
    keepdim: bool | None = None,
) -> Any:
    """Arithmetic mean over axis (ints give floats); dim/keepdim are PyTorch's names for them."""
    axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
    return _divide_by_count(F.sum(x, axis, keepdims), x, axis)


@composite(
    "var",
    "reduction",
    "z = Σ (x - mean)² / (n - correction)",
    params=("axis", "keepdims", "correction"),
)
def var(
    x: Any,
    axis: Any = None,
    keepdims: bool = False,
    correction: int = 1,
    *,
    dim: Any = None,
    keepdim: bool | None = None,
) -> Any:
    """Variance over axis; correction=1 is the unbiased estimate (torch's default)."""
    axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
    d = x - mean(x, axis, True)
    return _divide_by_count(F.sum(d * d, axis, keepdims), x, axis, correction)


@composite("std", "reduction", "z = √var(x)", params=("axis", "keepdims", "correction"))
def std(
    x: Any,
    axis: Any = None,
    keepdims: bool = False,
    correction: int = 1,
    *,
    dim: Any = None,
    keepdim: bool | None = None,
) -> Any:
    """Standard deviation over axis."""
    axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
    return F.sqrt(var(x, axis, keepdims, correction))


def _reduces_nothing(x: Any, axis: Any) -> bool:
    """Whether the reduced dims hold no element (known statically), where max() has no value."""
    return _count(x, axis) == 0


@composite(
    "logsumexp",
    "reduction",
    "z = m + ln Σ e^(x - m), m = max x (detached); -inf over an empty dim",
    params=("axis", "keepdims"),
)
def logsumexp(
    x: Any,
    axis: Any = None,
    keepdims: bool = False,
    *,
    dim: Any = None,
    keepdim: bool | None = None,
) -> Any:
    """log(sum(exp(x))) over axis without overflow; log(0) = -inf over an empty dim."""
    axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
    if _reduces_nothing(x, axis):  # the empty sum, shifted to ln 0, keeps x on the graph
        return F.sum(x, axis, keepdims) - math.inf
    m = F.max(x, axis=axis, keepdims=True).detach()
    m = F.where(F.isfinite(m), m, 0.0)
    out = F.log(F.sum(F.exp(x - m), axis, True)) + m
    if keepdims:
        return out
    return _shape.squeeze(out, norm_axes(axis, len(x.shape))) if len(x.shape) else out


@composite("softmax", "neural", "z = e^(x - max) / Σ e^(x - max) along axis", params=("axis",))
def softmax(x: Any, axis: int = -1, *, dim: int | None = None) -> Any:
    """Normalised exponentials along axis (rows sum to 1); dim is PyTorch's name for axis."""
    axis = axis_arg(axis, dim, -1)
    if _reduces_nothing(x, axis):  # nothing to normalise: an empty result of x's shape
        return F.exp(x)
    e = F.exp(x - F.max(x, axis=axis, keepdims=True).detach())
    return e / F.sum(e, axis, True)


@composite("log_softmax", "neural", "z = x - logsumexp(x) along axis", params=("axis",))
def log_softmax(x: Any, axis: int = -1, *, dim: int | None = None) -> Any:
    """log(softmax(x)) computed stably; dim is PyTorch's name for axis."""
    axis = axis_arg(axis, dim, -1)
    return x - logsumexp(x, axis, True)


composite(
    "flatten", "shape", "z = reshape(x, merge dims start..end)", params=("start_dim", "end_dim")
)(_shape.flatten)
composite(
    "split",
    "shape",
    "zᵢ = x[…, offsetᵢ : offsetᵢ + sizeᵢ, …]",
    params=("split_size_or_sections", "axis"),
)(_shape.split)
composite("swapaxes", "shape", "z = x with axes a and b swapped", params=("a", "b"))(
    _shape.swapaxes
)

__all__ = [
    "gelu",
    "log_softmax",
    "logsumexp",
    "mean",
    "sigmoid",
    "softmax",
    "softplus",
    "std",
    "var",
]
