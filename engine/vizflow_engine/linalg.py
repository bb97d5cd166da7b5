"""vf.linalg: PyTorch's torch.linalg norms (vector and matrix, from registered composites)."""

from __future__ import annotations

import math
from typing import Any

from . import functional as F
from .ops.stats import vector_norm_of


def _axis(dim: Any) -> Any:
    return dim if dim is None or isinstance(dim, int) else tuple(int(d) for d in dim)


def vector_norm(
    x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Any:
    """The ord-norm of x as a vector over dim (all dims when None)."""
    if dtype is not None:
        x = F.cast(x, dtype)
    return vector_norm_of(x, ord, _axis(dim), keepdim)


def matrix_norm(
    x: Any, ord: Any = "fro", dim: tuple[int, int] = (-2, -1), keepdim: bool = False
) -> Any:
    """'fro', or the induced 1 / inf norms (max column / row abs sum) and their -1 / -inf minima."""
    r, c = (int(d) % len(x.shape) for d in dim)
    if ord == "fro":
        return vector_norm_of(x, 2, (r, c), keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        inner, outer = (r, c) if ord in (1, -1) else (c, r)
        sums = F.sum(F.abs(x), inner, True)
        best = F.max if ord > 0 else F.min
        out = best(sums, axis=outer, keepdims=True)
        return out if keepdim else F.squeeze(out, tuple(sorted((r, c))))
    raise ValueError(
        f"matrix_norm ord must be 'fro', 1, -1, inf or -inf, not {ord!r} "
        "(2, -2 and 'nuc' need an SVD)"
    )


def norm(
    x: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Any:
    """torch.linalg.norm: a vector norm for an int dim (or a 1-d x), a matrix norm for two
    dims (or a 2-d x) with an ord; the 2-norm of everything when ord and dim are None."""
    if dtype is not None:
        x = F.cast(x, dtype)
    if ord is None:
        return vector_norm_of(x, 2, _axis(dim), keepdim)
    if isinstance(dim, int) or (dim is None and len(x.shape) == 1):
        return vector_norm_of(x, ord, _axis(dim), keepdim)
    two = tuple(dim) if dim is not None else (-2, -1)
    if dim is None and len(x.shape) != 2:
        raise ValueError(
            f"linalg.norm with ord={ord!r} takes a 1-d or 2-d x or a dim, "
            f"not shape {tuple(x.shape)}"
        )
    return matrix_norm(x, ord, two, keepdim)


__all__ = ["matrix_norm", "norm", "vector_norm"]


from ._api import public_dir  # noqa: E402

__dir__ = public_dir(__all__)
