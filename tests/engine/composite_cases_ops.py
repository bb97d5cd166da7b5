"""Cases for issue 13's composites (activations, math, shape ops, reductions, isclose), merged
into test_composite_gradients.CASES: each draws inputs, calls the composite and gives a numpy
reference; the checks there compare forward values and first/second-order gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

import vizflow_engine as vf
from vizflow_engine.registry import COMPOSITES

from .test_composite_gradients import Arrays, Call, _seed, _shape, _values


def _fn(name: str) -> Callable[..., Any]:
    return COMPOSITES[name].fn


def _unary(
    name: str, ref: Callable[[np.ndarray], Any], min_dims: int = 0, **kw: Any
) -> st.SearchStrategy[Call]:
    @st.composite
    def case(draw: Any) -> Call:
        a = _values(_seed(draw), _shape(draw, min_dims))
        return Call([a], lambda t: _fn(name)(t[0], **kw), lambda a: ref(a[0]), smooth=True)

    return case()


def _softmax(a: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(a - a.max(axis, keepdims=True))
    return np.asarray(e / e.sum(axis, keepdims=True))


_SELU_A, _SELU_S = 1.6732632423543772, 1.0507009873554805


@st.composite
def _softmin(draw: Any) -> Call:
    shape = _shape(draw, 1, 3, 1)
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    a = _values(_seed(draw), shape)
    return Call(
        [a], lambda t: _fn("softmin")(t[0], dim), lambda a: _softmax(-a[0], dim), smooth=True
    )


@st.composite
def _glu(draw: Any) -> Call:
    shape = list(_shape(draw, 1, 3, 1))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    shape[dim] *= 2
    a = _values(_seed(draw), tuple(shape))

    def ref(arrs: Arrays) -> np.ndarray:
        x, y = np.split(arrs[0], 2, dim)
        return np.asarray(x / (1 + np.exp(-y)))

    return Call([a], lambda t: _fn("glu")(t[0], dim), ref, smooth=True)


@st.composite
def _prelu(draw: Any) -> Call:
    rng = _seed(draw)
    shape = (draw(st.integers(0, 2)), draw(st.integers(1, 3)), draw(st.integers(0, 3)))
    c = shape[1] if draw(st.booleans()) else 1
    x, w = _values(rng, shape), rng.uniform(0.05, 0.5, (c,))

    def ref(a: Arrays) -> np.ndarray:
        wb = a[1].reshape(-1, 1) if c > 1 else a[1].reshape(())
        return np.asarray(np.where(a[0] > 0, a[0], wb * a[0]))

    return Call([x, w], lambda t: _fn("prelu")(t[0], t[1]), ref, smooth=True)


@st.composite
def _binary(draw: Any, name: str, ref: Callable[..., Any], n: int = 2) -> Call:
    rng = _seed(draw)
    shape = _shape(draw)
    arrays = [_values(rng, shape) for _ in range(n)]
    return Call(arrays, lambda t: _fn(name)(*t), lambda a: ref(*a), smooth=True)


def _logaddexp(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.asarray(np.logaddexp(x, y))


@st.composite
def _roll(draw: Any) -> Call:
    shape = _shape(draw, 0, 3)
    a = _values(_seed(draw), shape)
    if not shape or draw(st.booleans()):
        k = draw(st.integers(-5, 5))
        return Call([a], lambda t: _fn("roll")(t[0], k), lambda a: np.roll(a[0], k), smooth=True)
    dims = tuple(draw(st.sets(st.integers(0, len(shape) - 1), min_size=1)))
    shifts = tuple(draw(st.integers(-4, 4)) for _ in dims)
    return Call(
        [a],
        lambda t: _fn("roll")(t[0], shifts, dims),
        lambda a: np.roll(a[0], shifts, dims),
        smooth=True,
    )


@st.composite
def _repeat(draw: Any) -> Call:
    shape = _shape(draw, 0, 2)
    reps = tuple(draw(st.integers(0, 3)) for _ in range(len(shape) + draw(st.integers(0, 1))))
    a = _values(_seed(draw), shape)
    return Call(
        [a], lambda t: _fn("repeat")(t[0], *reps), lambda a: np.tile(a[0], reps), smooth=True
    )


@st.composite
def _tile(draw: Any) -> Call:
    shape = _shape(draw, 0, 3)
    reps = tuple(draw(st.lists(st.integers(0, 3), min_size=0, max_size=3)))
    a = _values(_seed(draw), shape)
    return Call([a], lambda t: _fn("tile")(t[0], reps), lambda a: np.tile(a[0], reps), smooth=True)


@st.composite
def _repeat_interleave(draw: Any) -> Call:
    shape = _shape(draw, 1, 3)
    a = _values(_seed(draw), shape)
    dim = draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    n = a.size if dim is None else shape[dim]
    reps: Any = (
        draw(st.integers(0, 3))
        if draw(st.booleans())
        else np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), dtype=np.int64)
    )
    return Call(
        [a],
        lambda t: _fn("repeat_interleave")(
            t[0], reps if isinstance(reps, int) else vf.tensor(reps), dim
        ),
        lambda a: np.repeat(a[0], reps, dim),
        smooth=True,
    )


@st.composite
def _chunk(draw: Any) -> Call:
    shape = _shape(draw, 1, 3, 1)
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    chunks = draw(st.integers(1, 4))
    a = _values(_seed(draw), shape)
    n = shape[dim]
    size = -(-n // chunks)
    cuts = list(range(size, n, size))
    return Call(
        [a],
        lambda t: list(_fn("chunk")(t[0], chunks, dim)),
        lambda a: np.split(a[0], cuts, dim),
        smooth=True,
    )


@st.composite
def _unflatten(draw: Any) -> Call:
    outer, inner = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    lead = _shape(draw, 0, 1, 1)
    a = _values(_seed(draw), (*lead, outer * inner))
    sizes = (outer, -1) if draw(st.booleans()) else (outer, inner)
    return Call(
        [a],
        lambda t: _fn("unflatten")(t[0], -1, sizes),
        lambda a: a[0].reshape((*lead, outer, inner)),
        smooth=True,
    )


@st.composite
def _unfold(draw: Any) -> Call:
    shape = _shape(draw, 1, 3, 1)
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    size, step = draw(st.integers(0, shape[dim])), draw(st.integers(1, 3))
    a = _values(_seed(draw), shape)

    def ref(arrs: Arrays) -> np.ndarray:
        x = np.moveaxis(arrs[0], dim, -1)
        n = (x.shape[-1] - size) // step + 1
        wins = np.stack([x[..., i * step : i * step + size] for i in range(n)], -2)
        return np.asarray(np.moveaxis(wins, -2, dim % len(shape)))

    return Call([a], lambda t: _fn("unfold")(t[0], dim, size, step), ref, smooth=True)


@st.composite
def _movedim(draw: Any) -> Call:
    shape = _shape(draw, 1, 3)
    nd = len(shape)
    k = draw(st.integers(1, nd))
    src = tuple(draw(st.permutations(range(nd)))[:k])
    dst = tuple(draw(st.permutations(range(nd)))[:k])
    a = _values(_seed(draw), shape)
    return Call(
        [a],
        lambda t: _fn("movedim")(t[0], src, dst),
        lambda a: np.moveaxis(a[0], src, dst),
        smooth=True,
    )


@st.composite
def _narrow(draw: Any) -> Call:
    shape = _shape(draw, 1, 3)
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[dim]
    start = draw(st.integers(0, n))
    length = draw(st.integers(0, n - start))
    a = _values(_seed(draw), shape)

    def ref(arrs: Arrays) -> np.ndarray:
        return np.asarray(np.take(arrs[0], np.arange(start, start + length), dim))

    return Call([a], lambda t: _fn("narrow")(t[0], dim, start, length), ref, smooth=True)


@st.composite
def _expand_as(draw: Any) -> Call:
    shape = _shape(draw, 0, 2)
    full = (draw(st.integers(0, 2)), *shape)
    small = tuple(d if draw(st.booleans()) else 1 for d in shape)
    a = _values(_seed(draw), small)
    other = vf.zeros(full)
    return Call(
        [a],
        lambda t: _fn("expand_as")(t[0], other),
        lambda a: np.broadcast_to(a[0], full),
        smooth=True,
    )


@st.composite
def _diagonal(draw: Any) -> Call:
    shape = _shape(draw, 2, 3)
    nd = len(shape)
    d1, d2 = draw(st.permutations(range(nd)))[:2]
    off = draw(st.integers(-3, 3))
    a = _values(_seed(draw), shape)
    return Call(
        [a],
        lambda t: _fn("diagonal")(t[0], off, d1, d2),
        lambda a: np.diagonal(a[0], off, d1, d2),
        smooth=True,
    )


@st.composite
def _diag(draw: Any) -> Call:
    shape = _shape(draw, 1, 2)
    k = draw(st.integers(-2, 2))
    a = _values(_seed(draw), shape)
    return Call([a], lambda t: _fn("diag")(t[0], k), lambda a: np.diag(a[0], k), smooth=True)


@st.composite
def _meshgrid(draw: Any) -> Call:
    rng = _seed(draw)
    arrays = [_values(rng, (draw(st.integers(0, 3)),)) for _ in range(draw(st.integers(1, 3)))]
    indexing = draw(st.sampled_from(["ij", "xy"]))
    return Call(
        arrays,
        lambda t: list(_fn("meshgrid")(*t, indexing=indexing)),
        lambda a: np.meshgrid(*a, indexing=indexing),
        smooth=True,
    )


def _dim(draw: Any, nd: int) -> Any:
    """None, an int, or a tuple of distinct dims."""
    if nd == 0:
        return None
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-nd, nd - 1))
    return tuple(draw(st.sets(st.integers(0, nd - 1), min_size=1)))


@st.composite
def _moments(draw: Any, name: str) -> Call:
    shape = _shape(draw, 0, 3, 2)
    dim, keep = _dim(draw, len(shape)), draw(st.booleans())
    a = _values(_seed(draw), shape)

    def ref(arrs: Arrays) -> list[np.ndarray]:
        v = arrs[0].var(dim, ddof=1, keepdims=keep)
        return [np.sqrt(v) if name == "std_mean" else v, arrs[0].mean(dim, keepdims=keep)]

    return Call(
        [a], lambda t: list(_fn(name)(t[0], dim, keepdim=keep)), ref, smooth=name == "var_mean"
    )


@st.composite
def _extreme(draw: Any, name: str) -> Call:
    shape = _shape(draw, 0, 3, 1)
    dim, keep = _dim(draw, len(shape)), draw(st.booleans())
    a = _values(_seed(draw), shape)
    np_fn = {"amax": np.max, "amin": np.min}
    if name == "aminmax":
        d = dim if not isinstance(dim, tuple) else None
        return Call(
            [a],
            lambda t: list(_fn("aminmax")(t[0], dim=d, keepdim=keep)),
            lambda a: [np.min(a[0], d, keepdims=keep), np.max(a[0], d, keepdims=keep)],
        )
    return Call(
        [a],
        lambda t: _fn(name)(t[0], dim if dim is not None else (), keep),
        lambda a: np_fn[name](a[0], dim, keepdims=keep),
    )


@st.composite
def _norm(draw: Any) -> Call:
    shape = _shape(draw, 0, 3, 1)
    dim, keep = _dim(draw, len(shape)), draw(st.booleans())
    p = draw(st.sampled_from([1, 2, 3, 0.5, np.inf, -np.inf, "fro"]))
    a = _values(_seed(draw), shape)

    def ref(arrs: Arrays) -> np.ndarray:
        x = np.abs(arrs[0])
        if p == np.inf:
            return np.asarray(x.max(dim, keepdims=keep))
        if p == -np.inf:
            return np.asarray(x.min(dim, keepdims=keep))
        q = 2.0 if p == "fro" else float(p)
        return np.asarray((x**q).sum(dim, keepdims=keep) ** (1 / q))

    return Call([a], lambda t: _fn("norm")(t[0], p, dim, keep), ref, smooth=p in (2, 3, "fro"))


@st.composite
def _isclose(draw: Any) -> Call:
    rng = _seed(draw)
    shape = _shape(draw)
    a = _values(rng, shape)
    b = a + rng.choice([0.0, 1e-9, 1e-3], shape)
    return Call(
        [a, b],
        lambda t: _fn("isclose")(t[0], t[1]),
        lambda a: np.isclose(a[0], a[1], 1e-5, 1e-8),
        kink=True,
    )


def _frac(a: np.ndarray) -> np.ndarray:
    return np.asarray(a - np.trunc(a))


CASES_OPS: dict[str, st.SearchStrategy[Call]] = {
    "silu": _unary("silu", lambda a: a / (1 + np.exp(-a))),
    "elu": _unary("elu", lambda a: np.where(a > 0, a, 0.7 * np.expm1(a)), alpha=0.7),
    "celu": _unary("celu", lambda a: np.where(a > 0, a, 0.6 * np.expm1(a / 0.6)), alpha=0.6),
    "selu": _unary("selu", lambda a: _SELU_S * np.where(a > 0, a, _SELU_A * np.expm1(a))),
    "mish": _unary("mish", lambda a: a * np.tanh(np.logaddexp(0, a))),
    "hardtanh": _unary("hardtanh", lambda a: np.clip(a, -0.5, 0.8), min_val=-0.5, max_val=0.8),
    "relu6": _unary("relu6", lambda a: np.clip(a, 0, 6)),
    "hardsigmoid": _unary("hardsigmoid", lambda a: np.clip(a / 6 + 0.5, 0, 1)),
    "hardswish": _unary("hardswish", lambda a: a * np.clip(a + 3, 0, 6) / 6),
    "softsign": _unary("softsign", lambda a: a / (1 + np.abs(a))),
    "logsigmoid": _unary("logsigmoid", lambda a: -np.logaddexp(0, -a)),
    "softmin": _softmin(),
    "glu": _glu(),
    "prelu": _prelu(),
    "frac": _unary("frac", _frac),
    "lerp": _binary("lerp", lambda s, e, w: s + w * (e - s), 3),
    "logaddexp": _binary("logaddexp", _logaddexp),
    "roll": _roll(),
    "repeat": _repeat(),
    "tile": _tile(),
    "repeat_interleave": _repeat_interleave(),
    "chunk": _chunk(),
    "unflatten": _unflatten(),
    "unfold": _unfold(),
    "movedim": _movedim(),
    "narrow": _narrow(),
    "expand_as": _expand_as(),
    "diagonal": _diagonal(),
    "diag": _diag(),
    "meshgrid": _meshgrid(),
    "var_mean": _moments("var_mean"),
    "std_mean": _moments("std_mean"),
    "amax": _extreme("amax"),
    "amin": _extreme("amin"),
    "aminmax": _extreme("aminmax"),
    "norm": _norm(),
    "isclose": _isclose(),
}
