"""tril/triu as a where() with a constant mask from the shape, so gradients come free."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functional as F


def _mask(x: Any, diagonal: int, lower: bool, name: str) -> np.ndarray[Any, Any]:
    """The bool mask of the kept elements over x's last two dims (numpy's tri)."""
    shape = tuple(x.shape)
    if len(shape) < 2:
        raise ValueError(f"{name}() needs a tensor with at least 2 dims, not shape {shape}")
    n, m = shape[-2], shape[-1]
    if not isinstance(n, int) or not isinstance(m, int):
        raise ValueError(
            f"{name}() needs the last two dims known when tracing, not shape {shape}; "
            "give the input a fixed size in those dims"
        )
    if lower:
        return np.tri(n, m, int(diagonal), dtype=bool)
    return ~np.tri(n, m, int(diagonal) - 1, dtype=bool)


def tril(x: Any, diagonal: int = 0) -> Any:
    """The lower triangle of x's last two dims (from diagonal down), zeros elsewhere."""
    return F.where(_mask(x, diagonal, True, "tril"), x, 0)


def triu(x: Any, diagonal: int = 0) -> Any:
    """The upper triangle of x's last two dims (from diagonal up), zeros elsewhere."""
    return F.where(_mask(x, diagonal, False, "triu"), x, 0)


__all__ = ["tril", "triu"]
