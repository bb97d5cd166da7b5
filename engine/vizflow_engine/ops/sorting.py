"""Sorting: argsort (a primitive; indices are not differentiable) and sort, kthvalue, median,
mode as gathers at its indices, so values' gradients go to the picked places as in PyTorch;
unique, whose size depends on the data, runs eagerly."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from .. import functional as F
from ..dispatch import unary
from ..registry import PARAM_KINDS, Param, TensorSpec, composite, defop
from .scans import ValuesIndices, _dim, gather_along


def _argsort_fwd(xp: Any, x: Any, axis: int, descending: bool, stable: bool) -> Any:
    if x.ndim == 0:
        return xp.zeros((), dtype=np.int64)
    if not descending:
        return xp.argsort(x, axis=axis, kind="stable").astype(np.int64)
    # stable descending: sort the reversed array ascending, reverse, map positions back
    n = x.shape[axis]
    rev = xp.flip(x, axis=axis)
    if x.dtype.kind == "f":  # NaN first when descending, as PyTorch
        idx = xp.argsort(rev, axis=axis, kind="stable")
    else:
        idx = xp.argsort(rev, axis=axis, kind="stable")
    return (n - 1 - xp.flip(idx, axis=axis)).astype(np.int64)


def _argsort_rule(
    specs: tuple[TensorSpec, ...], axis: int, descending: bool, stable: bool
) -> TensorSpec:
    (x,) = specs
    nd = max(len(x.shape), 1)
    if not -nd <= axis < nd:
        raise ValueError(f"argsort(): dim {axis} is out of range for {len(x.shape)} dims")
    if dtypes.as_dtype(x.dtype).kind not in "biuf":
        raise ValueError(f"argsort(): cannot sort dtype {x.dtype}")
    return TensorSpec(x.shape, np.dtype(np.int64))


PARAM_KINDS.update({"descending": "bool", "stable": "bool"})
ARGSORT = defop(
    "argsort",
    "indexing",
    params=[
        Param("axis", doc="dim to sort along"),
        Param("descending", False, "largest first"),
        Param("stable", False, "equal values keep their order (always so here)"),
    ],
    forward=_argsort_fwd,
    shape_rule=_argsort_rule,
    vjp=None,
    formula="z = the permutation that sorts x along axis (NaN largest; ties keep their order)",
    grad_formula="not differentiable (integer indices)",
    doc="The indices that sort x along a dim (stable; NaN counts as the largest).",
)


def argsort(x: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """Indices that sort x along dim (torch.argsort); equal values keep their order."""
    d, _ = _dim(x, dim, "argsort")
    params = {"axis": d, "descending": bool(descending), "stable": bool(stable)}
    return unary(ARGSORT, x, params)


@composite("sort", "indexing", "(z, k): z = x[k], k = argsort(x) along dim", params=("descending",))
def sort(x: Any, dim: int = -1, descending: bool = False, *, stable: bool = False) -> ValuesIndices:
    """x sorted along dim and the indices it came from; the gradient goes back through them."""
    d, _ = _dim(x, dim, "sort")
    i = argsort(x, d, descending, stable)
    if len(tuple(x.shape)) == 0:
        return ValuesIndices(F.where(True, x, x), i)
    return ValuesIndices(gather_along(x, d, i), i)


def _pick(x: Any, d: int, i: Any, keepdim: bool) -> ValuesIndices:
    """(x at indices i (keepdim-shaped, along d), i), squeezed unless keepdim."""
    if len(tuple(x.shape)) == 0:
        return ValuesIndices(F.where(True, x, x), F.reshape(i, ()))
    v = gather_along(x, d, i)
    if keepdim:
        return ValuesIndices(v, i)
    return ValuesIndices(F.squeeze(v, d), F.squeeze(i, d))


def _at(i: Any, d: int, k: int) -> Any:
    return F.getitem(i, (slice(None),) * d + (slice(k, k + 1),))


@composite("kthvalue", "indexing", "(z, k): the k-th smallest of x along dim", params=("k",))
def kthvalue(x: Any, k: int, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
    """The k-th smallest value along dim (k from 1) and its index (torch.kthvalue)."""
    d, n = _dim(x, dim, "kthvalue")
    if not 1 <= int(k) <= n:
        raise IndexError(f"kthvalue(): k={k} is out of range for dim {dim} of size {n}")
    return _pick(x, d, _at(argsort(x, d), d, int(k) - 1), keepdim)


@composite("median", "reduction", "the lower median of x along dim (NaN if any)")
def median(x: Any, dim: int | None = None, keepdim: bool = False) -> Any:
    """The lower median (torch.median): a value over all of x, or (values, indices) along dim."""
    if dim is None:
        flat = F.reshape(x, (-1,))
        (n,) = tuple(flat.shape)
        if not isinstance(n, int) or n == 0:
            raise ValueError("median() of an empty or unknown-size tensor is undefined")
        return F.reshape(_median_along(flat, 0, n, True).values, ())
    d, n = _dim(x, dim, "median")
    if n == 0:
        raise IndexError("median(): cannot take the median of an empty dim")
    r = _median_along(x, d, n, True)
    return _pick(x, d, r.indices, keepdim)


def _median_along(x: Any, d: int, n: int, keepdim: bool) -> ValuesIndices:
    """The lower median along d with keepdim-shaped indices; a NaN in a row wins, as in PyTorch."""
    i = _at(argsort(x, d), d, (n - 1) // 2)
    if dtypes.as_dtype(x.dtype).kind == "f" and len(tuple(x.shape)):
        nan = F.isnan(x)
        first_nan = F.argmax(nan, d, keepdims=True)
        i = F.where(F.any(nan, d, keepdims=True), first_nan, i)
    return _pick(x, d, i, keepdim)


@composite("mode", "reduction", "the most frequent value of x along dim (smallest of ties)")
def mode(x: Any, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
    """The most frequent value along dim (the smallest of equally frequent ones), its last index."""
    d, n = _dim(x, dim, "mode")
    if len(tuple(x.shape)) == 0:
        return _pick(x, 0, F.cast(F.where(False, x, 0), "int64"), keepdim)
    if n == 0:
        raise IndexError("mode(): cannot take the mode of an empty dim")
    xm = F.movedim(x, d, -1)
    v = sort(xm, -1).values
    # count[i] = how many values equal v[i]; the best count, smallest value first
    count = F.sum(F.cast(F.eq(F.unsqueeze(v, -1), F.unsqueeze(v, -2)), "int64"), -1)
    target = gather_along(v, len(tuple(v.shape)) - 1, F.argmax(count, -1, keepdims=True))
    last = F.argmax(F.where(F.eq(xm, target), np.arange(n), -1), -1, keepdims=True)
    last = F.movedim(last, -1, d)
    return _pick(x, d, last, keepdim)


def unique(
    x: Any,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct values of x, sorted (torch.unique); eager only: its size depends on the data."""
    from ..creation import tensor

    if not hasattr(x, "numpy"):
        raise TypeError(
            "unique() needs an eager tensor: its size depends on the values, so it cannot "
            "be traced; call it outside @vf.function"
        )
    if dim is not None:
        raise NotImplementedError("unique(dim=...) is not supported; call it without dim")
    arr = x.numpy()
    vals, inverse, counts = np.unique(arr, return_inverse=True, return_counts=True)
    out: list[Any] = [tensor(vals)]
    if return_inverse:
        out.append(tensor(inverse.reshape(arr.shape).astype(np.int64)))
    if return_counts:
        out.append(tensor(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


__all__ = ["argsort", "kthvalue", "median", "mode", "sort", "unique"]
