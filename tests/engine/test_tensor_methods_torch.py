"""view_as, contiguous, new_*, masked_fill, tril/triu, multinomial: values and gradients vs torch,
and each inside a @vf.function step vs eager."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
A = RNG.standard_normal((3, 4))


def _vf(a: np.ndarray, grad: bool = False) -> vf.Tensor:
    return vf.tensor(a, dtype="float64", requires_grad=grad)


def _th(a: np.ndarray, grad: bool = False) -> Any:
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def test_view_as_and_contiguous_match_torch() -> None:
    x, other = _vf(A), vf.zeros(2, 6)
    got = x.view_as(other)
    assert got.shape == (2, 6)
    np.testing.assert_array_equal(got.numpy(), _th(A).view_as(torch.zeros(2, 6)).numpy())
    assert x.contiguous() is x


@pytest.mark.parametrize(
    ("call", "ref"),
    [
        (lambda t: t.new_zeros(2, 3), lambda t: t.new_zeros(2, 3)),
        (lambda t: t.new_zeros((2, 3)), lambda t: t.new_zeros((2, 3))),
        (lambda t: t.new_ones(4), lambda t: t.new_ones(4)),
        (lambda t: t.new_full((2, 2), 3.5), lambda t: t.new_full((2, 2), 3.5)),
        (lambda t: t.new_tensor([1, 2, 3]), lambda t: t.new_tensor([1, 2, 3])),
        (lambda t: t.new_zeros(2, dtype=vf.int64), lambda t: t.new_zeros(2, dtype=torch.int64)),
    ],
)
def test_new_tensors_take_self_dtype_like_torch(
    call: Callable[..., Any], ref: Callable[..., Any]
) -> None:
    got, want = call(_vf(A)), ref(_th(A))
    assert got.shape == tuple(want.shape)
    assert str(got.dtype) == str(want.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_masked_fill_values_and_gradient_match_torch() -> None:
    mask = A > 0.3
    x, xt = _vf(A, True), _th(A, True)
    got, want = x.masked_fill(vf.tensor(mask), -2.0), xt.masked_fill(torch.tensor(mask), -2.0)
    np.testing.assert_array_equal(got.numpy(), want.detach().numpy())
    (got * got).sum().backward()
    (want * want).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy())
    assert np.all(x.grad.numpy()[mask] == 0.0)  # filled places get no gradient


def test_masked_fill_keeps_an_integer_dtype() -> None:
    got = vf.tensor([1, 2, 3]).masked_fill(vf.tensor([True, False, True]), 1.5)
    want = torch.tensor([1, 2, 3]).masked_fill(torch.tensor([True, False, True]), 1.5)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("name", ["tril", "triu"])
@pytest.mark.parametrize("diagonal", [-2, -1, 0, 1, 3])
@pytest.mark.parametrize("shape", [(3, 4), (4, 3), (2, 3, 3)])
def test_tril_triu_values_and_gradients_match_torch(
    name: str, diagonal: int, shape: tuple[int, ...]
) -> None:
    a = RNG.standard_normal(shape)
    w = RNG.standard_normal(shape)
    x, xt = _vf(a, True), _th(a, True)
    method = getattr(x, name)(diagonal)
    func = getattr(vf, name)(x, diagonal=diagonal)
    want = getattr(torch, name)(xt, diagonal=diagonal)
    np.testing.assert_array_equal(method.numpy(), want.detach().numpy())
    np.testing.assert_array_equal(func.numpy(), want.detach().numpy())
    (func * _vf(w)).sum().backward()
    (want * _th(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy())


def test_tril_of_a_vector_says_what_it_needs() -> None:
    with pytest.raises(ValueError, match=r"tril\(\) needs a tensor with at least 2 dims"):
        vf.tril(vf.ones(3))


STEPS: dict[str, Callable[[Any], Any]] = {
    "view_as": lambda a: a.view_as(a.new_zeros(4, 3)) * 2.0,
    "contiguous": lambda a: a.contiguous() + 1.0,
    "new_zeros": lambda a: a + a.new_zeros(3, 4),
    "new_ones": lambda a: a * a.new_ones((3, 4)),
    "new_full": lambda a: a - a.new_full((3, 4), 0.5),
    "new_tensor": lambda a: a + a.new_tensor([1.0, 2.0, 3.0, 4.0]),
    "masked_fill": lambda a: a.masked_fill(a > 0.0, 9.0),
    "tril": lambda a: a.tril(1) + vf.tril(a, -1),
    "triu": lambda a: a.triu(-1) + vf.triu(a, 2),
}


@pytest.mark.parametrize("name", sorted(STEPS))
def test_each_method_in_a_traced_step_matches_eager(name: str) -> None:
    step = STEPS[name]
    traced = vf.function(step)
    for _ in range(2):  # the first call traces, the second runs the compiled plan
        np.testing.assert_allclose(traced(_vf(A)).numpy(), step(_vf(A)).numpy())


def test_traced_step_gradient_matches_eager() -> None:
    def step(a: Any) -> Any:
        loss = (a.masked_fill(a > 0.5, 0.0).tril() * a.triu(-1)).sum()
        loss.backward()
        return loss

    x_eager = _vf(A, True)
    step(x_eager)
    traced = vf.function(step)
    for _ in range(2):
        x_traced = _vf(A, True)
        traced(x_traced)
        np.testing.assert_allclose(x_traced.grad.numpy(), x_eager.grad.numpy())


def test_multinomial_follows_the_seed_and_the_weights() -> None:
    probs = vf.tensor([[0.2, 0.0, 0.8], [1.0, 1.0, 1.0]])
    vf.manual_seed(3)
    first = vf.multinomial(probs, 2)
    vf.manual_seed(3)
    np.testing.assert_array_equal(vf.multinomial(probs, 2).numpy(), first.numpy())
    assert first.shape == (2, 2) and first.dtype == np.int64
    # without replacement a row's samples are distinct and a zero weight is never drawn
    assert sorted(first.numpy()[0]) == [0, 2]
    assert len(set(first.numpy()[1])) == 2
    with pytest.raises(ValueError, match="2 nonzero weights, fewer than num_samples=3"):
        vf.multinomial(probs, 3)
    draws = vf.multinomial(vf.tensor([0.1, 0.0, 0.9]), 20000, replacement=True).numpy()
    assert draws.shape == (20000,) and not np.any(draws == 1)
    assert abs(np.mean(draws == 2) - 0.9) < 0.02


def test_multinomial_shape_and_dtype_match_torch() -> None:
    probs = np.array([[0.5, 0.5, 0.0, 1.0]] * 3)
    got = vf.multinomial(vf.tensor(probs), 2)
    want = torch.multinomial(torch.tensor(probs), 2)
    assert got.shape == tuple(want.shape) and str(got.dtype) == "int64" == str(want.dtype)[6:]


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize(("shape", "k", "dim"), [((5,), 3, 0), ((3, 6), 4, -1), ((4, 3, 2), 2, 0)])
def test_topk_values_indices_and_gradients_match_torch(
    shape: tuple[int, ...], k: int, dim: int, largest: bool
) -> None:
    a = RNG.standard_normal(shape)
    x, xt = _vf(a, True), _th(a, True)
    got = x.topk(k, dim=dim, largest=largest)
    want = xt.topk(k, dim=dim, largest=largest)
    func = vf.topk(x, k, dim, largest)
    np.testing.assert_array_equal(got.values.numpy(), want.values.detach().numpy())
    np.testing.assert_array_equal(got.indices.numpy(), want.indices.numpy())
    np.testing.assert_array_equal(func.indices.numpy(), want.indices.numpy())
    assert got.indices.dtype == np.int64
    w = RNG.standard_normal(tuple(want.values.shape))
    (got.values * _vf(w)).sum().backward()
    (want.values * _th(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy())


def test_topk_of_integers_and_of_k_zero_match_torch() -> None:
    values, indices = vf.tensor([3, 1, 4, 1, 5]).topk(3)
    want = torch.tensor([3, 1, 4, 1, 5]).topk(3)
    np.testing.assert_array_equal(values.numpy(), want.values.numpy())
    np.testing.assert_array_equal(indices.numpy(), want.indices.numpy())
    none = _vf(A).topk(0)
    assert none.values.shape == none.indices.shape == (3, 0)
    with pytest.raises(ValueError, match="k=5 is out of range for dim -1 of size 4"):
        _vf(A).topk(5)


def test_topk_in_a_traced_step_matches_eager() -> None:
    def step(a: Any) -> Any:
        values, indices = a.topk(2, dim=1)
        loss = (values * values).sum()
        loss.backward()
        return values, indices

    x_eager = _vf(A, True)
    want = step(x_eager)
    traced = vf.function(step)
    for _ in range(2):
        x_traced = _vf(A, True)
        got = traced(x_traced)
        np.testing.assert_allclose(got[0].numpy(), want[0].numpy())
        np.testing.assert_array_equal(got[1].numpy(), want[1].numpy())
        np.testing.assert_allclose(x_traced.grad.numpy(), x_eager.grad.numpy())


def test_multinomial_takes_a_numpy_generator_and_names_a_wrong_one() -> None:
    probs = vf.tensor([0.3, 0.3, 0.4])
    a = vf.multinomial(probs, 3, generator=np.random.default_rng(5))
    b = vf.multinomial(probs, 3, generator=np.random.default_rng(5))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(TypeError, match="generator must be a numpy Generator"):
        vf.multinomial(probs, 1, generator=torch.Generator())


@pytest.mark.parametrize(
    "fn",
    [
        lambda t: t.masked_fill(t > 0.2, 0.5),
        lambda t: vf.tril(t, 1),
        lambda t: t.triu(-1),
        lambda t: t.topk(2, dim=0).values,
    ],
)
def test_gradients_match_finite_differences(fn: Callable[[Any], Any]) -> None:
    a = RNG.standard_normal((3, 4))
    w = RNG.standard_normal(tuple(fn(_vf(a)).shape))
    x = _vf(a, True)
    (fn(x) * _vf(w)).sum().backward()
    eps = 1e-6
    fd = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        up, down = a.copy(), a.copy()
        up[idx] += eps
        down[idx] -= eps
        f_up = float((fn(_vf(up)).numpy() * w).sum())
        f_down = float((fn(_vf(down)).numpy() * w).sum())
        fd[idx] = (f_up - f_down) / (2 * eps)
    np.testing.assert_allclose(x.grad.numpy(), fd, atol=1e-6)


@pytest.mark.parametrize("largest", [True, False])
def test_topk_with_infinities_and_nans_picks_each_index_once_as_torch(largest: bool) -> None:
    rng = np.random.default_rng(0)
    pool = [np.nan, np.inf, -np.inf, 0.0, 1.0, 1.0, -3.0]
    for _ in range(100):
        rows = rng.choice(pool, size=(3, 6))
        k = int(rng.integers(0, 7))
        got = vf.tensor(rows).topk(k, largest=largest)
        want = torch.tensor(rows).topk(k, largest=largest)
        np.testing.assert_array_equal(got.values.numpy(), want.values.numpy())
        idx = got.indices.numpy()
        assert all(len(set(r)) == k for r in idx.tolist()), (rows, idx)
        np.testing.assert_array_equal(np.take_along_axis(rows, idx, 1), got.values.numpy())
