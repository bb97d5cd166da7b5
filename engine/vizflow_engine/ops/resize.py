"""F.interpolate (nearest, linear/bilinear/trilinear with align_corners) as one resampling
matrix per spatial dim, PyTorch's source coordinates; gradients come free through matmul."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import functional as F
from ..registry import composite
from .conv_nd import _known

_LINEAR = {3: "linear", 4: "bilinear", 5: "trilinear"}


def _nearest(n: int, m: int, scale: float) -> np.ndarray[Any, Any]:
    """(m, n) picking input floor(i·scale) for output i (PyTorch's 'nearest')."""
    src = np.minimum(np.floor(np.arange(m) * scale).astype(np.int64), n - 1)
    a = np.zeros((m, n))
    a[np.arange(m), src] = 1.0
    return a


def _linear(n: int, m: int, scale: float, align_corners: bool) -> np.ndarray[Any, Any]:
    """(m, n) blending the two inputs around each output's source coordinate."""
    i = np.arange(m, dtype=np.float64)
    if align_corners:
        src = i * ((n - 1) / (m - 1) if m > 1 else 0.0)
    else:
        src = np.maximum((i + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n - 1)
    i1 = np.minimum(i0 + 1, n - 1)
    lam = src - i0
    a = np.zeros((m, n))
    np.add.at(a, (np.arange(m), i0), 1.0 - lam)
    np.add.at(a, (np.arange(m), i1), lam)
    return a


def _sizes(
    spatial: tuple[int, ...], size: Any, scale_factor: Any, recompute: bool | None
) -> tuple[tuple[int, ...], tuple[float | None, ...]]:
    """Output sizes and, where a scale factor sets PyTorch's coordinate scale, 1/factor."""
    k = len(spatial)
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    if size is not None:
        out = (int(size),) * k if isinstance(size, int) else tuple(int(s) for s in size)
        if len(out) != k:
            raise ValueError(f"interpolate: size {size} must have {k} entries for this input")
        return out, (None,) * k
    sf = (
        (float(scale_factor),) * k
        if not isinstance(scale_factor, (tuple, list))
        else tuple(float(f) for f in scale_factor)
    )
    if len(sf) != k:
        raise ValueError(f"interpolate: scale_factor {scale_factor} must have {k} entries")
    out = tuple(math.floor(n * f) for n, f in zip(spatial, sf, strict=True))
    return out, tuple(None if recompute else 1.0 / f for f in sf)


@composite(
    "interpolate",
    "neural",
    "z = x resampled along each spatial dim by a matrix A (nearest picks, linear blends)",
    params=("size", "scale_factor", "mode", "align_corners"),
)
def interpolate(
    input: Any,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Any:
    """Resize (N, C, *spatial) to size (or by scale_factor): 'nearest', or 'linear'/'bilinear'/
    'trilinear' for 1/2/3 spatial dims, with PyTorch's align_corners."""
    shape = tuple(input.shape)
    nd = len(shape)
    if nd not in (3, 4, 5):
        raise ValueError(f"interpolate expects a 3-d, 4-d or 5-d input, not shape {shape}")
    if antialias:
        raise NotImplementedError("interpolate(antialias=True) is not supported")
    if mode == "nearest":
        if align_corners is not None:
            raise ValueError("align_corners only applies to the linear modes, not 'nearest'")
    elif mode != _LINEAR[nd]:
        raise NotImplementedError(
            f"interpolate: mode {mode!r} on a {nd}-d input; supported: 'nearest' and "
            f"{_LINEAR[nd]!r}"
        )
    spatial = _known(shape[2:], "interpolate", "the spatial dims")
    out, inv = _sizes(spatial, size, scale_factor, recompute_scale_factor)
    x = input
    for j, (n, m, s) in enumerate(zip(spatial, out, inv, strict=True)):
        scale = (n / m if m else 0.0) if s is None else s
        a = (
            _nearest(n, m, scale)
            if mode == "nearest"
            else _linear(n, m, scale, bool(align_corners))
        )
        axis = 2 + j
        moved = F.movedim(x, axis, -1)
        x = F.movedim(F.matmul(moved, F.cast(a.T, input.dtype)), -1, axis)
    return x


__all__ = ["interpolate"]
