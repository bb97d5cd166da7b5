"""gather, scatter, scatter_add and scatter_reduce along one dim (PyTorch's semantics), and the
indexing functions built on them: take_along_dim, index_select, masked_select, nonzero."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from .. import functional as F
from ..dispatch import dispatch
from ..registry import PARAM_KINDS, Param, TensorSpec, composite, defop
from ._names import axis_arg

REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _coords(xp: Any, index: Any, axis: int) -> tuple[Any, ...]:
    """Advanced-index tuple that addresses, for each entry of index, its target along axis."""
    nd = index.ndim
    grids = [xp.arange(n).reshape([n if i == d else 1 for i in range(nd)])
             for d, n in enumerate(index.shape)]  # fmt: skip
    grids[axis] = index
    return tuple(grids)


def _check_range(xp: Any, index: Any, n: int, op: str) -> None:
    """Refuse an index out of [0, n), as PyTorch does (numpy would wrap negatives)."""
    if index.size and bool(xp.any((index < 0) | (index >= n))):
        lo, hi = int(index.min()), int(index.max())
        raise IndexError(f"{op}(): index out of range [0, {n}) (got values {lo}..{hi})")


def _index_rule(
    specs: tuple[TensorSpec, ...], axis: int, op: str, same_src: bool = False
) -> tuple[int, tuple[int | None, ...]]:
    """Shared checks: index is an integer tensor of x's rank, no larger than x off axis."""
    x, idx = specs[0], specs[1]
    if dtypes.as_dtype(idx.dtype).kind not in "iu":
        raise ValueError(f"{op}(): index must be an integer tensor, not {idx.dtype}")
    nd = len(x.shape)
    if len(idx.shape) != nd:
        raise ValueError(f"{op}(): index has {len(idx.shape)} dims but the input has {nd}")
    if not -max(nd, 1) <= axis < max(nd, 1):
        raise ValueError(f"{op}(): dim {axis} is out of range for {nd} dims")
    a = axis % max(nd, 1)
    for d, (i, s) in enumerate(zip(idx.shape, x.shape, strict=True)):
        if d != a and i is not None and s is not None and i > s:
            raise ValueError(
                f"{op}(): index size {i} exceeds the input size {s} in dim {d} (dim {axis} aside)"
            )
    if same_src and tuple(specs[2].shape) != tuple(idx.shape):
        raise ValueError(
            f"{op}(): src must have the index's shape {idx.shape}, not {specs[2].shape}"
        )
    return a, tuple(idx.shape)


def _gather_fwd(xp: Any, x: Any, index: Any, axis: int) -> Any:
    a = axis % max(x.ndim, 1)
    if x.ndim == 0:
        _check_range(xp, index, 1, "gather")
        return x.copy()
    _check_range(xp, index, x.shape[a], "gather")
    return x[_coords(xp, index, a)]


def _gather_rule(specs: tuple[TensorSpec, ...], axis: int) -> TensorSpec:
    _, shape = _index_rule(specs, axis, "gather")
    return TensorSpec(shape, specs[0].dtype)


def _zeros_like(t: Any) -> Any:
    """Zeros of t's shape and dtype that do not depend on t's values (no NaN from 0·inf)."""
    return F.where(False, t, 0)


GATHER = defop(
    "gather",
    "indexing",
    inputs=("x", "index"),
    params=[Param("axis", doc="dim the index picks along")],
    forward=_gather_fwd,
    shape_rule=_gather_rule,
    vjp=lambda g, ins, out, axis: (scatter_add(_zeros_like(ins[0]), axis, ins[1], g), None),
    formula="z[i][j][k] = x[i][index[i][j][k]][k] (axis 1)",
    grad_formula="dx = scatter_add(0, index, g)",
    doc="Pick values of x along a dim at the positions index holds (torch.gather).",
    differentiable_inputs=(0,),
)


def _scatter_fwd(xp: Any, x: Any, index: Any, src: Any, axis: int, add: bool = False) -> Any:
    z = x.copy()
    if x.ndim == 0:
        _check_range(xp, index, 1, "scatter")
        if index.size:
            z[()] = z + src if add else src
        return z
    a = axis % x.ndim
    _check_range(xp, index, x.shape[a], "scatter_add" if add else "scatter")
    at = _coords(xp, index, a)
    src = src.astype(z.dtype, copy=False)
    if not add:
        z[at] = src
    elif xp is np:
        np.add.at(z, at, src)
    else:  # cupy
        import cupyx

        cupyx.scatter_add(z, at, src)
    return z


def _scatter_rule(specs: tuple[TensorSpec, ...], axis: int) -> TensorSpec:
    _index_rule(specs, axis, "scatter", same_src=True)
    return TensorSpec(specs[0].shape, specs[0].dtype)


SCATTER = defop(
    "scatter",
    "indexing",
    inputs=("x", "index", "src"),
    params=[Param("axis", doc="dim the index writes along")],
    forward=_scatter_fwd,
    shape_rule=_scatter_rule,
    vjp=lambda g, ins, out, axis: (
        scatter(g, axis, ins[1], _zeros_like(ins[2])),
        None,
        gather(g, axis, ins[1]),
    ),
    formula="z = x; z[i][index[i][j]] = src[i][j] (axis 1)",
    grad_formula="dx = g with the written places 0; dsrc = gather(g, index)",
    doc="x with src's values written along a dim at the positions index holds (torch.scatter).",
    differentiable_inputs=(0, 2),
)

SCATTER_ADD = defop(
    "scatter_add",
    "indexing",
    inputs=("x", "index", "src"),
    params=[Param("axis", doc="dim the index adds along")],
    forward=lambda xp, x, index, src, axis: _scatter_fwd(xp, x, index, src, axis, add=True),
    shape_rule=_scatter_rule,
    vjp=lambda g, ins, out, axis: (g, None, gather(g, axis, ins[1])),
    formula="z = x; z[i][index[i][j]] += src[i][j] (axis 1)",
    grad_formula="dx = g; dsrc = gather(g, index)",
    doc="x with src's values added along a dim at the positions index holds (repeats add up).",
    differentiable_inputs=(0, 2),
)


def _identity(dt: np.dtype[Any], reduce: str) -> Any:
    """The value a reduction starts from when include_self is False."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dt.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    info = np.iinfo(dt)
    return info.min if reduce == "amax" else info.max


def _scatter_reduce_fwd(
    xp: Any, x: Any, index: Any, src: Any, axis: int, reduce: str, include_self: bool
) -> Any:
    z = x.copy()
    if x.ndim == 0:  # one cell: treat as a 1-element dim
        return _scatter_reduce_fwd(xp, x.reshape(1), index.reshape(-1), src.reshape(-1), 0,
                                   reduce, include_self).reshape(())  # fmt: skip
    a = axis % x.ndim
    _check_range(xp, index, x.shape[a], "scatter_reduce")
    at = _coords(xp, index, a)
    src = src.astype(z.dtype, copy=False)
    count = xp.zeros(x.shape, dtype=np.int64)
    _add_at(xp, count, at, xp.ones(index.shape, dtype=np.int64))
    touched = count > 0
    if not include_self:
        z[touched] = _identity(z.dtype, reduce)
    combine = {"prod": np.multiply, "amax": np.maximum, "amin": np.minimum}[reduce]
    if xp is np:
        combine.at(z, at, src)
        return z
    # cupy has no multiply.at, and its scatter_max/min round float64 (seen on an H200):
    # reduce exactly on the host and copy back
    host = z.get()
    combine.at(host, tuple(a.get() for a in at), src.get())
    return xp.asarray(host)


def _add_at(xp: Any, z: Any, at: Any, v: Any) -> None:
    if xp is np:
        np.add.at(z, at, v)
    else:
        import cupyx

        cupyx.scatter_add(z, at, v)


def _scatter_reduce_vjp(
    g: Any, ins: Any, out: Any, axis: int, reduce: str, include_self: bool
) -> tuple[Any, None, Any]:
    x, index, src = ins
    count = scatter_add(_zeros_like(g), axis, index, F.where(True, 1.0, _zeros_like(src)))
    touched = F.gt(count, 0)
    if reduce in ("amax", "amin"):  # as PyTorch: x's ties count even when not included
        self_hit = F.eq(x, out)
        src_hit = F.eq(src, gather(out, axis, index))
        n = F.where(self_hit, 1.0, 0.0) + scatter_add(
            _zeros_like(g), axis, index, F.where(src_hit, 1.0, 0.0)
        )
        share = g / F.where(F.gt(n, 0), n, 1.0)
        x_in = F.logical_or(include_self, F.logical_not(touched))
        dx = F.where(F.logical_and(self_hit, x_in), share, 0.0)
        return dx, None, F.where(src_hit, gather(share, axis, index), 0.0)
    # prod: d/de of a product is the product of the others (exact where e or another is 0)
    x_zero, src_zero = F.eq(x, 0), F.eq(src, 0)
    x_in = F.logical_or(include_self, F.logical_not(touched))
    nonzero = scatter_reduce(F.where(F.logical_and(x_in, F.logical_not(x_zero)), x, 1.0), axis,
                             index, F.where(src_zero, 1.0, src), "prod")  # fmt: skip
    zeros = F.where(F.logical_and(x_in, x_zero), 1.0, 0.0) + scatter_add(
        _zeros_like(g), axis, index, F.where(src_zero, 1.0, 0.0)
    )
    lone = F.where(F.eq(zeros, 1.0), nonzero, 0.0)  # product of the others of the one zero
    dx = F.where(x_zero, lone, out / F.where(x_zero, 1.0, x))
    dsrc = F.where(
        src_zero, gather(lone, axis, index), gather(out, axis, index) / F.where(src_zero, 1.0, src)
    )
    return F.where(x_in, g * dx, 0.0), None, gather(g, axis, index) * dsrc


def _reducer(reduce: str) -> Any:
    """The primitive scatter_<reduce> (prod, amax or amin) with include_self as its param."""
    formula = {"prod": "Π", "amax": "max", "amin": "min"}[reduce]
    return defop(
        f"scatter_{reduce}",
        "indexing",
        inputs=("x", "index", "src"),
        params=[
            Param("axis", doc="dim the index reduces along"),
            Param("include_self", True, "whether x's own values take part"),
        ],
        forward=lambda xp, x, index, src, axis, include_self: _scatter_reduce_fwd(
            xp, x, index, src, axis, reduce, include_self
        ),
        shape_rule=lambda specs, axis, include_self: _scatter_rule(specs, axis),
        vjp=lambda g, ins, out, axis, include_self: _scatter_reduce_vjp(
            g, ins, out, axis, reduce, include_self
        ),
        formula=f"z[i][index[i][j]] = {formula}(x[i][index[i][j]], src[i][j], …) (axis 1)",
        grad_formula="amax/amin: g shared by the ties; prod: g · the product of the others",
        doc=f"x with src's values reduced in by {reduce} along a dim at index (scatter_reduce).",
        differentiable_inputs=(0, 2),
    )


SCATTER_PRIMS = {r: _reducer(r) for r in ("prod", "amax", "amin")}
PARAM_KINDS.update({"include_self": "bool"})


def _src(src: Any, index: Any, x: Any) -> Any:
    """src cut to index's shape (PyTorch reads only that corner), or a number as a tensor."""
    if not hasattr(src, "shape"):
        return F.where(True, src, F.cast(_zeros_like(index), x.dtype))
    if tuple(src.shape) == tuple(index.shape):
        return src
    return F.getitem(src, tuple(slice(0, n) for n in index.shape))


def gather(x: Any, dim: int, index: Any) -> Any:
    """Values of x along dim at the positions index holds (torch.gather)."""
    return dispatch(GATHER, (x, index), {"axis": int(dim)})


def scatter(x: Any, dim: int, index: Any, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Any:  # fmt: skip
    """x with src (or value) written along dim at index (torch.scatter; reduce 'add'/'multiply')."""
    if src is None:
        src = value
    if reduce is not None:
        red = {"add": "sum", "multiply": "prod"}.get(reduce)
        if red is None:
            raise ValueError(f"scatter(): reduce must be 'add' or 'multiply', not {reduce!r}")
        return scatter_reduce(x, dim, index, _src(src, index, x), red)
    return dispatch(SCATTER, (x, index, _src(src, index, x)), {"axis": int(dim)})


def scatter_add(x: Any, dim: int, index: Any, src: Any) -> Any:
    """x with src added along dim at index; repeated positions add up (torch.scatter_add)."""
    return dispatch(SCATTER_ADD, (x, index, _src(src, index, x)), {"axis": int(dim)})


def scatter_reduce(
    x: Any, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True
) -> Any:
    """x with src reduced in along dim at index: sum, prod, mean, amax or amin."""
    if reduce not in REDUCES:
        raise ValueError(f"scatter_reduce(): reduce must be one of {REDUCES}, not {reduce!r}")
    src = _src(src, index, x)
    if reduce in ("sum", "mean"):
        return _scatter_mean(x, int(dim), index, src, reduce == "mean", bool(include_self))
    params = {"axis": int(dim), "include_self": bool(include_self)}
    return dispatch(SCATTER_PRIMS[reduce], (x, index, src), params)


def _scatter_mean(x: Any, dim: int, index: Any, src: Any, mean: bool, include_self: bool) -> Any:
    """scatter_reduce's sum and mean as scatter_adds (x left out where touched, unless included)."""
    ones = F.where(True, 1, F.cast(_zeros_like(src), "int64"))
    count = scatter_add(F.cast(_zeros_like(x), "int64"), dim, index, ones)
    touched = F.gt(count, 0)
    base = x if include_self else F.where(touched, 0, x)
    total = scatter_add(base, dim, index, src)
    if not mean:
        return total
    n = F.where(touched, count + int(include_self), 1)
    if dtypes.as_dtype(x.dtype).kind == "f":
        return total / F.cast(n, x.dtype)
    return F.floor_divide(total, n)


def scatter_prod(x: Any, dim: int, index: Any, src: Any, *, include_self: bool = True) -> Any:
    """scatter_reduce(x, dim, index, src, 'prod'): products at index along dim."""
    return scatter_reduce(x, dim, index, src, "prod", include_self=include_self)


def scatter_amax(x: Any, dim: int, index: Any, src: Any, *, include_self: bool = True) -> Any:
    """scatter_reduce(x, dim, index, src, 'amax'): maxima at index along dim."""
    return scatter_reduce(x, dim, index, src, "amax", include_self=include_self)


def scatter_amin(x: Any, dim: int, index: Any, src: Any, *, include_self: bool = True) -> Any:
    """scatter_reduce(x, dim, index, src, 'amin'): minima at index along dim."""
    return scatter_reduce(x, dim, index, src, "amin", include_self=include_self)


@composite("take_along_dim", "indexing", "z = gather(x, dim, index)")
def take_along_dim(x: Any, indices: Any, dim: int | None = None) -> Any:
    """x's values at indices along dim, indices broadcast against x (None: x flattened)."""
    if dim is None:
        return gather(F.reshape(x, (-1,)), 0, F.reshape(indices, (-1,)))
    nd = len(x.shape)
    d = int(dim) % max(nd, 1)
    shape = [
        max(a, b) if i != d else b
        for i, (a, b) in enumerate(zip(x.shape, indices.shape, strict=True))
    ]
    xs = [s if i == d else shape[i] for i, s in enumerate(x.shape)]
    return gather(F.broadcast_to(x, tuple(xs)), d, F.broadcast_to(indices, tuple(shape)))


@composite("index_select", "indexing", "z = x[..., index, ...] along dim")
def index_select(x: Any, dim: int, index: Any) -> Any:
    """The entries of x at a 1-d index along dim (torch.index_select)."""
    if len(tuple(index.shape)) > 1:
        raise ValueError(
            f"index_select(): index must be 0-d or 1-d, not shape {tuple(index.shape)}"
        )
    nd = len(x.shape)
    d = axis_arg(None, dim) % max(nd, 1)
    return F.getitem(x, (slice(None),) * d + (F.reshape(index, (-1,)),))


def masked_select(x: Any, mask: Any) -> Any:
    """The 1-d tensor of x's values where mask (broadcast with x) is true; eager only."""
    shape = tuple(np.broadcast_shapes(tuple(x.shape), tuple(mask.shape)))
    return F.getitem(F.broadcast_to(x, shape), (F.broadcast_to(mask, shape),))


def nonzero(x: Any, *, as_tuple: bool = False) -> Any:
    """Indices of x's nonzero entries: an (n, ndim) int64 tensor, or one 1-d tensor per dim."""
    from ..creation import tensor

    arr = x.numpy() if hasattr(x, "numpy") else np.asarray(x)
    where = np.nonzero(np.atleast_1d(arr))
    if as_tuple:
        return tuple(tensor(w.astype(np.int64)) for w in where)
    if arr.ndim == 0:
        return tensor(np.zeros((len(where[0]), 0), dtype=np.int64))
    return tensor(np.stack(where, axis=1).astype(np.int64).reshape(-1, arr.ndim))


__all__ = [
    "gather",
    "index_select",
    "masked_select",
    "nonzero",
    "scatter",
    "scatter_add",
    "scatter_amax",
    "scatter_amin",
    "scatter_prod",
    "scatter_reduce",
    "take_along_dim",
]
