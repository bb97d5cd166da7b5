"""topk(): k rounds of argmax and a one-hot where()-sum, so values' gradients come free."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import functional as F


class TopK(NamedTuple):
    """The (values, indices) pair PyTorch's topk returns."""

    values: Any
    indices: Any


def _fill(dtype: Any, largest: bool) -> Any:
    """The value that a picked element becomes so that later rounds pass it over."""
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return dt.type(-np.inf if largest else np.inf)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return dt.type(info.min if largest else info.max)
    raise TypeError(f"topk() takes a float or integer tensor, not dtype {dt}")


def topk(x: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> TopK:
    """The k largest (or smallest) elements along dim and their indices, largest first.

    Always sorted (PyTorch leaves sorted=False's order open). Among equal values the lower
    index comes first; NaN counts as the largest value, as in PyTorch.
    """
    shape = tuple(x.shape)
    if not shape:
        raise ValueError("topk() needs a tensor with at least 1 dim, not a 0-d one")
    d = int(dim) % len(shape)
    n = shape[d]
    if not isinstance(n, int):
        raise ValueError(f"topk() needs dim {dim} known when tracing, not shape {shape}")
    if not 0 <= int(k) <= n:
        raise ValueError(f"topk(): k={k} is out of range for dim {dim} of size {n}")
    pos = np.arange(n).reshape([n if i == d else 1 for i in range(len(shape))])
    fill = _fill(x.dtype, largest)
    best = F.max if largest else F.min
    nan_x = F.isnan(x)
    taken: Any = None
    values, indices = [], []
    for _ in range(int(k)):
        free = F.logical_not(nan_x if taken is None else F.logical_or(taken, nan_x))
        if largest:  # NaN is the largest: max finds an untaken NaN first
            rest = x if taken is None else F.where(taken, fill, x)
            m = best(rest, axis=d, keepdims=True)
            same = F.logical_or(F.eq(x, m), F.logical_and(nan_x, F.isnan(m)))
            cand = same if taken is None else F.logical_and(same, F.logical_not(taken))
        else:  # NaN is the largest: the smallest come from the rest, NaNs last
            m = best(F.where(free, x, fill), axis=d, keepdims=True)
            first = F.logical_and(F.eq(x, m), free)
            left = F.logical_and(nan_x, F.logical_not(taken)) if taken is not None else nan_x
            cand = F.where(F.any(first, d, keepdims=True), first, left)
        # the first untaken element equal to the best: ±inf in x never repeats an index
        i = F.argmax(cand, d, keepdims=True)
        hit = F.eq(pos, i)
        values.append(F.sum(F.where(hit, x, np.dtype(x.dtype).type(0)), d, keepdims=True))
        indices.append(i)
        taken = hit if taken is None else F.logical_or(taken, hit)
    if not values:
        empty = x.new_zeros([0 if i == d else s for i, s in enumerate(shape)])
        return TopK(empty, empty.astype("int64"))
    return TopK(F.concatenate(values, d), F.concatenate(indices, d))


__all__ = ["TopK", "topk"]
