"""vf.nn.functional against PyTorch's torch.nn.functional: pad, pooling options, loss edges.

Each behaviour is checked against a numpy reference (always), and against torch itself when
it is importable (those tests skip without it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine import nn
from vizflow_engine.nn import functional as F

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # torch is an optional reference
    torch = None
    TF = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")
R = np.random.default_rng(7)


def _value_and_grad(fn: Callable[[Any], Any], a: np.ndarray, w: np.ndarray | None = None) -> Any:
    """fn(a) and the gradient of Σ fn(a)·w in a, with vizflow; w random when not given."""
    x = vf.tensor(a, dtype="float64", requires_grad=True)
    y = fn(x)
    w = R.standard_normal(y.shape) if w is None else w
    (y * vf.tensor(w)).sum().backward()
    return y.numpy(), x.grad.numpy(), w


def _torch_value_and_grad(fn: Callable[[Any], Any], a: np.ndarray, w: np.ndarray) -> Any:
    t = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    y = fn(t)
    (y * torch.tensor(w)).sum().backward()
    return y.detach().numpy(), t.grad.numpy()


# ---- pad ------------------------------------------------------------------------------------

_NP_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
PAD_CASES = [
    ((3, 4), (1, 2), "reflect"),
    ((2, 3, 4), (2, 1), "replicate"),
    ((1, 2, 3, 4), (1, 2, 0, 2), "circular"),
    ((1, 2, 3, 4), (3, 0, 2, 1), "reflect"),
    ((2, 2, 3, 4), (1, 1, 2, 2, 0, 1), "replicate"),
    ((2, 3, 4, 5), (1, 1, 2, 0), "constant"),
    ((2, 3, 4), (1, 1, 1, 1, 1, 1), "constant"),
]


def _np_pad(a: np.ndarray, pad: tuple[int, ...], mode: str, value: float = 0.0) -> np.ndarray:
    """PyTorch's pad order (pairs from the last dim) through numpy's np.pad."""
    widths = [(0, 0)] * a.ndim
    for i in range(len(pad) // 2):
        widths[a.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    if mode == "constant":
        return np.pad(a, widths, constant_values=value)
    return np.pad(a, widths, mode=_NP_MODE[mode])  # type: ignore[call-overload]


@pytest.mark.parametrize(("shape", "pad", "mode"), PAD_CASES)
def test_pad_matches_numpy_and_its_gradient_is_the_adjoint(
    shape: tuple[int, ...], pad: tuple[int, ...], mode: str
) -> None:
    a = R.standard_normal(shape)
    value = 1.5 if mode == "constant" else None
    y, g, w = _value_and_grad(lambda x: F.pad(x, pad, mode, value), a)
    np.testing.assert_allclose(y, _np_pad(a, pad, mode, value or 0.0))
    # pad is affine: the gradient at cell k is Σ w · (pad(e_k) - pad(0))
    base = _np_pad(np.zeros(shape), pad, mode, value or 0.0)
    want = np.zeros(shape)
    for k in np.ndindex(shape):
        e = np.zeros(shape)
        e[k] = 1.0
        want[k] = ((_np_pad(e, pad, mode, value or 0.0) - base) * w).sum()
    np.testing.assert_allclose(g, want)


def test_pad_negative_crops() -> None:
    a = np.arange(12.0).reshape(3, 4)
    y, g, _ = _value_and_grad(lambda x: F.pad(x, (-1, 2, 0, -1)), a, np.ones((2, 5)))
    np.testing.assert_array_equal(y, np.pad(a[:2, 1:], ((0, 0), (0, 2))))
    np.testing.assert_array_equal(g, np.pad(np.ones((2, 3)), ((0, 1), (1, 0))))
    row = vf.tensor(np.arange(5.0)[None])  # PyTorch's results for these
    assert F.pad(row, (-1, 2), "replicate").numpy().tolist() == [[1, 2, 3, 4, 4, 4]]
    assert F.pad(row, (-3, 4), "reflect").numpy().tolist() == [[3, 4, 3, 2, 1, 0]]
    with pytest.raises(ValueError, match="circular"):  # PyTorch wraps the cropped input
        F.pad(row, (-1, 1), "circular")


@pytest.mark.parametrize(
    ("shape", "pad", "kw"),
    [
        ((2, 3), (1, 2, 3), {}),  # odd length
        ((2, 3), (1, 1, 1, 1, 1, 1), {}),  # more pairs than dims
        ((2, 3), (1, 1), {"mode": "mirror"}),
        ((2, 3), (3, 0), {"mode": "reflect"}),  # reflect needs padding < size
        ((2, 3), (4, 0), {"mode": "circular"}),
        ((4,), (1, 1), {"mode": "replicate"}),  # non-constant: batch/channel dims needed
        ((2, 3), (1, 1, 1, 1), {"mode": "reflect"}),
        ((2, 3), (1, 1), {"mode": "reflect", "value": 2.0}),
    ],
)
def test_pad_refuses_what_pytorch_refuses(
    shape: tuple[int, ...], pad: tuple[int, ...], kw: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="pad"):
        F.pad(vf.tensor(np.zeros(shape)), pad, **kw)
    if torch is not None:
        with pytest.raises((RuntimeError, NotImplementedError, ValueError)):
            TF.pad(torch.zeros(shape), pad, **kw)


@needs_torch
@pytest.mark.parametrize(("shape", "pad", "mode"), PAD_CASES)
def test_pad_matches_torch(shape: tuple[int, ...], pad: tuple[int, ...], mode: str) -> None:
    a = R.standard_normal(shape)
    value = 1.5 if mode == "constant" else None
    y, g, w = _value_and_grad(lambda x: F.pad(x, pad, mode, value), a)
    ty, tg = _torch_value_and_grad(lambda t: TF.pad(t, pad, mode, value), a, w)
    np.testing.assert_allclose(y, ty)
    np.testing.assert_allclose(g, tg)


# ---- pooling --------------------------------------------------------------------------------

MAX_CASES: list[tuple[tuple[int, ...], dict[str, Any], tuple[int, int]]] = [
    ((2, 3, 7, 7), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}, (4, 4)),
    ((1, 2, 5, 6), {"kernel_size": 2, "dilation": 2, "padding": 1, "ceil_mode": True}, (3, 4)),
    ((1, 2, 8, 7), {"kernel_size": (3, 2), "stride": (2, 3), "dilation": (2, 1)}, (2, 2)),
    ((1, 1, 6, 6), {"kernel_size": 2}, (3, 3)),
]
AVG_CASES: list[tuple[tuple[int, ...], dict[str, Any], tuple[int, int]]] = [
    ((2, 3, 7, 7), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}, (4, 4)),
    (
        (2, 3, 7, 7),
        {
            "kernel_size": 3,
            "stride": 2,
            "padding": 1,
            "ceil_mode": True,
            "count_include_pad": False,
        },
        (4, 4),
    ),
    ((1, 2, 5, 6), {"kernel_size": 2, "padding": 1, "ceil_mode": True}, (3, 4)),
    ((1, 2, 8, 7), {"kernel_size": (3, 2), "stride": (2, 3), "padding": (1, 0)}, (4, 2)),
    ((1, 2, 8, 7), {"kernel_size": 3, "padding": 1, "divisor_override": 5}, (3, 3)),
]


def _ref_pool(a: np.ndarray, kind: str, kernel_size: Any, **kw: Any) -> np.ndarray:
    """Pooling by its definition, one window at a time, from PyTorch's documented rules."""

    def pair(v: Any) -> tuple[int, int]:
        return (v, v) if isinstance(v, int) else tuple(v)

    k = pair(kernel_size)
    s = pair(kw.get("stride") or k)
    p, d = pair(kw.get("padding", 0)), pair(kw.get("dilation", 1))
    ceil = kw.get("ceil_mode", False)
    n, c, h, w = a.shape

    def size(length: int, i: int) -> int:
        span = length + 2 * p[i] - d[i] * (k[i] - 1) - 1
        o = int(np.ceil(span / s[i]) if ceil else span // s[i]) + 1
        return o - 1 if ceil and (o - 1) * s[i] >= length + p[i] else o

    out = np.empty((n, c, size(h, 0), size(w, 1)))
    for i, j in np.ndindex(out.shape[2:]):
        rows = [i * s[0] - p[0] + d[0] * u for u in range(k[0])]
        cols = [j * s[1] - p[1] + d[1] * v for v in range(k[1])]
        cells = [a[:, :, r, q] for r in rows for q in cols if 0 <= r < h and 0 <= q < w]
        if kind == "max":
            out[:, :, i, j] = np.max(cells, axis=0)
            continue
        padded = sum(-p[0] <= r < h + p[0] and -p[1] <= q < w + p[1] for r in rows for q in cols)
        count = padded if kw.get("count_include_pad", True) else len(cells)
        out[:, :, i, j] = np.sum(cells, axis=0) / (kw.get("divisor_override") or count)
    return out


def _distinct(shape: tuple[int, ...]) -> np.ndarray:
    """Values without ties, so every window has one maximum."""
    return R.permutation(int(np.prod(shape))).reshape(shape) / 7.0


@pytest.mark.parametrize(("shape", "kw", "hw"), MAX_CASES)
def test_max_pool2d_options_match_the_definition(
    shape: tuple[int, ...], kw: dict[str, Any], hw: tuple[int, int]
) -> None:
    a = _distinct(shape)
    y, g, w = _value_and_grad(lambda x: F.max_pool2d(x, **kw), a)
    assert y.shape[2:] == hw
    np.testing.assert_allclose(y, _ref_pool(a, "max", **kw))
    # each window's gradient lands on its maximum: the total is kept, cells are never negative
    assert np.isclose(g.sum(), w.sum())
    y1, g1, _ = _value_and_grad(lambda x: F.max_pool2d(x, **kw), a, np.ones_like(y))
    assert (g1 >= 0).all() and g1.sum() == y1.size
    layer = nn.MaxPool2d(
        kw["kernel_size"],
        kw.get("stride"),
        kw.get("padding", 0),
        kw.get("dilation", 1),
        ceil_mode=kw.get("ceil_mode", False),
    )
    np.testing.assert_array_equal(layer(vf.tensor(a)).numpy(), y)


@pytest.mark.parametrize(("shape", "kw", "hw"), AVG_CASES)
def test_avg_pool2d_options_match_the_definition(
    shape: tuple[int, ...], kw: dict[str, Any], hw: tuple[int, int]
) -> None:
    a = R.standard_normal(shape)
    y, g, w = _value_and_grad(lambda x: F.avg_pool2d(x, **kw), a)
    assert y.shape[2:] == hw
    np.testing.assert_allclose(y, _ref_pool(a, "avg", **kw))
    # linear: the gradient is the adjoint, <g, a> = <w, y>
    assert np.isclose((g * a).sum(), (w * y).sum())
    np.testing.assert_allclose(nn.AvgPool2d(**kw)(vf.tensor(a)).numpy(), y)


def test_pool_padding_over_half_the_window_is_refused() -> None:
    x = vf.tensor(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match="half"):
        F.max_pool2d(x, 3, padding=2)
    with pytest.raises(ValueError, match="half"):
        F.avg_pool2d(x, 2, padding=2)
    F.max_pool2d(x, 3, padding=2, dilation=2)  # half the dilated window (5) is fine


@pytest.mark.parametrize("shape", [(0, 3, 4, 4), (2, 0, 4, 4)])
@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
def test_pooling_empty_batch_or_channels(shape: tuple[int, ...], pool: Any) -> None:
    x = vf.tensor(np.zeros(shape), requires_grad=True)
    y = pool(x, 3, 2, 1)
    assert y.shape == (*shape[:2], 2, 2)
    y.sum().backward()
    assert x.grad is not None and x.grad.shape == shape


@needs_torch
@pytest.mark.parametrize(("shape", "kw", "hw"), MAX_CASES)
def test_max_pool2d_matches_torch(
    shape: tuple[int, ...], kw: dict[str, Any], hw: tuple[int, int]
) -> None:
    a = _distinct(shape)
    y, g, w = _value_and_grad(lambda x: F.max_pool2d(x, **kw), a)
    ty, tg = _torch_value_and_grad(lambda t: TF.max_pool2d(t, **kw), a, w)
    np.testing.assert_allclose(y, ty)
    np.testing.assert_allclose(g, tg)


@needs_torch
@pytest.mark.parametrize(("shape", "kw", "hw"), AVG_CASES)
def test_avg_pool2d_matches_torch(
    shape: tuple[int, ...], kw: dict[str, Any], hw: tuple[int, int]
) -> None:
    a = R.standard_normal(shape)
    y, g, w = _value_and_grad(lambda x: F.avg_pool2d(x, **kw), a)
    ty, tg = _torch_value_and_grad(lambda t: TF.avg_pool2d(t, **kw), a, w)
    np.testing.assert_allclose(y, ty)
    np.testing.assert_allclose(g, tg)


# ---- losses ---------------------------------------------------------------------------------


def test_bce_with_logits_refuses_a_target_of_another_shape() -> None:
    with pytest.raises(ValueError, match=r"Target size \(\(3,\)\) must be the same as input"):
        F.binary_cross_entropy_with_logits(vf.zeros(3, 1), vf.zeros(3))
    with pytest.raises(TypeError, match="reduction"):
        F.binary_cross_entropy_with_logits(vf.zeros(3), vf.zeros(3), vf.ones(3))


def _ref_bce(x: np.ndarray, y: np.ndarray, w: np.ndarray, pw: np.ndarray) -> float:
    logsig, log1msig = -np.logaddexp(0, -x), -np.logaddexp(0, x)
    return float((-w * (pw * y * logsig + (1 - y) * log1msig)).mean())


def test_bce_with_logits_weight_and_pos_weight() -> None:
    x, y = R.standard_normal((4, 3)) * 3, R.uniform(size=(4, 3))
    w, pw = R.uniform(0.5, 2, (4, 1)), R.uniform(0.5, 2, 3)
    got = F.binary_cross_entropy_with_logits(
        vf.tensor(x), vf.tensor(y), pos_weight=vf.tensor(pw), weight=vf.tensor(w)
    )
    np.testing.assert_allclose(got.numpy(), _ref_bce(x, y, w, pw))
    if torch is not None:
        want = TF.binary_cross_entropy_with_logits(
            *map(torch.tensor, (x, y)), weight=torch.tensor(w), pos_weight=torch.tensor(pw)
        )
        np.testing.assert_allclose(got.numpy(), want.numpy())


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_mean_over_only_ignored_targets_is_nan_with_zero_gradient(loss: str) -> None:
    a, t = R.standard_normal((3, 4)), np.full(3, -100)
    x = vf.tensor(a, requires_grad=True)
    y = getattr(F, loss)(x, vf.tensor(t))
    y.backward()
    assert np.isnan(y.item())
    np.testing.assert_array_equal(x.grad.numpy(), 0.0)
    if torch is not None:
        tx = torch.tensor(a, requires_grad=True)
        getattr(TF, loss)(tx, torch.tensor(t)).backward()
        np.testing.assert_array_equal(tx.grad.numpy(), 0.0)
    # one valid target among ignored ones: the mean is over that one
    t[1] = 2
    one = getattr(F, loss)(vf.tensor(a), vf.tensor(t)).item()
    lp = a - np.log(np.exp(a).sum(1, keepdims=True)) if loss == "cross_entropy" else a
    assert np.isclose(one, -lp[1, 2])


# ---- one_hot, normalize ---------------------------------------------------------------------


def test_one_hot_is_int64_and_infers_the_class_count() -> None:
    t = np.array([[0, 2], [1, 2]])
    got = F.one_hot(vf.tensor(t))
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got.numpy(), np.eye(3, dtype=np.int64)[t])
    assert F.one_hot(vf.tensor(t), 5).shape == (2, 2, 5)
    with pytest.raises(IndexError):
        F.one_hot(vf.tensor(t), 2)
    with pytest.raises(TypeError):
        F.one_hot(vf.tensor(t.astype(float)), 3)
    if torch is not None:
        np.testing.assert_array_equal(got.numpy(), TF.one_hot(torch.tensor(t)).numpy())


@pytest.mark.parametrize(("p", "dim"), [(2.0, 1), (1.0, -1), (3.0, 0), (np.inf, 1), (np.inf, 0)])
def test_normalize_matches_the_definition_and_torch(p: float, dim: int) -> None:
    a = R.standard_normal((3, 4))
    a[1] = 0.0  # a zero row: divided by eps, gradient 1/eps (not nan)
    y, g, w = _value_and_grad(lambda x: F.normalize(x, p, dim), a)
    if p == np.inf:
        norm = np.maximum(np.abs(a).max(dim, keepdims=True), 1e-12)
    else:
        norm = np.maximum((np.abs(a) ** p).sum(dim, keepdims=True) ** (1 / p), 1e-12)
    np.testing.assert_allclose(y, a / norm)
    assert np.isfinite(g).all()
    if torch is not None:
        ty, tg = _torch_value_and_grad(lambda t: TF.normalize(t, p, dim), a, w)
        np.testing.assert_allclose(y, ty)
        np.testing.assert_allclose(g, tg, rtol=1e-6)
