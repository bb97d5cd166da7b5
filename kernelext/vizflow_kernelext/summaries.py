"""Summaries of tensors for the inspector: statistics, histogram, heatmap, preview.

Large tensors are summarised here in the kernel, so only a few kilobytes travel to the
browser whatever the tensor's size; histogram counts and heatmap values go as binary
buffers (never JSON lists), referenced by index from the JSON part.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from vizflow_kernelext.preview import preview_text

HISTOGRAM_BINS = 40
HEATMAP_MAX_SIDE = 128
PREVIEW_CHARS = 400


def _finite_stats(values: np.ndarray) -> dict[str, float | None]:
    """min/max/mean/std over the finite entries (None when there are none)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {"min": None, "max": None, "mean": None, "std": None}
    as64 = finite.astype(np.float64, copy=False)
    lo, hi = float(as64.min()), float(as64.max())
    # near float64's limit the sums inside mean/std overflow: take them scaled down
    scale = max(abs(lo), abs(hi)) if max(abs(lo), abs(hi)) > 1e150 else 1.0
    scaled = as64 / scale if scale != 1.0 else as64
    return {
        "min": lo,
        "max": hi,
        "mean": float(scaled.mean()) * scale,
        "std": float(scaled.std()) * scale,
    }


def _histogram(values: np.ndarray, buffers: list[bytes]) -> dict[str, Any] | None:
    finite = values[np.isfinite(values)].astype(np.float64, copy=False)
    if finite.size == 0:
        return None
    lo, hi = float(finite.min()), float(finite.max())
    magnitude = max(abs(lo), abs(hi))
    if hi - lo <= magnitude * 1e-9:  # one value, or too close for distinct float bin edges
        pad = max(0.5 if lo == hi else 0.0, magnitude * 1e-9)
        top = float(np.finfo(np.float64).max)
        lo, hi = max(lo - pad, -top), min(hi + pad, top)
    # values near ±1.8e308 overflow hi - lo: bin them scaled down (the same bins)
    scale = magnitude if np.isinf(hi - lo) else 1.0
    counts, _ = np.histogram(finite / scale, bins=HISTOGRAM_BINS, range=(lo / scale, hi / scale))
    buffers.append(counts.astype(np.float64).tobytes())
    return {"lo": lo, "hi": hi, "bins": HISTOGRAM_BINS, "buffer": len(buffers) - 1}


def _pool_to(matrix: np.ndarray, max_side: int) -> np.ndarray:
    """Average-pool a 2-D array so neither side exceeds max_side (NaNs ignored)."""
    rows, cols = matrix.shape
    fr = max(1, -(-rows // max_side))
    fc = max(1, -(-cols // max_side))
    if fr == 1 and fc == 1:
        return matrix
    pr, pc = (-rows) % fr, (-cols) % fc
    padded = np.pad(matrix, ((0, pr), (0, pc)), constant_values=np.nan)
    blocks = padded.reshape(padded.shape[0] // fr, fr, padded.shape[1] // fc, fc)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN blocks stay NaN
        pooled: np.ndarray = np.nanmean(blocks, axis=(1, 3))
    return pooled


def _heatmap_source(values: np.ndarray) -> tuple[np.ndarray, str] | None:
    """The 2-D slice to draw: a matrix as is, an image (…, H, W) as its first channel."""
    if values.ndim == 2:
        return values, "matrix"
    if values.ndim >= 3 and values.shape[-1] > 1 and values.shape[-2] > 1:
        lead = values.reshape(-1, *values.shape[-2:])
        return lead[0], "image"
    return None


def _heatmap(values: np.ndarray, buffers: list[bytes]) -> dict[str, Any] | None:
    source = _heatmap_source(values)
    if source is None or values.size == 0:
        return None
    matrix, kind = source
    pooled = _pool_to(matrix.astype(np.float64, copy=False), HEATMAP_MAX_SIDE)
    finite = pooled[np.isfinite(pooled)]
    lo = float(finite.min()) if finite.size else 0.0
    hi = float(finite.max()) if finite.size else 0.0
    buffers.append(np.ascontiguousarray(pooled, dtype=np.float32).tobytes())
    return {
        "rows": int(pooled.shape[0]),
        "cols": int(pooled.shape[1]),
        "lo": lo,
        "hi": hi,
        "kind": kind,
        "source_shape": [int(d) for d in values.shape],
        "buffer": len(buffers) - 1,
    }


def _preview(values: np.ndarray) -> str:
    text = preview_text(values)
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def summarize(array: Any, buffers: list[bytes]) -> dict[str, Any]:
    """A TensorSummary of `array` (numpy or anything np.asarray takes); appends buffers."""
    values = np.asarray(array)
    numeric = values.astype(np.float64) if values.dtype.kind in "biu" else values
    is_float = numeric.dtype.kind in "fc"
    nan_count = int(np.isnan(numeric).sum()) if is_float else 0
    inf_count = int(np.isinf(numeric).sum()) if is_float else 0
    return {
        "shape": [int(d) for d in values.shape],
        "dtype": str(values.dtype),
        "numel": int(values.size),
        **_finite_stats(numeric),
        "nan_count": nan_count,
        "inf_count": inf_count,
        "histogram": _histogram(numeric, buffers),
        "heatmap": _heatmap(numeric, buffers),
        "preview": _preview(values),
    }
