"""Activation functions as composites of primitives (PyTorch's names and arguments), so their
gradients, second order included, come free."""

from __future__ import annotations

import math
from typing import Any

from .. import functional as F
from ..registry import composite
from ._names import axis_arg

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _maybe_inplace(x: Any, fn: Any, inplace: bool) -> Any:
    """fn(x), written into x when inplace (PyTorch's inplace=True)."""
    return x._inplace(fn) if inplace else fn(x)


def _below_zero(x: Any, alpha: float, scale: float = 1.0) -> Any:
    """alpha · (e^(x/scale) - 1)·scale for x ≤ 0; exp sees min(x, 0), so large x gives no inf."""
    return F.expm1(F.clamp(x, max=0.0) * (1.0 / scale)) * (alpha * scale)


@composite("silu", "elementwise", "z = x · σ(x)")
def silu(x: Any, inplace: bool = False) -> Any:
    """Sigmoid-weighted linear unit (swish)."""
    return _maybe_inplace(x, lambda t: t * F.sigmoid(t), inplace)


@composite("elu", "elementwise", "z = x if x > 0 else α (e^x - 1)", params=("alpha",))
def elu(x: Any, alpha: float = 1.0, inplace: bool = False) -> Any:
    """Exponential linear unit."""
    return _maybe_inplace(x, lambda t: F.where(t > 0, t, _below_zero(t, alpha)), inplace)


@composite("celu", "elementwise", "z = x if x > 0 else α (e^(x/α) - 1)", params=("alpha",))
def celu(x: Any, alpha: float = 1.0, inplace: bool = False) -> Any:
    """Continuously differentiable ELU."""
    if alpha == 0:
        raise ValueError("celu alpha must not be 0")
    return _maybe_inplace(x, lambda t: F.where(t > 0, t, _below_zero(t, 1.0, alpha)), inplace)


@composite("selu", "elementwise", "z = λ (x if x > 0 else α (e^x - 1)), λ ≈ 1.0507, α ≈ 1.6733")
def selu(x: Any, inplace: bool = False) -> Any:
    """Scaled ELU with the self-normalising constants."""
    return _maybe_inplace(
        x, lambda t: F.where(t > 0, t, _below_zero(t, _SELU_ALPHA)) * _SELU_SCALE, inplace
    )


@composite("mish", "elementwise", "z = x · tanh(softplus(x))")
def mish(x: Any, inplace: bool = False) -> Any:
    """Mish activation."""
    return _maybe_inplace(x, lambda t: t * F.tanh(F.softplus(t)), inplace)


@composite(
    "hardtanh",
    "elementwise",
    "z = min(max(x, lo), hi); dz/dx = [lo < x < hi]",
    params=("min_val", "max_val"),
)
def hardtanh(x: Any, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Any:
    """x clipped to [min_val, max_val], gradient zero at and beyond the bounds (as PyTorch)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh min_val {min_val} is above max_val {max_val}")
    return _maybe_inplace(
        x, lambda t: F.where(t <= min_val, min_val, F.where(t >= max_val, max_val, t)), inplace
    )


@composite("relu6", "elementwise", "z = min(max(x, 0), 6)")
def relu6(x: Any, inplace: bool = False) -> Any:
    """ReLU capped at 6."""
    return hardtanh(x, 0.0, 6.0, inplace)


@composite("hardsigmoid", "elementwise", "z = relu6(x + 3) / 6")
def hardsigmoid(x: Any, inplace: bool = False) -> Any:
    """Piecewise-linear sigmoid."""
    return _maybe_inplace(x, lambda t: hardtanh(t + 3.0, 0.0, 6.0) * (1.0 / 6.0), inplace)


@composite("hardswish", "elementwise", "z = x · relu6(x + 3) / 6")
def hardswish(x: Any, inplace: bool = False) -> Any:
    """Piecewise swish (MobileNetV3)."""
    return _maybe_inplace(x, lambda t: t * hardsigmoid(t), inplace)


@composite("softsign", "elementwise", "z = x / (1 + |x|)")
def softsign(x: Any) -> Any:
    """x / (1 + |x|)."""
    return F.div(x, F.abs(x) + 1.0)


@composite("logsigmoid", "elementwise", "z = ln σ(x) = -softplus(-x)")
def logsigmoid(x: Any) -> Any:
    """log(sigmoid(x)) without overflow."""
    return -F.softplus(-x)


@composite("softmin", "elementwise", "z = softmax(-x) along axis", params=("axis",))
def softmin(
    x: Any,
    axis: int | None = None,
    _stacklevel: int = 3,
    dtype: Any = None,
    *,
    dim: int | None = None,
) -> Any:
    """softmax of -x along axis (dim= as PyTorch; by default 0 for 0-, 1- and 3-d input,
    else 1, as PyTorch)."""
    d = axis_arg(axis, dim)
    d = _legacy_dim(x) if d is None else d
    return F.softmax(-(x if dtype is None else F.cast(x, dtype)), d)


def _legacy_dim(x: Any) -> int:
    """PyTorch's implicit softmax dim."""
    return 0 if len(x.shape) in (0, 1, 3) else 1


@composite("glu", "elementwise", "a, b = halves of x along axis; z = a · σ(b)", params=("axis",))
def glu(x: Any, axis: int = -1, *, dim: int | None = None) -> Any:
    """Gated linear unit: the first half of x along axis (dim= as PyTorch), gated by the
    sigmoid of the second."""
    dim = axis_arg(axis, dim, -1)
    shape = tuple(x.shape)
    if not shape:
        raise ValueError("glu needs at least 1 dim, not a 0-d tensor")
    d = dim % len(shape)
    n = shape[d]
    if not isinstance(n, int) or n % 2:
        raise ValueError(f"glu halves dim {dim}, which must be even, not of size {n}")
    a, b = F.split(x, n // 2, d)
    return a * F.sigmoid(b)


@composite("prelu", "elementwise", "z = x if x > 0 else w·x (w per channel, dim 1)")
def prelu(x: Any, weight: Any) -> Any:
    """Leaky ReLU with a learned slope: one, or one per channel (dim 1)."""
    n = int(math.prod(weight.shape))
    shape = tuple(x.shape)
    if n != 1:
        if len(shape) < 2 or shape[1] != n:
            raise ValueError(f"prelu: {n} weights need x with {n} channels in dim 1, not {shape}")
        weight = F.reshape(weight, (n,) + (1,) * (len(shape) - 2))
    elif len(weight.shape):
        weight = F.reshape(weight, ())
    return F.where(x > 0, x, weight * x)


__all__ = [
    "celu",
    "elu",
    "glu",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "logsigmoid",
    "mish",
    "prelu",
    "relu6",
    "selu",
    "silu",
    "softmin",
    "softsign",
]
