"""Reductions PyTorch code reaches for: std_mean, var_mean, amax, amin, aminmax and vector
norms (torch.norm; vf.linalg builds on them), all composites of sum/max/min/abs/sqrt."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from .. import functional as F
from ..registry import composite
from ._names import reduction_args
from .composites import mean, var


def _axis(dim: Any) -> Any:
    """PyTorch's dim (None or () for every dim, an int, or a sequence) as an axis argument."""
    if dim is None or (isinstance(dim, (tuple, list)) and not dim):
        return None
    return dim if isinstance(dim, int) else tuple(int(d) for d in dim)


@composite(
    "var_mean",
    "reduction",
    "(Σ (x - m)² / (n - correction), m = Σ x / n)",
    params=("axis", "correction", "keepdims"),
)
def var_mean(
    x: Any,
    axis: Any = None,
    *,
    correction: int = 1,
    keepdims: bool = False,
    unbiased: bool | None = None,
    dim: Any = None,
    keepdim: bool | None = None,
) -> tuple[Any, Any]:
    """(variance, mean) over axis, as torch.var_mean (dim=, keepdim= as PyTorch)."""
    axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
    c = correction if unbiased is None else int(unbiased)
    axis = _axis(axis)
    return var(x, axis, keepdims, c), mean(x, axis, keepdims)


@composite("std_mean", "reduction", "(√var(x), mean(x))", params=("axis", "correction", "keepdims"))
def std_mean(
    x: Any,
    axis: Any = None,
    *,
    correction: int = 1,
    keepdims: bool = False,
    unbiased: bool | None = None,
    dim: Any = None,
    keepdim: bool | None = None,
) -> tuple[Any, Any]:
    """(standard deviation, mean) over axis, as torch.std_mean (dim=, keepdim= as PyTorch)."""
    axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
    v, m = var_mean(x, axis, correction=correction, keepdims=keepdims, unbiased=unbiased)
    return F.sqrt(v), m


@composite(
    "amax",
    "reduction",
    "z = max x over axis (ties share the gradient)",
    params=("axis", "keepdims"),
)
def amax(
    x: Any, axis: Any = (), keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None
) -> Any:
    """Maximum over axis (every dim when () or None; dim=, keepdim= as PyTorch); ties share
    the gradient evenly."""
    axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
    return F.max(x, axis=_axis(axis), keepdims=keepdims)


@composite(
    "amin",
    "reduction",
    "z = min x over axis (ties share the gradient)",
    params=("axis", "keepdims"),
)
def amin(
    x: Any, axis: Any = (), keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None
) -> Any:
    """Minimum over axis (every dim when () or None; dim=, keepdim= as PyTorch); ties share
    the gradient evenly."""
    axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
    return F.min(x, axis=_axis(axis), keepdims=keepdims)


class MinMax(NamedTuple):
    """The (min, max) pair torch.aminmax returns."""

    min: Any
    max: Any


@composite("aminmax", "reduction", "(min x, max x) over axis", params=("axis", "keepdims"))
def aminmax(
    x: Any,
    *,
    axis: int | None = None,
    keepdims: bool = False,
    dim: int | None = None,
    keepdim: bool | None = None,
) -> MinMax:
    """(min, max) over axis (all when None; dim=, keepdim= as PyTorch) as a named pair."""
    axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
    return MinMax(amin(x, axis, keepdims), amax(x, axis, keepdims))


def _safe_root(s: Any, p: float) -> Any:
    """s^(1/p), with 0 (and a zero gradient, as PyTorch) where s is 0."""
    zero = s == 0
    root = F.sqrt(F.where(zero, 1.0, s)) if p == 2 else F.pow(F.where(zero, 1.0, s), 1.0 / p)
    return F.where(zero, 0.0, root)


def vector_norm_of(x: Any, p: Any, axis: Any, keepdims: bool) -> Any:
    """The p-norm of x over axis: p a number, inf or -inf (0 counts the nonzeros)."""
    if p == math.inf:
        return F.max(F.abs(x), axis=axis, keepdims=keepdims)
    if p == -math.inf:
        return F.min(F.abs(x), axis=axis, keepdims=keepdims)
    if p == 0:
        return F.sum(F.cast(x != 0, x.dtype), axis, keepdims)
    if p == 1:
        return F.sum(F.abs(x), axis, keepdims)
    if p == 2:
        return _safe_root(F.sum(x * x, axis, keepdims), 2)
    return _safe_root(F.sum(F.pow(F.abs(x), float(p)), axis, keepdims), float(p))


@composite(
    "norm",
    "reduction",
    "z = (Σ |x|^p)^(1/p) over axis; max |x| for p = inf; 'fro': p = 2",
    params=("p", "axis", "keepdims"),
)
def norm(
    x: Any,
    p: Any = "fro",
    axis: Any = None,
    keepdims: bool = False,
    dtype: Any = None,
    *,
    dim: Any = None,
    keepdim: bool | None = None,
) -> Any:
    """torch.norm: the vector p-norm over axis (all dims when None; dim=, keepdim= as
    PyTorch); 'fro' is p = 2."""
    axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
    if dtype is not None:
        x = F.cast(x, dtype)
    if isinstance(p, str):
        if p != "fro":
            raise ValueError(
                f"norm p must be a number, inf or 'fro' (not {p!r}; 'nuc' needs an SVD)"
            )
        p = 2
    return vector_norm_of(x, p, _axis(axis), keepdims)


__all__ = ["MinMax", "amax", "amin", "aminmax", "norm", "std_mean", "var_mean"]
