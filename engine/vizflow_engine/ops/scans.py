"""Scans along one dim: cumsum (a primitive), and cumprod, cummax, cummin, logcumsumexp as
log-depth (Hillis–Steele) composites, so their gradients come free and are exact at zeros."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .. import dtypes
from .. import functional as F
from ..dispatch import unary
from ..registry import Param, TensorSpec, composite, defop


def _scan_dtype(dt: Any) -> Any:
    """cumsum's result dtype: bools and integers sum in int64, as in PyTorch."""
    d = dtypes.as_dtype(dt)
    return np.dtype(np.int64) if d.kind in "biu" else d


def _cumsum_fwd(xp: Any, x: Any, axis: int) -> Any:
    dt = _scan_dtype(x.dtype)
    if x.ndim == 0:
        return x.astype(dt)
    return xp.cumsum(x, axis=axis, dtype=dt)


def _cumsum_rule(specs: tuple[TensorSpec, ...], axis: int) -> TensorSpec:
    (x,) = specs
    nd = max(len(x.shape), 1)
    if not -nd <= axis < nd:
        raise ValueError(f"cumsum(): dim {axis} is out of range for {len(x.shape)} dims")
    return TensorSpec(x.shape, _scan_dtype(x.dtype))


def _cumsum_vjp(g: Any, ins: Any, out: Any, axis: int) -> tuple[Any]:
    if len(tuple(ins[0].shape)) == 0:
        return (g,)
    return (F.flip(cumsum(F.flip(g, axis), axis), axis),)


CUMSUM = defop(
    "cumsum",
    "reduction",
    params=[Param("axis", doc="dim to sum along")],
    forward=_cumsum_fwd,
    shape_rule=_cumsum_rule,
    vjp=_cumsum_vjp,
    formula="z[i] = Σ_{j ≤ i} x[j] along axis",
    grad_formula="dx[j] = Σ_{i ≥ j} g[i] (a reversed cumsum)",
    doc="Running sums along a dim (torch.cumsum); integers and bools sum in int64.",
)


def _dim(x: Any, dim: int, op: str) -> tuple[int, int]:
    """(dim made non-negative, its size), refusing a dim unknown when tracing."""
    shape = tuple(x.shape)
    nd = max(len(shape), 1)
    if not -nd <= int(dim) < nd:
        raise IndexError(f"{op}(): dim {dim} is out of range for {len(shape)} dims")
    d = int(dim) % nd
    n = shape[d] if shape else 1
    if not isinstance(n, int):
        raise ValueError(f"{op}() needs dim {dim} known when tracing, not shape {shape}")
    return d, n


def cumsum(x: Any, dim: int, *, dtype: Any = None) -> Any:
    """Running sums along dim (torch.cumsum)."""
    if dtype is not None:
        x = F.cast(x, dtype)
    d, _ = _dim(x, dim, "cumsum")
    return unary(CUMSUM, x, {"axis": d})


def _shifted(y: Any, d: int, s: int, fill: Any) -> Any:
    """y moved s places forward along d, the first s places filled with `fill`."""
    head = F.where(True, fill, F.getitem(y, (slice(None),) * d + (slice(0, s),)))
    return F.concatenate([head, F.getitem(y, (slice(None),) * d + (slice(0, -s),))], d)


def _scan(x: Any, d: int, n: int, fill: Any, step: Callable[[Any, Any], Any]) -> Any:
    """Inclusive scan of x along d with an associative step(earlier, later): log2(n) rounds."""
    y, s = x, 1
    while s < n:
        y = step(_shifted(y, d, s, fill), y)
        s *= 2
    return y


def _flat0(x: Any) -> tuple[Any, bool]:
    """A 0-d x as a 1-element 1-d tensor (scans need a dim), and whether it was 0-d."""
    if len(tuple(x.shape)) == 0:
        return F.reshape(x, (1,)), True
    return x, False


@composite("cumprod", "reduction", "z[i] = Π_{j ≤ i} x[j] along dim")
def cumprod(x: Any, dim: int, *, dtype: Any = None) -> Any:
    """Running products along dim (torch.cumprod); the gradient is exact where x has zeros."""
    if dtype is not None:
        x = F.cast(x, dtype)
    d, n = _dim(x, dim, "cumprod")
    y, scalar = _flat0(x)
    if dtypes.as_dtype(y.dtype).kind in "bu" or dtypes.as_dtype(y.dtype).kind == "i":
        y = F.cast(y, "int64")
    z = _scan(y, d, n, 1, lambda a, b: a * b)
    return F.reshape(z, ()) if scalar else z


class ValuesIndices(NamedTuple):
    """The (values, indices) pair PyTorch's cummax/cummin/sort/kthvalue/median/mode return."""

    values: Any
    indices: Any


def _cum_extreme(x: Any, dim: int, largest: bool, op: str) -> ValuesIndices:
    """Running max/min with the index of the latest extreme (NaN counts as the extreme)."""
    d, n = _dim(x, dim, op)
    y, scalar = _flat0(x)
    shape = tuple(y.shape)
    pos = np.arange(n).reshape([n if i == d else 1 for i in range(len(shape))])
    idx = F.broadcast_to(F.cast(F.where(True, pos, F.cast(_zero_of(y), "int64")), "int64"), shape)
    better = F.ge if largest else F.le
    fill = _fill(y.dtype, largest)

    def step(earlier: Any, later: Any) -> Any:
        (ev, ei), (lv, li) = earlier, later
        take = F.logical_or(F.isnan(lv), better(lv, ev)) if _is_float(y) else better(lv, ev)
        return (F.where(take, lv, ev), F.where(take, li, ei))

    # scan pairs (value, index): shift both together
    v, i, s = y, idx, 1
    while s < n:
        v, i = step((_shifted(v, d, s, fill), _shifted(i, d, s, -1)), (v, i))
        s *= 2
    values = gather_along(y, d, i)
    if scalar:
        return ValuesIndices(F.reshape(values, ()), F.reshape(i, ()))
    return ValuesIndices(values, i)


def _zero_of(t: Any) -> Any:
    return F.where(False, t, 0)


def _is_float(t: Any) -> bool:
    return dtypes.as_dtype(t.dtype).kind == "f"


def _fill(dtype: Any, largest: bool) -> Any:
    dt = dtypes.as_dtype(dtype)
    if dt.kind == "f":
        return -np.inf if largest else np.inf
    if dt.kind == "b":
        return not largest
    info = np.iinfo(dt)
    return int(info.min if largest else info.max)


def gather_along(x: Any, d: int, index: Any) -> Any:
    """x's values at index along d (gradients go to the picked places)."""
    from .scatter import gather

    return gather(x, d, index)


@composite("cummax", "reduction", "(z[i], k[i]) = (max, argmax) of x[:i+1] along dim")
def cummax(x: Any, dim: int) -> ValuesIndices:
    """Running maximum along dim and where it is (the latest among ties, NaN propagates)."""
    return _cum_extreme(x, dim, True, "cummax")


@composite("cummin", "reduction", "(z[i], k[i]) = (min, argmin) of x[:i+1] along dim")
def cummin(x: Any, dim: int) -> ValuesIndices:
    """Running minimum along dim and where it is (the latest among ties, NaN propagates)."""
    return _cum_extreme(x, dim, False, "cummin")


@composite("logcumsumexp", "reduction", "z[i] = log Σ_{j ≤ i} exp x[j] along dim")
def logcumsumexp(x: Any, dim: int) -> Any:
    """log of running sums of exp(x) along dim, without overflow (torch.logcumsumexp)."""
    d, n = _dim(x, dim, "logcumsumexp")
    y, scalar = _flat0(x)
    z = _scan(y, d, n, -np.inf, F.logaddexp)
    return F.reshape(z, ()) if scalar else z


__all__ = ["ValuesIndices", "cummax", "cummin", "cumprod", "cumsum", "logcumsumexp"]
