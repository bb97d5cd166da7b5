"""Pooling beyond 2-D: 1-D pools as 2-D ones of unit height, 3-D pools as a 2-D pool over
(H, W) then one over D (max and average are separable), max_pool2d's indices, and
adaptive_avg_pool2d as two averaging matrices. Composites of the 2-D primitives."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functional as F
from ..registry import composite
from . import neural as N
from .conv_nd import _batched, _known, _tuple, _unbatch


def _avg_pool2d(x: Any, *args: Any, **kw: Any) -> Any:
    from ..nn.functional import avg_pool2d

    return avg_pool2d(x, *args, **kw)


def _stride(stride: Any, kernel: tuple[int, ...]) -> tuple[int, ...]:
    """A pooling window's stride: the kernel size when not given (None or [], as torch)."""
    return kernel if stride is None or stride == [] else _tuple(stride, len(kernel), "stride")


@composite("max_pool1d", "neural", "z[i] = max x[i·s + k·d - p] over k < K")
def max_pool1d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """1-D max pooling of (N, C, L) or (C, L) (stride defaults to the kernel)."""
    x, batched = _batched(input, 1, "max_pool1d")
    (k,), (p,) = _tuple(kernel_size, 1, "kernel_size"), _tuple(padding, 1, "padding")
    (d,) = _tuple(dilation, 1, "dilation")
    (s,) = _stride(stride, (k,))
    x4 = F.unsqueeze(x, 2)
    if return_indices:
        v, i = max_pool2d_with_indices(x4, (1, k), (1, s), (0, p), (1, d), ceil_mode)
        return _unbatch(F.squeeze(v, 2), batched), _unbatch(F.squeeze(i, 2), batched)
    y = N.max_pool2d(x4, (1, k), (1, s), (0, p), (1, d), ceil_mode)
    return _unbatch(F.squeeze(y, 2), batched)


def _window_index(x: Any, geo: Any) -> Any:
    """(N, C, Ho, Wo) int64: each window's first maximum (NaN first) as a flat index of H·W."""
    h, w = _known(tuple(x.shape)[2:], "max_pool2d(return_indices=True)", "the input's H and W")
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = geo.k, geo.s, geo.p, geo.d
    ho, wo = geo.out_size(h, w)
    eh, ew = geo.end_pad(h, w)
    xp = F.pad(x, [(0, 0), (0, 0), (ph, eh), (pw, ew)], value=-np.inf)
    cells = []
    for a in range(kh):
        for b in range(kw):
            rows = slice(a * dh, a * dh + (ho - 1) * sh + 1, sh)
            cols = slice(b * dw, b * dw + (wo - 1) * sw + 1, sw)
            cells.append(F.getitem(xp, (slice(None), slice(None), rows, cols)))
    win = F.stack(cells, -1)
    # NaN wins, as in PyTorch: a window's first NaN, else its first maximum
    nan = F.isnan(win)
    best = F.where(F.any(nan, -1), F.argmax(nan, -1), F.argmax(F.where(nan, -np.inf, win), -1))
    r0 = (np.arange(ho) * sh - ph).reshape(ho, 1)
    c0 = (np.arange(wo) * sw - pw).reshape(1, wo)
    row = r0 + F.floor_divide(best, kw) * dh
    col = c0 + F.remainder(best, kw) * dw
    return F.cast(row * w + col, "int64")


@composite("max_pool2d_with_indices", "neural", "(max over each window, where it is in H·W)")
def max_pool2d_with_indices(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> tuple[Any, Any]:
    """max_pool2d's values and, per window, the flat index (over H·W) of its maximum."""
    x, batched = _batched(input, 2, "max_pool2d")
    geo = N.pool_geometry(kernel_size, stride, padding, dilation, ceil_mode)
    N.check_pool_padding(geo)
    values = N.max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode)
    return _unbatch(values, batched), _unbatch(_window_index(x, geo), batched)


def max_pool2d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """2-D max pooling of (N, C, H, W) or (C, H, W); return_indices adds each maximum's place."""
    if return_indices:
        return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    x, batched = _batched(input, 2, "max_pool2d")
    return _unbatch(N.max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode), batched)


def _over_depth(y: Any, shape: tuple[int, ...]) -> Any:
    """(N, C, D, Ho, Wo) as (N, C, D, Ho·Wo): a 2-D pool with a (kd, 1) window pools over D."""
    n, c, d, ho, wo = shape
    return F.reshape(y, (n, c, d, ho * wo))


@composite("max_pool3d", "neural", "z = max over each (kd, kh, kw) window: over (H, W), then D")
def max_pool3d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> Any:
    """3-D max pooling of (N, C, D, H, W) or (C, D, H, W) (stride defaults to the kernel)."""
    x, batched = _batched(input, 3, "max_pool3d")
    k, p = _tuple(kernel_size, 3, "kernel_size"), _tuple(padding, 3, "padding")
    d = _tuple(dilation, 3, "dilation")
    s = _stride(stride, k)
    n, c, depth, h, w = _known(tuple(x.shape), "max_pool3d", "the input shape")
    hw = N.max_pool2d(F.reshape(x, (n, c * depth, h, w)), k[1:], s[1:], p[1:], d[1:], ceil_mode)
    ho, wo = tuple(hw.shape)[2:]
    y = N.max_pool2d(
        _over_depth(hw, (n, c, depth, ho, wo)),
        (k[0], 1),
        (s[0], 1),
        (p[0], 0),
        (d[0], 1),
        ceil_mode,
    )
    return _unbatch(F.reshape(y, (n, c, tuple(y.shape)[2], ho, wo)), batched)


@composite("avg_pool1d", "neural", "z[i] = Σ window / cells counted")
def avg_pool1d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Any:
    """1-D average pooling of (N, C, L) or (C, L), as avg_pool2d of unit height."""
    x, batched = _batched(input, 1, "avg_pool1d")
    (k,), (p,) = _tuple(kernel_size, 1, "kernel_size"), _tuple(padding, 1, "padding")
    (s,) = _stride(stride, (k,))
    y = _avg_pool2d(F.unsqueeze(x, 2), (1, k), (1, s), (0, p), ceil_mode, count_include_pad)
    return _unbatch(F.squeeze(y, 2), batched)


@composite("avg_pool3d", "neural", "z = Σ window / cells counted: over (H, W), then D")
def avg_pool3d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Any:
    """3-D average pooling of (N, C, D, H, W) or (C, D, H, W); the cells counted per window are
    a product over the dims, so averaging over (H, W) and then D is the same."""
    x, batched = _batched(input, 3, "avg_pool3d")
    k, p = _tuple(kernel_size, 3, "kernel_size"), _tuple(padding, 3, "padding")
    s = _stride(stride, k)
    if divisor_override is not None and divisor_override == 0:
        raise ValueError("avg_pool3d: divisor_override must not be zero")
    n, c, depth, h, w = _known(tuple(x.shape), "avg_pool3d", "the input shape")
    div = None if divisor_override is None else 1  # sums, divided once at the end
    hw = _avg_pool2d(
        F.reshape(x, (n, c * depth, h, w)), k[1:], s[1:], p[1:], ceil_mode, count_include_pad, div
    )
    ho, wo = tuple(hw.shape)[2:]
    y = _avg_pool2d(
        _over_depth(hw, (n, c, depth, ho, wo)),
        (k[0], 1),
        (s[0], 1),
        (p[0], 0),
        ceil_mode,
        count_include_pad,
        div,
    )
    y = F.reshape(y, (n, c, tuple(y.shape)[2], ho, wo))
    if divisor_override is not None:
        y = y * (1.0 / divisor_override)
    return _unbatch(y, batched)


def _adaptive_matrix(n: int, m: int) -> np.ndarray[Any, Any]:
    """(m, n): row i averages input cells floor(i·n/m) … ceil((i+1)·n/m) - 1, as PyTorch."""
    a = np.zeros((m, n))
    for i in range(m):
        lo, hi = (i * n) // m, -((-(i + 1) * n) // m)
        a[i, lo:hi] = 1.0 / (hi - lo)
    return a


@composite("adaptive_avg_pool2d", "neural", "z = A_H x A_Wᵀ, A rows averaging PyTorch's windows")
def adaptive_avg_pool2d(input: Any, output_size: Any) -> Any:
    """Average pooling to a given (Ho, Wo) (None keeps that dim) of (N, C, H, W) or (C, H, W)."""
    shape = tuple(input.shape)
    if len(shape) not in (3, 4):
        raise ValueError(f"adaptive_avg_pool2d expects a 3-d or 4-d input, not shape {shape}")
    h, w = _known(shape[-2:], "adaptive_avg_pool2d", "the input's H and W")
    size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    ho, wo = (h if size[0] is None else int(size[0])), (w if size[1] is None else int(size[1]))
    if ho < 0 or wo < 0 or (h == 0 and ho) or (w == 0 and wo):
        raise ValueError(f"adaptive_avg_pool2d: cannot pool ({h}, {w}) to ({ho}, {wo})")
    dt = input.dtype
    ah = F.cast(_adaptive_matrix(h, ho), dt)
    aw = F.cast(_adaptive_matrix(w, wo).T, dt)
    return F.matmul(F.matmul(ah, input), aw)


__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool1d",
    "avg_pool3d",
    "max_pool1d",
    "max_pool2d",
    "max_pool2d_with_indices",
    "max_pool3d",
]
