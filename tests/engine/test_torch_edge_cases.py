"""Answers PyTorch gives at the edges (issue "wrong answers"): each compared with torch's own
value and gradient in float64."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.nn import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _both(values: Any, grad: bool = True) -> tuple[vf.Tensor, Any]:
    a = np.asarray(values, dtype=np.float64)
    return vf.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)


def _close(ours: Any, theirs: Any) -> None:
    np.testing.assert_allclose(
        np.asarray(ours.detach().numpy() if hasattr(ours, "detach") else ours),
        theirs.detach().numpy(),
        rtol=1e-12,
        atol=1e-12,
        equal_nan=True,
    )


# ---- advanced indexing: ints are applied first -------------------------------------------------

INDEXES = [
    (1, slice(None), [0, 2, 4]),
    ([0, 1], slice(None), 2),
    (1, slice(1, 4), [[0], [2]]),
    (slice(None), 1, [0, 2]),
    (1, Ellipsis, [0, 2]),
    (0, None, slice(None), [1, 2]),
    ([1, 0], 2, [3, 4]),
]


def _index_pair(idx: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    ours = tuple(vf.tensor(np.array(i)) if isinstance(i, list) else i for i in idx)
    theirs = tuple(torch.tensor(i) if isinstance(i, list) else i for i in idx)
    return ours, theirs


@pytest.mark.parametrize("idx", INDEXES, ids=str)
def test_advanced_indexing_follows_torch_dimension_order(idx):
    x = np.arange(60.0).reshape(2, 5, 6)
    a, b = _both(x)
    vi, ti = _index_pair(idx)
    ya, yb = a[vi], b[ti]
    assert ya.shape == tuple(yb.shape)
    _close(ya, yb)
    w = np.arange(ya.numel(), dtype=np.float64).reshape(ya.shape)
    (ya * vf.tensor(w)).sum().backward()
    (yb * torch.tensor(w)).sum().backward()
    _close(a.grad, b.grad)


@pytest.mark.parametrize("idx", INDEXES[:5], ids=str)
def test_setitem_takes_values_in_torch_order(idx):
    x = np.arange(60.0).reshape(2, 5, 6)
    vi, ti = _index_pair(idx)
    shape = tuple(torch.zeros(2, 5, 6)[ti].shape)
    v = np.arange(math.prod(shape), dtype=np.float64).reshape(shape) + 100.0
    va, vt = _both(v)
    a, b = vf.tensor(x) * 1.0, torch.tensor(x) * 1.0
    a[vi] = va
    b[ti] = vt
    _close(a, b)
    w = np.arange(60.0).reshape(2, 5, 6)
    (a * vf.tensor(w)).sum().backward()
    (b * torch.tensor(w)).sum().backward()
    _close(va.grad, vt.grad)


def test_the_issue_example_and_a_traced_index():
    assert vf.zeros(2, 5, 6)[1, :, vf.tensor([0, 2, 4])].shape == (5, 3)
    f = vf.function(lambda x, i: x[1, :, i])
    assert f(vf.zeros(2, 5, 6), vf.tensor([0, 2, 4])).shape == (5, 3)


# ---- pow, maximum/minimum, clamp --------------------------------------------------------------


def test_pow_gradients_at_zero_and_negative_bases_follow_torch():
    a, b = _both([0.0, 1.5, -2.0])
    (a**0.0).sum().backward()
    (b**0.0).sum().backward()
    _close(a.grad, b.grad)  # 0, not nan, at x = 0
    for base, exponent in (([-2.0, 0.0, 0.0, 2.0], [2.0, 2.0, -1.0, 0.5]),):
        xa, xb = _both(base)
        ea, eb = _both(exponent)
        (xa**ea).sum().backward()
        (xb**eb).sum().backward()
        _close(ea.grad, eb.grad)  # nan for x < 0, 0 for 0 ** y>=0, -inf for 0 ** y<0
        _close(xa.grad, xb.grad)
    assert np.isnan(ea.grad.numpy()[0]) and ea.grad.numpy()[2] == -np.inf


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_split_ties_equally(name):
    xa, xb = _both([1.0, 2.0, 3.0])
    ya, yb = _both([1.0, 1.0, 3.0])
    getattr(vf, name)(xa, ya).sum().backward()
    getattr(torch, name)(xb, yb).sum().backward()
    _close(xa.grad, xb.grad)
    _close(ya.grad, yb.grad)


def test_clamp_at_its_bounds_as_torch_and_refuses_no_bounds():
    a, b = _both([0.0, 1.0, 2.0, 3.0])
    a.clamp(1.0, 2.0).sum().backward()
    b.clamp(1.0, 2.0).sum().backward()
    _close(a.grad, b.grad)
    a, b = _both([0.0, 1.0, 2.0, 3.0])
    lo_a, lo_b = _both([1.0, 1.0, 1.0, 1.0])
    a.clamp(lo_a).sum().backward()
    b.clamp(lo_b).sum().backward()
    _close(a.grad, b.grad)
    _close(lo_a.grad, lo_b.grad)
    with pytest.raises(ValueError, match="at least one of min and max"):
        vf.ones(2).clamp(None, None)


# ---- normalize, linspace, max/min pairs, 0-d reductions, squeeze ------------------------------


@pytest.mark.parametrize("p", [-1.0, 0.0, -math.inf, -0.5, 1.0, 2.0, math.inf])
def test_normalize_matches_torch_for_every_p(p):
    x = [[3.0, 4.0], [0.0, 2.0], [-1.0, 0.5]]
    a, b = _both(x)
    ya, yb = F.normalize(a, p=p), TF.normalize(b, p=p)
    _close(ya, yb)
    w = np.arange(6.0).reshape(3, 2)
    (ya * vf.tensor(w)).sum().backward()
    (yb * torch.tensor(w)).sum().backward()
    _close(a.grad, b.grad)
    if p == -1.0:
        np.testing.assert_allclose(ya.detach().numpy()[0], [1.75, 7 / 3])


@pytest.mark.parametrize(
    ("start", "end", "steps"), [(-5, 0, 4), (-7, 2, 5), (0, 10, 4), (3, -3, 5)]
)
def test_integer_linspace_rounds_towards_zero(start, end, steps):
    ours = vf.linspace(start, end, steps, dtype="int64").tolist()
    assert ours == torch.linspace(start, end, steps, dtype=torch.int64).tolist()


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp", "prod", "sum", "mean"])
@pytest.mark.parametrize("dim", [-1, 0])
def test_reductions_of_a_0d_tensor_over_dim_0_or_minus_1(name, dim):
    a, b = _both(2.5)
    ya, yb = getattr(a, name)(dim), getattr(b, name)(dim)
    _close(ya, yb)
    ya.backward()
    yb.backward()
    _close(a.grad, b.grad)


def test_squeeze_of_a_dim_that_is_not_1_is_a_no_op():
    assert vf.ones(2, 3).squeeze(0).shape == (2, 3)
    assert vf.ones(2, 1, 3).squeeze((0, 1)).shape == (2, 3)


# ---- error types -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        lambda: vf.ones(2, 3) @ vf.ones(2, 3),
        lambda: vf.ones(6).reshape(4, 2),
        lambda: vf.ones(2, 3).permute(0, 0),
        lambda: vf.stack([vf.ones(2), vf.ones(3)]),
        lambda: vf.einsum("ij,jk->ik", vf.ones(2, 3), vf.ones(2, 3)),
    ],
    ids=["matmul", "reshape", "permute", "stack", "einsum"],
)
def test_shape_mismatches_are_runtime_errors_as_in_torch(bad):
    with pytest.raises(RuntimeError):
        bad()
    with pytest.raises(vf.ShapeError):
        bad()


def test_an_index_out_of_range_is_an_index_error():
    with pytest.raises(IndexError, match="out of bounds"):
        vf.ones(3)[5]
    with pytest.raises(IndexError):
        vf.function(lambda x: x[7])(vf.ones(3))


# ---- vf.grad of traced values ----------------------------------------------------------------


def test_vf_grad_inside_a_traced_function_equals_eager():
    w0 = vf.tensor(np.array([1.0, -2.0, 0.5]), requires_grad=True)
    w1 = vf.tensor(np.array([0.3, 0.2, 0.1]), requires_grad=True)

    def grads(x: vf.Tensor) -> tuple[Any, ...]:
        h = w0 * x + w1
        loss = (h**2).sum() + (h * w0).sum()
        return vf.grad(loss, [w0, w1, h])

    x = vf.tensor(np.arange(3.0))
    eager, traced = grads(x), vf.function(grads)(x)
    for e, t in zip(eager, traced, strict=True):
        np.testing.assert_allclose(t.numpy(), e.numpy(), rtol=1e-12)
    assert w0.grad is None and w1.grad is None  # vf.grad leaves .grad alone


def test_flatten_keeps_a_named_batch_dim_when_traced() -> None:
    """nn.Flatten in a traced model with a named batch: (batch, 3, 4) -> (batch, 12)."""
    from vizflow_engine.graph import spec, trace

    m = vf.nn.Sequential(vf.nn.Flatten(), vf.nn.Linear(12, 3))
    g = trace(lambda x: m(x), spec(("batch", 3, 4), "float32"))
    assert tuple(g.outputs[0].shape) == ("batch", 3)
    with pytest.raises(vf.ShapeError, match="more than one named dim"):
        trace(lambda x: vf.flatten(x, 1, 1), spec(("b", 3, "c"), "float32"))
