"""Sample entries (merged into op_samples.SAMPLES via test_nn_op_samples.NEURAL_SAMPLES) for the
primitives of ops/scans.py, ops/sorting.py and ops/scatter.py: drawn inputs and params, and a
numpy reference written one element at a time."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .op_samples import Case, Sample


def _rng(draw: st.DrawFn) -> np.random.Generator:
    return np.random.default_rng(draw(st.integers(0, 2**31)))


@st.composite
def scan_case(draw: st.DrawFn, ties: bool = False) -> Case:
    """x of 1–3 dims (sides 0–3) and a dim to scan or sort along."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4))
    rng = _rng(draw)
    x = rng.integers(-2, 3, shape).astype(float) if ties else rng.uniform(-1.5, 1.5, shape)
    return Case((x,), {"axis": draw(st.integers(0, len(shape) - 1))})


@st.composite
def index_case(draw: st.DrawFn, src: bool, unique: bool = False, **params: Any) -> Case:
    """x, an in-range int64 index along a drawn axis (no larger than x elsewhere) and src."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    axis = draw(st.integers(0, len(shape) - 1))
    n = shape[axis]
    ishape = [draw(st.integers(0, s)) for s in shape]
    ishape[axis] = draw(st.integers(0, n if unique else 4))
    rng = _rng(draw)
    x = rng.uniform(-1.5, 1.5, shape)
    if unique:  # each line along axis: distinct targets (a cut of a permutation)
        perm = np.argsort(rng.random((*ishape[:axis], n, *ishape[axis + 1 :])), axis)
        index = np.take(perm, np.arange(ishape[axis]), axis=axis).astype(np.int64)
    else:
        index = rng.integers(0, n, ishape).astype(np.int64)
    inputs: tuple[Any, ...] = (x, index)
    if src:
        inputs += (rng.uniform(-1.5, 1.5, ishape) * rng.choice([-1.0, 1.0], ishape),)
    return Case(inputs, {"axis": axis, **params})


def ref_cumsum(x: np.ndarray, axis: int) -> np.ndarray:
    out = np.zeros_like(x)
    for i in range(x.shape[axis]):
        here = (slice(None),) * axis + (slice(i, i + 1),)
        out[here] = np.take(x, np.arange(i + 1), axis=axis).sum(axis, keepdims=True)
    return out


def ref_argsort(x: np.ndarray, axis: int, descending: bool, stable: bool) -> np.ndarray:
    """Stable order by value (largest first when descending), ties by position, via lexsort."""
    moved = np.moveaxis(x, axis, -1)
    out = np.zeros(moved.shape, dtype=np.int64)
    for at in np.ndindex(moved.shape[:-1]):
        row = moved[at]
        out[at] = np.lexsort((np.arange(row.size), -row if descending else row))
    return np.moveaxis(out, -1, axis)


def _targets(index: np.ndarray, axis: int) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """(place in index, place in x) pairs: x's place is index's with axis replaced."""
    pairs = []
    for at in np.ndindex(index.shape):
        to = list(at)
        to[axis] = int(index[at])
        pairs.append((at, tuple(to)))
    return pairs


def ref_gather(x: np.ndarray, index: np.ndarray, axis: int) -> np.ndarray:
    out = np.zeros(index.shape)
    for at, to in _targets(index, axis):
        out[at] = x[to]
    return out


def ref_scatter(
    x: np.ndarray, index: np.ndarray, src: np.ndarray, axis: int, reduce: str | None = None,
    include_self: bool = True,
) -> np.ndarray:  # fmt: skip
    groups: dict[tuple[int, ...], list[float]] = {}
    for at, to in _targets(index, axis):
        groups.setdefault(to, []).append(float(src[at]))
    out = x.copy()
    for to, vals in groups.items():
        if reduce is None:
            out[to] = vals[-1]
            continue
        vals = ([float(x[to])] if include_self else []) + vals
        fns: dict[str, Any] = {"add": sum, "prod": np.prod, "amax": max, "amin": min}
        out[to] = fns[reduce](vals)
    return out


def _reduce_sample(reduce: str) -> Sample:
    cases = st.booleans().flatmap(lambda inc: index_case(True, include_self=inc))
    return Sample(
        cases,
        lambda x, i, s, axis, include_self: ref_scatter(x, i, s, axis, reduce, include_self),
    )


SCAN_SCATTER_SAMPLES: dict[str, Sample] = {
    "cumsum": Sample(scan_case(), ref_cumsum),
    "argsort": Sample(
        st.tuples(scan_case(ties=True), st.booleans()).map(
            lambda cd: Case(cd[0].inputs, {**cd[0].params, "descending": cd[1], "stable": True})
        ),
        ref_argsort,
        second_order=False,
    ),
    "gather": Sample(index_case(False), ref_gather),
    "scatter": Sample(index_case(True, unique=True), ref_scatter),
    "scatter_add": Sample(
        index_case(True), lambda x, i, s, axis: ref_scatter(x, i, s, axis, "add")
    ),
    "scatter_prod": _reduce_sample("prod"),
    "scatter_amax": _reduce_sample("amax"),
    "scatter_amin": _reduce_sample("amin"),
}
