"""Scans, sorting, gather/scatter and masks against PyTorch (float64): forward values, indices
and gradients of a random weighting of the outputs; traced steps equal eager."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import vizflow_engine as vf

RNG = np.random.default_rng(1234)


def _first(out: Any) -> Any:
    """The differentiable output of a call (values of a (values, indices) pair)."""
    return out[0] if isinstance(out, tuple) else out


def check(
    fn_vf: Callable[..., Any],
    fn_torch: Callable[..., Any],
    *arrays: np.ndarray,
    ints: tuple[np.ndarray, ...] = (),
) -> None:
    """Same values (and indices) and the same gradients of Σ w·out in vizflow and torch."""
    xs = [vf.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out_v = fn_vf(*xs, *[vf.tensor(i) for i in ints])
    out_t = fn_torch(*ts, *[torch.tensor(i) for i in ints])
    if isinstance(out_t, tuple):
        for a, b in zip(out_v, out_t, strict=True):
            np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)
    else:
        np.testing.assert_allclose(out_v.numpy(), out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    yv, yt = _first(out_v), _first(out_t)
    if not yt.dtype.is_floating_point or not yt.numel():
        return
    w = RNG.standard_normal(tuple(yt.shape))
    gv = vf.grad((yv * vf.tensor(w)).sum(), xs)
    gt = torch.autograd.grad((yt * torch.tensor(w)).sum(), ts, allow_unused=True)
    for a, b in zip(gv, gt, strict=True):
        assert a is not None
        ref = np.zeros_like(a.numpy()) if b is None else b.numpy()
        np.testing.assert_allclose(a.numpy(), ref, rtol=1e-10, atol=1e-12)


X = RNG.standard_normal((3, 6))
ZEROS = np.array([[1.5, 0.0, 2.0, -1.0, 0.0, 3.0], [0.5, 2.0, 0.0, 4.0, -2.0, 1.0]])
TIES = np.array([[1.0, 3.0, 3.0, 2.0, 3.0, 1.0], [2.0, 2.0, 1.0, 1.0, 5.0, 5.0]])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumsum_cumprod_logcumsumexp(dim: int) -> None:
    check(lambda x: vf.cumsum(x, dim), lambda x: torch.cumsum(x, dim), X)
    check(lambda x: x.cumsum(dim), lambda x: x.cumsum(dim), X)
    check(lambda x: vf.cumprod(x, dim), lambda x: torch.cumprod(x, dim), X)
    check(lambda x: vf.logcumsumexp(x, dim), lambda x: torch.logcumsumexp(x, dim), X)


def test_cumprod_gradient_is_exact_at_zeros() -> None:
    check(lambda x: vf.cumprod(x, 1), lambda x: torch.cumprod(x, 1), ZEROS)


def test_logcumsumexp_far_below_the_max_does_not_underflow() -> None:
    a = np.array([-1000.0, 0.0, -2000.0, 5.0])
    check(lambda x: vf.logcumsumexp(x, 0), lambda x: torch.logcumsumexp(x, 0), a)


def test_cumsum_of_ints_and_bools_is_int64() -> None:
    assert vf.cumsum(vf.tensor([1, 2, 3], dtype=vf.int32), 0).dtype == np.int64
    assert vf.tensor([True, False, True]).cumsum(0).tolist() == [1, 1, 2]


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("data", [X, TIES])
def test_cummax_cummin_values_indices_and_gradients(name: str, data: np.ndarray) -> None:
    for d in (0, 1):
        check(
            lambda x, d=d: getattr(vf, name)(x, d), lambda x, d=d: getattr(torch, name)(x, d), data
        )
        check(lambda x, d=d: getattr(x, name)(d), lambda x, d=d: getattr(x, name)(d), data)


def test_cummax_with_nan_follows_torch() -> None:
    a = np.array([1.0, np.nan, 3.0, np.nan, 0.5])
    v, t = vf.cummax(vf.tensor(a), 0), torch.cummax(torch.tensor(a), 0)
    np.testing.assert_array_equal(v.values.numpy(), t.values.numpy())
    np.testing.assert_array_equal(v.indices.numpy(), t.indices.numpy())


@pytest.mark.parametrize("descending", [False, True])
def test_sort_is_stable_and_matches_torch(descending: bool) -> None:
    for dim in (0, 1, -1):
        check(
            lambda x, dim=dim: vf.sort(x, dim, descending, stable=True),
            lambda x, dim=dim: torch.sort(x, dim=dim, descending=descending, stable=True),
            TIES,
        )
        check(
            lambda x, dim=dim: x.sort(dim, descending=descending),
            lambda x, dim=dim: x.sort(dim=dim, descending=descending, stable=True),
            X,
        )
    got = vf.argsort(vf.tensor(TIES), 1, descending=descending, stable=True).numpy()
    want = torch.argsort(torch.tensor(TIES), dim=1, descending=descending, stable=True).numpy()
    np.testing.assert_array_equal(got, want)


def test_sort_puts_nan_last_ascending_and_first_descending() -> None:
    a = np.array([2.0, np.nan, -1.0, np.inf, np.nan, -np.inf])
    for desc in (False, True):
        got = vf.sort(vf.tensor(a), descending=desc, stable=True).indices.numpy()
        want = torch.sort(torch.tensor(a), descending=desc, stable=True).indices.numpy()
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("keepdim", [False, True])
def test_kthvalue_median_mode(keepdim: bool) -> None:
    for k in (1, 2, 6):
        check(
            lambda x, k=k: vf.kthvalue(x, k, 1, keepdim),
            lambda x, k=k: torch.kthvalue(x, k, 1, keepdim),
            X,
        )
    check(lambda x: vf.median(x, 1, keepdim), lambda x: torch.median(x, 1, keepdim), X)
    check(lambda x: x.median(0, keepdim), lambda x: x.median(0, keepdim), X)
    check(lambda x: vf.median(x), lambda x: torch.median(x), X)
    check(lambda x: vf.mode(x, 1, keepdim), lambda x: torch.mode(x, 1, keepdim), TIES)
    check(lambda x: x.mode(0, keepdim), lambda x: x.mode(0, keepdim), TIES)


def test_median_of_a_row_with_nan_is_nan() -> None:
    a = np.array([[1.0, np.nan, 3.0, np.nan], [4.0, 1.0, 2.0, 3.0]])
    v, t = vf.median(vf.tensor(a), 1), torch.median(torch.tensor(a), 1)
    np.testing.assert_array_equal(v.values.numpy(), t.values.numpy())
    np.testing.assert_array_equal(v.indices.numpy(), t.indices.numpy())


def test_unique_sorted_inverse_counts() -> None:
    a = np.array([[3, 1, 2], [1, 3, 3]])
    v = vf.unique(vf.tensor(a), return_inverse=True, return_counts=True)
    t = torch.unique(torch.tensor(a), return_inverse=True, return_counts=True)
    for x, y in zip(v, t, strict=True):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    np.testing.assert_array_equal(vf.tensor(a).unique().numpy(), [1, 2, 3])


IDX = RNG.integers(0, 6, (3, 4))
SRC = RNG.standard_normal((3, 4))


def test_gather_and_take_along_dim() -> None:
    check(lambda x, i: vf.gather(x, 1, i), lambda x, i: torch.gather(x, 1, i), X, ints=(IDX,))
    check(lambda x, i: x.gather(1, i), lambda x, i: x.gather(1, i), X, ints=(IDX,))
    small = RNG.integers(0, 3, (2, 6))  # smaller than x off the gathered dim
    check(lambda x, i: vf.gather(x, 0, i), lambda x, i: torch.gather(x, 0, i), X, ints=(small,))
    i = np.argsort(X, axis=1)
    check(
        lambda x, i: vf.take_along_dim(x, i, 1),
        lambda x, i: torch.take_along_dim(x, i, 1),
        X,
        ints=(i,),
    )
    check(
        lambda x, i: vf.take_along_dim(x, i),
        lambda x, i: torch.take_along_dim(x, i),
        X,
        ints=(np.array([0, 17, 5]),),
    )


def test_gather_out_of_range_is_an_index_error() -> None:
    with pytest.raises(IndexError, match="out of range"):
        vf.gather(vf.tensor(X), 1, vf.tensor(np.array([[6]])))


def test_scatter_and_scatter_add() -> None:
    uniq = np.stack([RNG.permutation(6)[:4] for _ in range(3)])  # scatter: no repeats
    check(
        lambda x, s, i: vf.scatter(x, 1, i, s),
        lambda x, s, i: torch.scatter(x, 1, i, s),
        X,
        SRC,
        ints=(uniq,),
    )
    check(
        lambda x, s, i: x.scatter_add(1, i, s),
        lambda x, s, i: x.scatter_add(1, i, s),
        X,
        SRC,
        ints=(IDX,),
    )
    got = vf.tensor(X).scatter(1, vf.tensor(uniq), 7.0).numpy()
    want = torch.tensor(X).scatter(1, torch.tensor(uniq), 7.0).numpy()
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce(reduce: str, include_self: bool) -> None:
    check(
        lambda x, s, i: vf.scatter_reduce(x, 1, i, s, reduce, include_self=include_self),
        lambda x, s, i: torch.scatter_reduce(x, 1, i, s, reduce, include_self=include_self),
        X,
        SRC,
        ints=(IDX,),
    )


@pytest.mark.parametrize("reduce", ["prod", "amax", "amin"])
def test_scatter_reduce_gradients_at_zeros_and_ties(reduce: str) -> None:
    x = np.array([[0.0, 2.0, 3.0, 1.0], [1.0, 0.0, 2.0, 2.0]])
    src = np.array([[2.0, 0.0, 3.0], [0.0, 2.0, 2.0]])
    i = np.array([[1, 2, 2], [1, 3, 3]])
    for inc in (True, False):
        check(
            lambda x, s, i, inc=inc: x.scatter_reduce(1, i, s, reduce, include_self=inc),
            lambda x, s, i, inc=inc: x.scatter_reduce(1, i, s, reduce, include_self=inc),
            x,
            src,
            ints=(i,),
        )


def test_index_select_masked_select_nonzero() -> None:
    i = np.array([4, 0, 4])
    check(
        lambda x, i: vf.index_select(x, 1, i),
        lambda x, i: torch.index_select(x, 1, i),
        X,
        ints=(i,),
    )
    check(
        lambda x, i: x.index_select(0, i), lambda x, i: x.index_select(0, i), X, ints=(i[:2] % 3,)
    )
    mask = X > 0
    check(
        lambda x, m: vf.masked_select(x, m), lambda x, m: torch.masked_select(x, m), X, ints=(mask,)
    )
    row = mask[:1]  # broadcast over rows
    check(lambda x, m: x.masked_select(m), lambda x, m: x.masked_select(m), X, ints=(row,))
    np.testing.assert_array_equal(
        vf.nonzero(vf.tensor(mask)).numpy(), torch.nonzero(torch.tensor(mask)).numpy()
    )
    for a, b in zip(
        vf.tensor(mask).nonzero(as_tuple=True),
        torch.tensor(mask).nonzero(as_tuple=True),
        strict=True,
    ):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_traced_scans_sorting_and_scatter_equal_eager() -> None:
    i = vf.tensor(IDX)

    def step(x: Any) -> Any:
        s = vf.sort(x, 1, descending=True).values
        c = vf.cumsum(x, 1) + vf.cumprod(x, 1) + vf.cummax(x, 1).values + vf.logcumsumexp(x, 1)
        g = vf.gather(x, 1, i) + vf.scatter_reduce(x, 1, i, vf.gather(x, 1, i), "amax")[:, :4]
        loss = (s * s).sum() + c.sum() + g.sum() + vf.kthvalue(x, 2, 1).values.sum()
        loss.backward()
        return loss

    x_eager = vf.tensor(X, requires_grad=True)
    eager = step(x_eager)
    traced = vf.function(step)
    for _ in range(2):  # the first call traces, the second runs the compiled plan
        x_traced = vf.tensor(X, requires_grad=True)
        np.testing.assert_allclose(traced(x_traced).numpy(), eager.numpy(), rtol=1e-12)
        assert x_traced.grad is not None and x_eager.grad is not None
        np.testing.assert_allclose(x_traced.grad.numpy(), x_eager.grad.numpy(), rtol=1e-12)
