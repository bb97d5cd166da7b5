"""Every registered composite, on hypothesis-drawn shapes (size-1 and empty dims, many axes):
forward against a numpy reference, gradients against central finite differences in float64,
and second-order gradients (grad of grad, along a random direction) for the smooth ones.

The table CASES says how to call each composite; a composite missing from it fails
test_every_composite_has_a_case, so a new one is covered as soon as it is registered.
"""

from __future__ import annotations

import importlib
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import erf

import vizflow_engine as vf
from vizflow_engine.registry import COMPOSITES

Arrays = list[np.ndarray]


@dataclass
class Call:
    """One drawn call: float64 inputs to differentiate, the call, its numpy reference."""

    arrays: Arrays
    fn: Callable[[list[vf.Tensor]], Any]
    ref: Callable[[Arrays], Any] | None
    smooth: bool = False  # check second-order gradients too
    kink: bool = False  # at a point where the function has no derivative: check shapes only


def _values(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values in ±[0.2, 1.5]: away from 0 (relu/abs kinks) and distinct (variances > 0)."""
    return np.asarray(rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape))


def _shape(draw: Any, min_dims: int = 0, max_dims: int = 3, min_side: int = 0) -> tuple[int, ...]:
    n = draw(st.integers(min_dims, max_dims))
    return tuple(draw(st.lists(st.integers(min_side, 3), min_size=n, max_size=n)))


def _axis(draw: Any, ndim: int) -> Any:
    """None, one axis (maybe negative) or a tuple of distinct axes."""
    if ndim == 0:
        return None
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    return tuple(draw(st.sets(st.integers(0, ndim - 1), min_size=1, max_size=ndim)))


def _np_axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def _seed(draw: Any) -> np.random.Generator:
    return np.random.default_rng(draw(st.integers(0, 2**16)))


# ---- the table ---------------------------------------------------------------------------


def _elementwise(name: str, ref: Callable[[np.ndarray], np.ndarray], **kw: Any) -> Any:
    @st.composite
    def case(draw: Any) -> Call:
        a = _values(_seed(draw), _shape(draw))
        return Call([a], lambda t: COMPOSITES[name].fn(t[0], **kw), lambda a: ref(a[0]), True)

    return case()


def _gelu_tanh(a: np.ndarray) -> np.ndarray:
    return 0.5 * a * (1 + np.tanh(np.sqrt(2 / np.pi) * (a + 0.044715 * a**3)))


@st.composite
def _reduction(draw: Any, name: str) -> Call:
    shape = _shape(draw)
    a = _values(_seed(draw), shape)
    axis = _axis(draw, len(shape))
    keep = draw(st.booleans())
    kw: dict[str, Any] = {"axis": axis, "keepdims": keep}
    ax = _np_axis(axis)
    if name in ("var", "std"):
        corr = draw(st.sampled_from([0, 1]))
        kw["correction"] = corr
        np_fn = np.var if name == "var" else np.std
        n = math.prod(shape[i] for i in np.atleast_1d(range(len(shape)) if ax is None else ax))
        return Call(
            [a],
            lambda t: COMPOSITES[name].fn(t[0], **kw),
            lambda a: np_fn(a[0], axis=ax, keepdims=keep, ddof=corr),
            smooth=True,
            kink=name == "std" and n == 1,  # √ at a zero variance
        )
    refs = {
        "mean": lambda a: np.mean(a[0], axis=ax, keepdims=keep),
        "logsumexp": lambda a: np.log(np.sum(np.exp(a[0]), axis=ax, keepdims=keep)),
    }
    return Call([a], lambda t: COMPOSITES[name].fn(t[0], **kw), refs[name], name != "mean")


def _np_softmax(a: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(a - (a.max(axis, keepdims=True) if a.shape[axis] else 0.0))
    return e / e.sum(axis, keepdims=True)


def _np_log_softmax(a: np.ndarray, axis: int) -> np.ndarray:
    return a - np.log(np.exp(a).sum(axis, keepdims=True))


@st.composite
def _softmax(draw: Any, name: str) -> Call:
    shape = _shape(draw, min_dims=1)
    a = _values(_seed(draw), shape)
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    ref = _np_softmax if name == "softmax" else _np_log_softmax
    return Call(
        [a], lambda t: COMPOSITES[name].fn(t[0], axis), lambda a: ref(a[0], axis), smooth=True
    )


@st.composite
def _flatten(draw: Any) -> Call:
    shape = _shape(draw, min_dims=1, max_dims=4)
    nd = len(shape)
    s = draw(st.integers(-nd, nd - 1))
    e = draw(st.integers(s % nd, nd - 1)) - draw(st.sampled_from([0, nd]))
    lo, hi = s % nd, e % nd
    out = (*shape[:lo], math.prod(shape[lo : hi + 1]), *shape[hi + 1 :])
    return Call(
        [_values(_seed(draw), shape)],
        lambda t: COMPOSITES["flatten"].fn(t[0], s, e),
        lambda a: a[0].reshape(out),
    )


@st.composite
def _split(draw: Any) -> Call:
    shape = _shape(draw, min_dims=1)
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[axis]
    if draw(st.booleans()) and n:
        size: Any = draw(st.integers(1, n + 1))
        cuts = list(range(size, n, size))
    else:
        size = []
        left = n
        while left:
            size.append(draw(st.integers(0, left)))
            left -= size[-1]
        size.append(0)
        cuts = list(np.cumsum(size)[:-1])
    return Call(
        [_values(_seed(draw), shape)],
        lambda t: COMPOSITES["split"].fn(t[0], size, axis),
        lambda a: np.split(a[0], cuts, axis),
    )


@st.composite
def _swapaxes(draw: Any) -> Call:
    shape = _shape(draw, min_dims=1)
    nd = len(shape)
    i, j = draw(st.integers(-nd, nd - 1)), draw(st.integers(-nd, nd - 1))
    return Call(
        [_values(_seed(draw), shape)],
        lambda t: COMPOSITES["swapaxes"].fn(t[0], i, j),
        lambda a: np.swapaxes(a[0], i, j),
    )


@st.composite
def _avg_pool2d(draw: Any) -> Call:
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    hw = [draw(st.integers(max(1, k[i] - 2 * p[i]), k[i] + 2)) for i in range(2)]
    shape = (draw(st.integers(0, 2)), draw(st.integers(1, 2)), *hw)

    def ref(a: Arrays) -> np.ndarray:
        x = np.pad(a[0], ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
        st_ = s or k
        ho = (x.shape[2] - k[0]) // st_[0] + 1
        wo = (x.shape[3] - k[1]) // st_[1] + 1
        out = np.zeros((*shape[:2], ho, wo))
        for i in range(ho):
            for j in range(wo):
                r, c = i * st_[0], j * st_[1]
                out[:, :, i, j] = x[:, :, r : r + k[0], c : c + k[1]].mean(axis=(2, 3))
        return out

    return Call(
        [_values(_seed(draw), shape)],
        lambda t: COMPOSITES["avg_pool2d"].fn(t[0], k, s, p),
        ref,
    )


@st.composite
def _dropout(draw: Any) -> Call:
    p = draw(st.sampled_from([0.0, 0.3, 1.0]))
    training = draw(st.booleans())
    a = _values(_seed(draw), _shape(draw))

    def fn(t: list[vf.Tensor]) -> Any:
        vf.manual_seed(7)  # the same mask at every call, so finite differences see one function
        return COMPOSITES["dropout"].fn(t[0], p, training)

    def ref(arrs: Arrays) -> np.ndarray:
        if not training or p == 0.0:
            return arrs[0]
        vf.manual_seed(7)
        u = vf.rand_like(vf.tensor(arrs[0])).numpy()
        return arrs[0] * (u >= p) / (1.0 - p) if p < 1.0 else arrs[0] * 0.0

    return Call([a], fn, ref)


@st.composite
def _batch_norm(draw: Any) -> Call:
    rng = _seed(draw)
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 3)), *_shape(draw, 0, 2, 1))
    training = draw(st.booleans())
    affine = draw(st.booleans())
    c = shape[1]
    rm, rv = rng.standard_normal(c), rng.uniform(0.5, 2.0, c)
    arrays = [_values(rng, shape)] + ([_values(rng, (c,)), _values(rng, (c,))] if affine else [])
    bshape = (1, c) + (1,) * (len(shape) - 2)
    axes = (0, *range(2, len(shape)))

    def fn(t: list[vf.Tensor]) -> Any:
        w, b = (t[1], t[2]) if affine else (None, None)
        return COMPOSITES["batch_norm"].fn(
            t[0], vf.tensor(rm.copy()), vf.tensor(rv.copy()), w, b, training
        )

    def ref(a: Arrays) -> np.ndarray:
        x = a[0]
        if training:
            y = (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + 1e-5)
        else:
            y = (x - rm.reshape(bshape)) / np.sqrt(rv.reshape(bshape) + 1e-5)
        return y * a[1].reshape(bshape) + a[2].reshape(bshape) if affine else y

    return Call(arrays, fn, ref, smooth=True)


@st.composite
def _layer_norm(draw: Any) -> Call:
    rng = _seed(draw)
    lead, tail = _shape(draw, 0, 2), _shape(draw, 1, 2, 1)
    affine = draw(st.booleans())
    arrays = [_values(rng, lead + tail)] + (
        [_values(rng, tail), _values(rng, tail)] if affine else []
    )
    axes = tuple(range(len(lead), len(lead) + len(tail)))

    def fn(t: list[vf.Tensor]) -> Any:
        w, b = (t[1], t[2]) if affine else (None, None)
        return COMPOSITES["layer_norm"].fn(t[0], tail, w, b)

    def ref(a: Arrays) -> np.ndarray:
        x = a[0]
        y = (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + 1e-5)
        return y * a[1] + a[2] if affine else y

    return Call(arrays, fn, ref, smooth=True)


@st.composite
def _embedding(draw: Any) -> Call:
    rng = _seed(draw)
    n, d = draw(st.integers(1, 4)), draw(st.integers(0, 3))
    idx = rng.integers(0, n, _shape(draw, 0, 2))
    pad = draw(st.none() | st.integers(-n, n - 1))

    def ref(a: Arrays) -> np.ndarray:
        out = a[0][idx]
        return out if pad is None else out * (idx != pad % n)[..., None]

    return Call(
        [_values(rng, (n, d))],
        lambda t: COMPOSITES["embedding"].fn(vf.tensor(idx), t[0], pad),
        ref,
    )


@st.composite
def _nll_loss(draw: Any) -> Call:
    rng = _seed(draw)
    n, c = draw(st.integers(0, 4)), draw(st.integers(1, 4))
    target = np.where(rng.random(n) < 0.25, -100, rng.integers(0, c, n))
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))

    def ref(a: Arrays) -> Any:
        valid = target != -100
        loss = np.where(valid, -a[0][np.arange(n), np.where(valid, target, 0)], 0.0)
        if reduction == "none":
            return loss
        if reduction == "sum":
            return loss.sum()
        return loss.sum() / valid.sum() if valid.any() else np.nan  # PyTorch: nan

    return Call(
        [_values(rng, (n, c))],
        lambda t: COMPOSITES["nll_loss"].fn(t[0], vf.tensor(target), reduction=reduction),
        ref,
    )


def _reduce(loss: np.ndarray, reduction: str) -> Any:
    if reduction == "none":
        return loss
    return loss.mean() if reduction == "mean" else loss.sum()


@st.composite
def _mse_loss(draw: Any) -> Call:
    rng = _seed(draw)
    shape = _shape(draw)
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    return Call(
        [_values(rng, shape), _values(rng, shape)],
        lambda t: COMPOSITES["mse_loss"].fn(t[0], t[1], reduction),
        lambda a: _reduce((a[0] - a[1]) ** 2, reduction),
        smooth=True,
    )


@st.composite
def _bce_with_logits(draw: Any) -> Call:
    rng = _seed(draw)
    shape = _shape(draw, min_dims=1)
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    pw = rng.uniform(0.5, 2.0, shape[-1:]) if draw(st.booleans()) else None

    def ref(a: Arrays) -> Any:
        x, y = a
        logsig, log1msig = -np.logaddexp(0, -x), -np.logaddexp(0, x)
        w = 1.0 if pw is None else pw
        return _reduce(-(w * y * logsig + (1 - y) * log1msig), reduction)

    return Call(
        [_values(rng, shape), np.asarray(rng.uniform(0, 1, shape))],
        lambda t: COMPOSITES["binary_cross_entropy_with_logits"].fn(
            t[0], t[1], reduction, None if pw is None else vf.tensor(pw)
        ),
        ref,
        smooth=True,
    )


CASES: dict[str, st.SearchStrategy[Call]] = {
    "sigmoid": _elementwise("sigmoid", lambda a: 1 / (1 + np.exp(-a))),
    "softplus": _elementwise("softplus", lambda a: np.logaddexp(0, a)),
    "gelu": _elementwise("gelu", lambda a: a * 0.5 * (1 + erf(a / np.sqrt(2)))),
    "mean": _reduction("mean"),
    "var": _reduction("var"),
    "std": _reduction("std"),
    "logsumexp": _reduction("logsumexp"),
    "softmax": _softmax("softmax"),
    "log_softmax": _softmax("log_softmax"),
    "flatten": _flatten(),
    "split": _split(),
    "swapaxes": _swapaxes(),
    "avg_pool2d": _avg_pool2d(),
    "dropout": _dropout(),
    "batch_norm": _batch_norm(),
    "layer_norm": _layer_norm(),
    "embedding": _embedding(),
    "nll_loss": _nll_loss(),
    "mse_loss": _mse_loss(),
    "binary_cross_entropy_with_logits": _bce_with_logits(),
}
EXTRA = {"gelu(tanh)": _elementwise("gelu", _gelu_tanh, approximate="tanh")}
CASES.update(importlib.import_module("tests.engine.composite_cases_ops").CASES_OPS)  # issue 13
CASES.update(importlib.import_module("tests.engine.composite_cases_d2").CASES_D2)  # issue 13, D2


# ---- the checks --------------------------------------------------------------------------


def _outs(out: Any) -> list[vf.Tensor]:
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _loss(outs: list[vf.Tensor], weights: list[np.ndarray]) -> Any:
    """Σ w·out with fixed random weights (a plain sum hides softmax's gradient)."""
    return sum(((o * vf.tensor(w)).sum() for o, w in zip(outs, weights, strict=True)), 0.0)


def _eval(call: Call, arrays: Arrays, weights: list[np.ndarray]) -> float:
    with vf.no_grad():
        out = _outs(call.fn([vf.tensor(a) for a in arrays]))
    return float(sum((o.numpy() * w).sum() for o, w in zip(out, weights, strict=True)))


def _grads(call: Call, arrays: Arrays, weights: list[np.ndarray], create: bool) -> Any:
    xs = [vf.tensor(a, requires_grad=True) for a in arrays]
    loss = _loss(_outs(call.fn(xs)), weights)
    if not isinstance(loss, vf.Tensor) or not loss.requires_grad:  # every output empty
        return xs, [np.zeros_like(a) for a in arrays]
    return xs, vf.grad(loss, xs, create_graph=create, allow_unused=True)


def _as_np(g: Any, like: np.ndarray) -> np.ndarray:
    return np.zeros_like(like) if g is None else np.asarray(g.numpy() if hasattr(g, "numpy") else g)


def check(call: Call) -> None:
    """Forward vs reference, first-order vs finite differences, second order when smooth."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # empty means, 0/0 variances: nan
        outs = _outs(call.fn([vf.tensor(a) for a in call.arrays]))
        if call.ref is not None:
            refs = _outs(call.ref(call.arrays))
            assert len(outs) == len(refs)
            for o, r in zip(outs, refs, strict=True):
                assert o.shape == np.shape(r), (o.shape, np.shape(r))
                np.testing.assert_allclose(o.numpy(), r, rtol=1e-9, atol=1e-12)
        finite = all(np.all(np.isfinite(o.numpy())) for o in outs)
        rng = np.random.default_rng(0)
        weights = [rng.standard_normal(o.shape) for o in outs]
        _, grads = _grads(call, call.arrays, weights, create=False)
    for g, a in zip(grads, call.arrays, strict=True):
        assert _as_np(g, a).shape == a.shape
    if not finite or call.kink:
        return
    eps = 1e-6
    for g, a in zip(grads, call.arrays, strict=True):
        num = np.zeros_like(a)
        for j in range(a.size):
            a.flat[j] += eps
            hi = _eval(call, call.arrays, weights)
            a.flat[j] -= 2 * eps
            lo = _eval(call, call.arrays, weights)
            a.flat[j] += eps
            num.flat[j] = (hi - lo) / (2 * eps)
        np.testing.assert_allclose(_as_np(g, a), num, rtol=1e-5, atol=1e-6)
    if call.smooth and any(a.size for a in call.arrays):
        _check_second_order(call, weights, rng)


def _check_second_order(call: Call, weights: list[np.ndarray], rng: np.random.Generator) -> None:
    """d/dε [∇f(a + εu) · v] by central differences against the graph of ∇f, differentiated."""
    us = [rng.standard_normal(a.shape) for a in call.arrays]
    vs = [rng.standard_normal(a.shape) for a in call.arrays]

    def gv(arrays: Arrays) -> float:
        _, gs = _grads(call, arrays, weights, create=False)
        return float(sum((_as_np(g, a) * v).sum() for g, a, v in zip(gs, arrays, vs, strict=True)))

    xs, gs = _grads(call, call.arrays, weights, create=True)
    inner = [(g * vf.tensor(v)).sum() for g, v in zip(gs, vs, strict=True) if g is not None]
    total = sum(inner[1:], inner[0])
    if not total.requires_grad:  # ∇f does not depend on the inputs: second order is 0
        hvp = [np.zeros_like(a) for a in call.arrays]
    else:
        hvp = [
            _as_np(h, a)
            for h, a in zip(vf.grad(total, xs, allow_unused=True), call.arrays, strict=True)
        ]
    analytic = sum(float((h * u).sum()) for h, u in zip(hvp, us, strict=True))
    eps = 1e-5
    hi = gv([a + eps * u for a, u in zip(call.arrays, us, strict=True)])
    lo = gv([a - eps * u for a, u in zip(call.arrays, us, strict=True)])
    np.testing.assert_allclose(analytic, (hi - lo) / (2 * eps), rtol=1e-4, atol=1e-6)


def test_every_composite_has_a_case() -> None:
    missing = sorted(set(COMPOSITES) - set(CASES))
    assert not missing, f"add a case to tests/engine/test_composite_gradients.py for: {missing}"


@pytest.mark.parametrize("name", sorted({**CASES, **EXTRA}))
def test_composite_forward_and_gradients(name: str) -> None:
    strategy = {**CASES, **EXTRA}[name]

    @settings(max_examples=12, deadline=None, database=None, derandomize=True)
    @given(strategy)
    def run(call: Call) -> None:
        check(call)

    run()
