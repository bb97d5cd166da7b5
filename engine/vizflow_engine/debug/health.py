"""Cheap always-on value summaries: shape, dtype and counts of NaN, ±Inf and zeros."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(slots=True)
class Health:
    """What a value looked like, without keeping it: shape, dtype and special-value counts."""

    shape: tuple[int, ...]
    dtype: str
    nan: int
    posinf: int
    neginf: int
    zeros: int

    @property
    def finite(self) -> bool:
        """True when the value holds no NaN and no infinity."""
        return self.nan == 0 and self.posinf == 0 and self.neginf == 0

    def to_json(self) -> dict[str, Any]:
        """A plain dict (for the widget's history summary)."""
        return {
            "shape": list(self.shape),
            "dtype": self.dtype,
            "nan": self.nan,
            "posinf": self.posinf,
            "neginf": self.neginf,
            "zeros": self.zeros,
        }


_NAMES: dict[np.dtype[Any], str] = {}  # dtype.name is slow to compute (µs): once per dtype


def all_finite(x: Any) -> bool:
    """True when x (array or scalar) holds no NaN/Inf."""
    with np.errstate(all="ignore"):
        return _finite(x if type(x) is np.ndarray else np.asarray(x))


def _finite(a: Any) -> bool:
    """One elementwise pass (faster than a sum, and no overflow to mistake for an Inf)."""
    if a.dtype.kind not in "fc":
        return True
    return bool(np.isfinite(a).all())


def health(x: Any) -> Health:
    """The Health of a value (numpy's warnings silenced)."""
    with np.errstate(all="ignore"):
        return raw_health(x)


def raw_health(x: Any) -> Health:
    """The Health of a value; the caller silences numpy's warnings (the session's loop does it
    once per run). The non-finite counts are only computed when some exist."""
    a = x if type(x) is np.ndarray else np.asarray(x)
    # counting a float array's nonzeros is ~10x slower than counting a comparison's Trues
    zeros = (
        int(np.count_nonzero(a == 0)) if a.dtype.kind in "fc" else a.size - int(np.count_nonzero(a))
    )
    dt = a.dtype
    name = _NAMES.get(dt)
    if name is None:
        name = _NAMES[dt] = dt.name
    if _finite(a):
        return Health(a.shape, name, 0, 0, 0, zeros)
    return Health(
        a.shape,
        name,
        int(np.count_nonzero(np.isnan(a))),
        int(np.count_nonzero(np.isposinf(a))),
        int(np.count_nonzero(np.isneginf(a))),
        zeros,
    )


def stats(x: Any) -> dict[str, Any]:
    """Shape, dtype, finite min/max/mean and special counts: what a person reads about inputs."""
    a = np.asarray(x)
    h = health(a)
    out: dict[str, Any] = {**h.to_json(), "min": None, "max": None, "mean": None}
    if a.dtype.kind in "biuf" and a.size:
        fin = a[np.isfinite(a)] if a.dtype.kind == "f" else a
        if fin.size:
            out.update(min=float(fin.min()), max=float(fin.max()), mean=float(fin.mean()))
    return out
