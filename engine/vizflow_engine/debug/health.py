"""Cheap always-on value summaries: shape, dtype and counts of NaN, ±Inf and zeros."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
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


def all_finite(x: Any) -> bool:
    """True when x (array or scalar) holds no NaN/Inf; one reduction on the fast path."""
    a = np.asarray(x)
    if a.dtype.kind not in "fc":
        return True
    with np.errstate(all="ignore"):
        return bool(np.isfinite(a.sum())) or bool(np.isfinite(a).all())


def health(x: Any) -> Health:
    """The Health of a value; the non-finite counts are only computed when some exist."""
    a = np.asarray(x)
    zeros = a.size - int(np.count_nonzero(a))
    if all_finite(a):
        return Health(tuple(a.shape), str(a.dtype), 0, 0, 0, zeros)
    return Health(
        tuple(a.shape),
        str(a.dtype),
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
