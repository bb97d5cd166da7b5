"""Cheap always-on value summaries: shape, dtype and counts of NaN, ±Inf and zeros."""

from __future__ import annotations

from typing import Any

import numpy as np


class Health:
    """What a value looked like, without keeping it: shape, dtype and special-value counts.

    The zero count may be pending (see pending_health): it is counted from a copy of the value
    that nothing writes (the history's) on first read, and the history settles it before it
    lets that copy go, so a step costs one finite test and the counts stay exact. A step the
    fast continue ran beyond the history's values has its count in its stretch (counted for
    the whole stretch at once, on first read, by running it again): `of` is (stretch, position),
    the stretch's zeros_at(position) gives it."""

    __slots__ = ("__weakref__", "_of", "_zeros", "dtype", "nan", "neginf", "posinf", "shape")

    def __init__(
        self,
        shape: tuple[int, ...],
        dtype: str,
        nan: int,
        posinf: int,
        neginf: int,
        zeros: int | None,
        of: Any = None,
    ) -> None:
        """zeros: the count, or None when it is pending, to be counted from the array `of`."""
        self.shape = shape
        self.dtype = dtype
        self.nan = nan
        self.posinf = posinf
        self.neginf = neginf
        self._zeros = zeros
        self._of = of

    @property
    def zeros(self) -> int:
        """How many elements are zero (counted now if pending)."""
        of = self._of  # read first: settle() sets _zeros before it clears _of
        z = self._zeros
        if z is None:
            z = of[0].zeros_at(of[1]) if type(of) is tuple else count_zeros(of)
            # the history may have settled it meanwhile (on another thread) and reused `of`
            # for another value: then its count is the one counted before that
            if self._zeros is None:
                self._zeros = z
                self._of = None
            else:
                z = self._zeros
        return z

    @property
    def pending(self) -> bool:
        """Whether the zero count is still to be counted from the array it refers to."""
        return self._zeros is None

    def count_from(self, a: Any) -> None:
        """Count pending zeros from `a` when read (an unchanging copy of the value)."""
        if self._zeros is None:
            self._of = a

    def settle(self) -> None:
        """Count a pending zero count now, and let go of the array it was counted from."""
        if self._zeros is None:
            _ = self.zeros  # counted from a copy, or by the stretch
        self._of = None

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

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Health) and self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]  # mutable (a pending count), like a dataclass

    def __repr__(self) -> str:
        return (
            f"Health(shape={self.shape}, dtype={self.dtype!r}, nan={self.nan}, "
            f"posinf={self.posinf}, neginf={self.neginf}, zeros={self.zeros})"
        )


_NAMES: dict[np.dtype[Any], str] = {}  # dtype.name is slow to compute (µs): once per dtype


def all_finite(x: Any) -> bool:
    """True when x (array or scalar) holds no NaN/Inf."""
    with np.errstate(all="ignore"):
        return finite_array(x if type(x) is np.ndarray else np.asarray(x))


_BLAS_DTYPES = frozenset(np.dtype(t) for t in ("float32", "float64", "complex64", "complex128"))
# the sizes a dot is used for: below, isfinite's pass costs no more than the call; above,
# both are bound by memory and the dot would wake BLAS's threads
_BLAS_SIZES = range(256, 1 << 14)
_ZEROS: dict[tuple[int, np.dtype[Any]], Any] = {}  # zero vectors by (size, dtype), for finite_array
_ZEROS_KEPT = 16  # at most 16 x 256 KiB


def finite_array(a: Any) -> bool:
    """Whether an array holds no NaN/Inf, in one pass that allocates nothing where it can (the
    caller silences numpy's warnings).

    A BLAS dot product with zeros is 0 exactly when every element is finite (0 * x is ±0 for
    any finite x, even the largest: nothing can overflow; 0 * NaN and 0 * ±Inf are NaN, and a
    sum with a NaN is NaN): half the cost of isfinite(a).all(), which writes a bool array."""
    dt = a.dtype
    if dt.kind not in "fc":
        return True
    if dt not in _BLAS_DTYPES or a.size not in _BLAS_SIZES or not a.flags.c_contiguous:
        return bool(np.isfinite(a).all())
    key = (a.size, dt)
    zeros = _ZEROS.get(key)
    if zeros is None:
        if len(_ZEROS) >= _ZEROS_KEPT:
            _ZEROS.clear()
        zeros = _ZEROS[key] = np.zeros(a.size, dt)
    # ±0 (falsy) when every element is finite, else NaN (truthy); ndarray.dot skips dispatch
    return not (a if a.ndim == 1 else a.reshape(-1)).dot(zeros)


def health(x: Any) -> Health:
    """The Health of a value, counted now (numpy's warnings silenced)."""
    with np.errstate(all="ignore"):
        h = pending_health(x)
        h.settle()
    return h


def pending_health(x: Any) -> Health:
    """The Health of a value with its zero count pending, to be counted from x itself: the
    caller settles it before x changes, or points it at an unchanging copy (count_from). The
    non-finite counts are computed here, and only when some exist; the caller silences numpy."""
    a = x if type(x) is np.ndarray else np.asarray(x)
    name = dtype_name(a.dtype)
    if finite_array(a):
        return Health(a.shape, name, 0, 0, 0, None, a)
    return Health(
        a.shape,
        name,
        int(np.count_nonzero(np.isnan(a))),
        int(np.count_nonzero(np.isposinf(a))),
        int(np.count_nonzero(np.isneginf(a))),
        None,
        a,
    )


def dtype_name(dt: np.dtype[Any]) -> str:
    """A dtype's name (cached: computing it costs µs)."""
    name = _NAMES.get(dt)
    if name is None:
        name = _NAMES[dt] = dt.name
    return name


def known_finite_health(a: Any) -> Health:
    """The Health of an array known to hold no NaN/Inf (the fast continue's FP flags vouch for
    it), its zero count pending as in pending_health."""
    return Health(a.shape, dtype_name(a.dtype), 0, 0, 0, None, a)


def count_zeros(a: Any) -> int:
    """How many elements of an array are zero (-0.0 included)."""
    # counting a float array's nonzeros is ~10x slower than counting a comparison's Trues
    if a.dtype.kind in "fc":
        return int(np.count_nonzero(a == 0))
    return int(a.size - np.count_nonzero(a))


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
