"""Reductions over axis (int, tuple or None) with keepdims."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import functional as F
from ..dispatch import unary
from ..registry import OpDef, TensorSpec, defop
from ._names import axis_arg, reduction_args
from ._rules import norm_axes, reduction, to_float

_AXES = [("axis", None), ("keepdims", False)]


def _axes(axis: Any) -> Any:
    """Normalise a list axis to a tuple (params stay hashable and numpy-friendly)."""
    return tuple(axis) if isinstance(axis, list) else axis


def _expand_back(g: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    """g reshaped with the reduced dims kept as size 1, ready to broadcast against x."""
    if keepdims or axis is None:  # a full reduction's 0-d g broadcasts as it is
        return g
    axes = norm_axes(axis, x.ndim)
    return F.reshape(g, tuple(1 if i in axes else d for i, d in enumerate(x.shape)))


def _sum_vjp(g: Any, ins: Any, out: Any, axis: Any, keepdims: bool) -> tuple[Any]:
    x = ins[0]
    if g.__class__ is np.ndarray and g.ndim == 0:  # raw backward of a full sum (a loss)
        return (_spread(g, x),)
    return (F.expand(_expand_back(g, x, axis, keepdims), x.shape),)


_SPREAD_COPY_MAX = 4096
"""Up to this many elements, _spread fills a new array instead of making a broadcast view."""


def _spread(g: Any, x: Any) -> Any:
    """The 0-d array g broadcast to x's shape, as expand would (the raw path of a full sum).

    Small results are filled in a new array: np.broadcast_to's view costs ~3.5 µs to make
    and its stride-0 layout slows every tiny ufunc that reads it by ~1 µs. Large results
    stay a read-only view (no copy), as expand gives.
    """
    if x.size > _SPREAD_COPY_MAX:
        return np.broadcast_to(g, x.shape)
    res = np.empty(x.shape, g.dtype)
    res[...] = g
    return res


SUM = defop(
    "sum",
    "reduction",
    params=_AXES,
    forward=lambda xp, x, axis, keepdims: xp.sum(x, axis=axis, keepdims=keepdims),
    shape_rule=reduction("sum"),
    vjp=_sum_vjp,
    formula="z = Σ x over axis",
    grad_formula="dx = broadcast(g)",
    doc="Sum over axis (all when None).",
)


def _extreme_vjp(g: Any, ins: Any, out: Any, axis: Any, keepdims: bool) -> tuple[Any]:
    x = ins[0]
    mask = F.cast(x == _expand_back(out, x, axis, keepdims), x.dtype)
    count = F.sum(mask, axis, True)
    return (_expand_back(g, x, axis, keepdims) * mask / count,)


MAX = defop(
    "max",
    "reduction",
    params=_AXES,
    forward=lambda xp, x, axis, keepdims: xp.max(x, axis=axis, keepdims=keepdims),
    shape_rule=reduction(),
    vjp=_extreme_vjp,
    formula="z = max x over axis",
    grad_formula="dx = g·[x = z] / #ties",
    doc="Maximum over axis (ties share the gradient).",
)
MIN = defop(
    "min",
    "reduction",
    params=_AXES,
    forward=lambda xp, x, axis, keepdims: xp.min(x, axis=axis, keepdims=keepdims),
    shape_rule=reduction(),
    vjp=_extreme_vjp,
    formula="z = min x over axis",
    grad_formula="dx = g·[x = z] / #ties",
    doc="Minimum over axis (ties share the gradient).",
)


def _prod_vjp(g: Any, ins: Any, out: Any, axis: Any, keepdims: bool) -> tuple[Any]:
    """dz/dx_i = product of the other elements, exact with zeros: with none it is z / x_i;
    with one zero only that element gets the product of the rest; with more, all get 0."""
    x = ins[0]
    is_zero = x == 0.0
    x_safe = F.where(is_zero, 1.0, x)
    rest = F.prod(x_safe, axis, True)  # product of the nonzero elements
    zeros = F.sum(F.cast(is_zero, x.dtype), axis, True)
    others = F.where(
        zeros == 0.0, rest / x_safe, F.where(F.logical_and(zeros == 1.0, is_zero), rest, 0.0)
    )
    return (_expand_back(g, x, axis, keepdims) * others,)


PROD = defop(
    "prod",
    "reduction",
    params=_AXES,
    forward=lambda xp, x, axis, keepdims: xp.prod(x, axis=axis, keepdims=keepdims),
    shape_rule=reduction("sum"),
    vjp=_prod_vjp,
    formula="z = Π x over axis",
    grad_formula="dx_i = g Π_{j≠i} x_j (exact where x has zeros)",
    doc="Product over axis.",
)


def _count_forward(xp: Any, x: Any, axis: Any) -> Any:
    n = 1
    for a in norm_axes(axis, x.ndim):
        n *= x.shape[a]
    return xp.asarray(n, dtype=x.dtype if x.dtype.kind == "f" else to_float(x.dtype))


def _count_rule(specs: tuple[TensorSpec, ...], axis: Any = None) -> TensorSpec:
    (s,) = specs
    norm_axes(axis, len(s.shape))
    return TensorSpec((), to_float(s.dtype))


COUNT = defop(
    "count",
    "reduction",
    params=[("axis", None)],
    forward=_count_forward,
    shape_rule=_count_rule,
    vjp=None,
    formula="z = number of elements of x over axis",
    grad_formula="not differentiable (depends on the shape only)",
    doc="How many elements a reduction over axis sees, as a float scalar; read at run time, "
    "so sum / count is a mean even where dims are unknown while tracing.",
)


def _arg(fn: str) -> Any:
    def fwd(xp: Any, x: Any, axis: Any, keepdims: bool) -> Any:
        if axis is None:
            r = getattr(xp, fn)(x)
            return r.reshape((1,) * x.ndim) if keepdims else r
        return getattr(xp, fn)(x, axis=axis, keepdims=keepdims)

    return fwd


ARGMAX = defop(
    "argmax",
    "reduction",
    params=_AXES,
    forward=_arg("argmax"),
    shape_rule=reduction("index"),
    vjp=None,
    formula="z = argmax x over axis",
    grad_formula="not differentiable (int64 output)",
    doc="Index of the maximum (flat index when axis is None).",
)
ARGMIN = defop(
    "argmin",
    "reduction",
    params=_AXES,
    forward=_arg("argmin"),
    shape_rule=reduction("index"),
    vjp=None,
    formula="z = argmin x over axis",
    grad_formula="not differentiable (int64 output)",
    doc="Index of the minimum (flat index when axis is None).",
)


def sum(
    x: Any,
    axis: Any = None,
    keepdims: bool = False,
    *,
    dim: Any = None,
    keepdim: bool | None = None,
    dtype: Any = None,
) -> Any:
    """Sum over axis (dim= and keepdim= are PyTorch's names for axis and keepdims), in dtype
    when given (x is cast first, as PyTorch)."""
    if dim is not None or keepdim is not None:  # VJPs call sum often: skip a call
        axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
    if dtype is not None:
        x = F.cast(x, dtype)
    return unary(SUM, x, {"axis": _axes(axis), "keepdims": keepdims})


class MaxMin(NamedTuple):
    """The (values, indices) pair PyTorch's max(x, dim=d) and min(x, dim=d) return."""

    values: Any
    indices: Any

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        """Refused: as an operand the pair would become a stacked array of both, silently
        (x - x.max(-1, keepdims=True) has the wrong shape); name the part wanted instead."""
        raise TypeError(
            "x.max(dim) / x.min(dim) return a (values, indices) pair, as in PyTorch; use "
            ".values, or x.max(axis=dim, keepdims=True) for the values alone"
        )


def _extreme(
    op: OpDef,
    arg: OpDef,
    pairwise: Any,
    x: Any,
    dim: Any,
    keepdim: bool | None,
    axis: Any,
    keepdims: bool,
) -> Any:
    """max/min as PyTorch and numpy call them: over everything; over an int dim (positional
    or dim=) a MaxMin of values and their indices; elementwise against another tensor; over
    numpy's axis= (an int or a tuple), or a tuple of dims, the values alone."""
    keep = bool(keepdims if keepdim is None else keepdim)
    if dim is None or isinstance(dim, tuple):
        return unary(op, x, {"axis": _axes(dim if dim is not None else axis), "keepdims": keep})
    if not isinstance(dim, int):  # max(x, other): the elementwise maximum, as torch.max
        return pairwise(x, dim)
    params = {"axis": _axes(dim), "keepdims": keep}
    return MaxMin(unary(op, x, params), unary(arg, x, params))


def max(
    x: Any,
    dim: Any = None,
    keepdim: bool | None = None,
    *,
    axis: Any = None,
    keepdims: bool = False,
) -> Any:
    """Maximum over everything; `max(x, d)` / `max(x, dim=d)` give a (values, indices) MaxMin
    as torch.max (indices are argmax's, the first maximum; the values' gradient splits evenly
    between ties); `max(x, y)` is the elementwise maximum; numpy's axis= gives the values."""
    return _extreme(MAX, ARGMAX, F.maximum, x, dim, keepdim, axis, keepdims)


def min(
    x: Any,
    dim: Any = None,
    keepdim: bool | None = None,
    *,
    axis: Any = None,
    keepdims: bool = False,
) -> Any:
    """Minimum, called as max is: a MaxMin for an int dim, values for axis=."""
    return _extreme(MIN, ARGMIN, F.minimum, x, dim, keepdim, axis, keepdims)


def prod(
    x: Any,
    axis: Any = None,
    keepdims: bool = False,
    *,
    dim: Any = None,
    keepdim: bool | None = None,
) -> Any:
    """Product over axis (dim=, keepdim= accepted as PyTorch's names)."""
    axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
    return unary(PROD, x, {"axis": _axes(axis), "keepdims": keepdims})


def count(x: Any, axis: Any = None, *, dim: Any = None) -> Any:
    """Number of elements over axis as a float scalar (known only at run time in graphs)."""
    return unary(COUNT, x, {"axis": _axes(axis_arg(axis, dim))})


def argmax(
    x: Any,
    axis: int | None = None,
    keepdims: bool = False,
    *,
    dim: int | None = None,
    keepdim: bool | None = None,
) -> Any:
    """Index of the maximum along axis (dim=, keepdim= accepted as PyTorch's names)."""
    axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
    return unary(ARGMAX, x, {"axis": _axes(axis), "keepdims": keepdims})


def argmin(
    x: Any,
    axis: int | None = None,
    keepdims: bool = False,
    *,
    dim: int | None = None,
    keepdim: bool | None = None,
) -> Any:
    """Index of the minimum along axis (dim=, keepdim= accepted as PyTorch's names)."""
    axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
    return unary(ARGMIN, x, {"axis": _axes(axis), "keepdims": keepdims})


__all__ = ["MaxMin", "argmax", "argmin", "count", "max", "min", "prod", "sum"]
