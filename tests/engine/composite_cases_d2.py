"""Cases for issue 13's scan, sorting and indexing composites (and the nn ones of D2), merged
into test_composite_gradients.CASES: each draws inputs, calls the composite and gives a numpy
reference; the checks there compare forward values and first/second-order gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

import vizflow_engine as vf
from vizflow_engine.registry import COMPOSITES

from .neural_samples_d2 import NEURAL_D2
from .test_composite_gradients import Call, _seed, _shape, _values


def _fn(name: str) -> Callable[..., Any]:
    return COMPOSITES[name].fn


def _along(
    name: str, ref: Callable[[np.ndarray, int], Any], pick: bool = False, **kw: Any
) -> st.SearchStrategy[Call]:
    """x of 1–3 dims and a dim; pick: the composite returns (values, indices), check values."""

    @st.composite
    def case(draw: Any) -> Call:
        shape = _shape(draw, min_dims=1)
        d = draw(st.integers(-len(shape), len(shape) - 1))
        a = _values(_seed(draw), shape)

        def call(t: list[vf.Tensor]) -> Any:
            out = _fn(name)(t[0], d, **kw)
            return out.values if pick else out

        return Call([a], call, lambda arrs: ref(arrs[0], d), smooth=True)

    return case()


def _cumprod(a: np.ndarray, d: int) -> np.ndarray:
    return np.cumprod(a, axis=d)


def _cummax(a: np.ndarray, d: int) -> np.ndarray:
    return np.maximum.accumulate(a, axis=d)


def _cummin(a: np.ndarray, d: int) -> np.ndarray:
    return np.minimum.accumulate(a, axis=d)


def _logcumsumexp(a: np.ndarray, d: int) -> np.ndarray:
    return np.log(np.cumsum(np.exp(a), axis=d))


@st.composite
def _nonempty_dim(draw: Any) -> tuple[np.ndarray, int, int]:
    """x with every side ≥ 1, a dim and its size."""
    shape = _shape(draw, min_dims=1, min_side=1)
    d = draw(st.integers(0, len(shape) - 1))
    return _values(_seed(draw), shape), d, shape[d]


@st.composite
def _kthvalue(draw: Any) -> Call:
    a, d, n = draw(_nonempty_dim())
    k = draw(st.integers(1, n))
    keep = draw(st.booleans())
    return Call(
        [a],
        lambda t: _fn("kthvalue")(t[0], k, d, keep).values,
        lambda arrs: np.take(np.sort(arrs[0], d), [k - 1] if keep else k - 1, axis=d),
        smooth=True,
    )


@st.composite
def _median(draw: Any) -> Call:
    a, d, n = draw(_nonempty_dim())
    if draw(st.booleans()):
        return Call(
            [a],
            lambda t: _fn("median")(t[0]),
            lambda arrs: np.sort(arrs[0].ravel())[(arrs[0].size - 1) // 2],
            smooth=True,
        )
    return Call(
        [a],
        lambda t: _fn("median")(t[0], d).values,
        lambda arrs: np.take(np.sort(arrs[0], d), (n - 1) // 2, axis=d),
        smooth=True,
    )


@st.composite
def _mode(draw: Any) -> Call:
    a, d, _ = draw(_nonempty_dim())
    a = np.round(a * 2) / 2  # repeats, so counts differ

    def ref(arrs: list[np.ndarray]) -> Any:
        moved = np.moveaxis(arrs[0], d, -1)
        out = np.zeros(moved.shape[:-1])
        for at in np.ndindex(out.shape):
            vals, counts = np.unique(moved[at], return_counts=True)
            out[at] = vals[np.argmax(counts)]
        return out

    # ties make finite differences meaningless: values here, gradients vs torch elsewhere
    return Call([a], lambda t: _fn("mode")(t[0], d).values, ref, kink=True)


@st.composite
def _take_along_dim(draw: Any) -> Call:
    a, d, n = draw(_nonempty_dim())
    rng = _seed(draw)
    shape = list(a.shape)
    shape[d] = draw(st.integers(0, 4))
    idx = rng.integers(0, n, shape)
    return Call(
        [a],
        lambda t: _fn("take_along_dim")(t[0], vf.tensor(idx), d),
        lambda arrs: np.take_along_axis(arrs[0], idx, d),
        smooth=True,
    )


@st.composite
def _index_select(draw: Any) -> Call:
    a, d, n = draw(_nonempty_dim())
    idx = _seed(draw).integers(0, n, draw(st.integers(0, 4)))
    return Call(
        [a],
        lambda t: _fn("index_select")(t[0], d, vf.tensor(idx)),
        lambda arrs: np.take(arrs[0], idx, axis=d),
        smooth=True,
    )


@st.composite
def _sort(draw: Any) -> Call:
    shape = _shape(draw, min_dims=1)
    d = draw(st.integers(-len(shape), len(shape) - 1))
    desc = draw(st.booleans())
    a = _values(_seed(draw), shape)

    def ref(arrs: list[np.ndarray]) -> Any:
        s = np.sort(arrs[0], d)
        return np.flip(s, d) if desc else s

    return Call([a], lambda t: _fn("sort")(t[0], d, desc).values, ref, smooth=True)


CASES_D2: dict[str, st.SearchStrategy[Call]] = {
    "cumprod": _along("cumprod", _cumprod),
    "cummax": _along("cummax", _cummax, pick=True),
    "cummin": _along("cummin", _cummin, pick=True),
    "logcumsumexp": _along("logcumsumexp", _logcumsumexp),
    "sort": _sort(),
    "kthvalue": _kthvalue(),
    "median": _median(),
    "mode": _mode(),
    "take_along_dim": _take_along_dim(),
    "index_select": _index_select(),
}

# the nn composites: the neural table's inputs (every input differentiated), torch references
CASES_D2.update(
    {
        op: st.just(
            Call(
                [a.copy() for a in inputs],
                lambda t, fn=fn: fn(*t),
                lambda a, ref=ref: ref(*a),
                smooth=second,
            )
        )
        for op, fn, inputs, ref, _, second in NEURAL_D2
    }
)
