"""Reductions PyTorch code reaches for: std_mean, var_mean, amax, amin, aminmax and vector
norms (torch.norm; vf.linalg builds on them), all composites of sum/max/min/abs/sqrt."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from .. import functional as F
from ..registry import composite
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
    params=("dim", "correction", "keepdim"),
)
def var_mean(
    x: Any,
    dim: Any = None,
    *,
    correction: int = 1,
    keepdim: bool = False,
    unbiased: bool | None = None,
) -> tuple[Any, Any]:
    """(variance, mean) over dim, as torch.var_mean."""
    c = correction if unbiased is None else int(unbiased)
    axis = _axis(dim)
    return var(x, axis, keepdim, c), mean(x, axis, keepdim)


@composite("std_mean", "reduction", "(√var(x), mean(x))", params=("dim", "correction", "keepdim"))
def std_mean(
    x: Any,
    dim: Any = None,
    *,
    correction: int = 1,
    keepdim: bool = False,
    unbiased: bool | None = None,
) -> tuple[Any, Any]:
    """(standard deviation, mean) over dim, as torch.std_mean."""
    v, m = var_mean(x, dim, correction=correction, keepdim=keepdim, unbiased=unbiased)
    return F.sqrt(v), m


@composite(
    "amax", "reduction", "z = max x over dim (ties share the gradient)", params=("dim", "keepdim")
)
def amax(x: Any, dim: Any = (), keepdim: bool = False) -> Any:
    """Maximum over dim (every dim when () or None); ties share the gradient evenly."""
    return F.max(x, axis=_axis(dim), keepdims=keepdim)


@composite(
    "amin", "reduction", "z = min x over dim (ties share the gradient)", params=("dim", "keepdim")
)
def amin(x: Any, dim: Any = (), keepdim: bool = False) -> Any:
    """Minimum over dim (every dim when () or None); ties share the gradient evenly."""
    return F.min(x, axis=_axis(dim), keepdims=keepdim)


class MinMax(NamedTuple):
    """The (min, max) pair torch.aminmax returns."""

    min: Any
    max: Any


@composite("aminmax", "reduction", "(min x, max x) over dim", params=("dim", "keepdim"))
def aminmax(x: Any, *, dim: int | None = None, keepdim: bool = False) -> MinMax:
    """(min, max) over dim (all when None) as a named pair."""
    return MinMax(amin(x, dim, keepdim), amax(x, dim, keepdim))


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
    "z = (Σ |x|^p)^(1/p) over dim; max |x| for p = inf; 'fro': p = 2",
    params=("p", "dim", "keepdim"),
)
def norm(x: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Any:
    """torch.norm: the vector p-norm over dim (all dims when None); 'fro' is p = 2."""
    if dtype is not None:
        x = F.cast(x, dtype)
    if isinstance(p, str):
        if p != "fro":
            raise ValueError(
                f"norm p must be a number, inf or 'fro' (not {p!r}; 'nuc' needs an SVD)"
            )
        p = 2
    return vector_norm_of(x, p, _axis(dim), keepdim)


__all__ = ["MinMax", "amax", "amin", "aminmax", "norm", "std_mean", "var_mean"]
