"""Traced code that uses a named dim ("batch") the way PyTorch code does, and mixed dtypes:
the graph keeps the name, and compiled values and gradients equal eager ones, dtype included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import vizflow as vf

BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "maximum": vf.maximum,
    "minimum": vf.minimum,
    "where": lambda a, b: vf.where(a > 0, a, b),
}


@pytest.mark.parametrize("int_dtype", ["int64", "int32"])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_float32_with_ints_compiles_to_the_eager_dtype(name: str, int_dtype: str) -> None:
    fn = BINARY[name]
    a = vf.tensor(np.linspace(-1.5, 2.5, 12, dtype=np.float32).reshape(3, 4))
    b = vf.tensor(np.arange(1, 13, dtype=int_dtype).reshape(3, 4))
    eager = fn(a, b)
    compiled = vf.function(fn)(a, b)
    assert eager.dtype == np.float32
    assert compiled.dtype == eager.dtype
    np.testing.assert_allclose(compiled.numpy(), eager.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    ("make", "fill"),
    [
        (lambda x: vf.zeros_like(x), 0.0),
        (lambda x: vf.ones_like(x), 1.0),
        (lambda x: vf.full_like(x, 2.5), 2.5),
    ],
)
def test_filled_like_a_value_with_a_named_dim(make: Callable[[Any], Any], fill: float) -> None:
    fn = vf.function(lambda x: make(x) + 0 * x.sum())
    g = fn.graph(vf.spec(("batch", 3)))
    assert g.outputs[0].shape == ("batch", 3)
    plan = g.compile()
    for batch in (2, 7):
        x = np.full((batch, 3), np.nan, dtype=np.float32)
        x[:, 0] = 1.0
        (out,) = plan.run(np.nan_to_num(x))
        assert out.shape == (batch, 3) and out.dtype == np.float32
        np.testing.assert_array_equal(out, np.full((batch, 3), fill, np.float32))
    # its values never depend on x's: a NaN input still gives the fill
    only_fill = vf.function(make).graph(vf.spec(("batch", 3))).compile()
    (out,) = only_fill.run(np.full((4, 3), np.nan, dtype=np.float32))
    np.testing.assert_array_equal(out, np.full((4, 3), fill, np.float32))


def test_filled_like_keeps_the_dtype_asked_for() -> None:
    g = vf.function(lambda x: vf.ones_like(x, dtype="int64")).graph(vf.spec(("batch", 3)))
    assert g.outputs[0].dtype == np.int64
    (out,) = g.compile().run(np.zeros((5, 3), np.float32))
    assert out.dtype == np.int64 and out.shape == (5, 3)


def test_requires_grad_on_a_run_time_sized_tensor_is_refused() -> None:
    fn = vf.function(lambda x: vf.zeros_like(x, requires_grad=True))
    with pytest.raises(TypeError, match="zeros_like: requires_grad=True needs a tensor of known"):
        fn.graph(vf.spec(("batch", 3)))


def test_reshape_keeps_a_named_dim_given_by_name() -> None:
    fn = vf.function(lambda x: x.reshape(x.shape[0], -1))
    g = fn.graph(vf.spec(("batch", 3, 4)))
    assert g.outputs[0].shape == ("batch", 12)
    plan = g.compile()
    for batch in (1, 6):
        x = np.arange(batch * 12, dtype=np.float32).reshape(batch, 3, 4)
        (out,) = plan.run(x)
        np.testing.assert_array_equal(out, x.reshape(batch, 12))
    keep = vf.function(lambda x: x.reshape(x.shape[0], 2, 6)).graph(vf.spec(("batch", 3, 4)))
    assert keep.outputs[0].shape == ("batch", 2, 6)


def test_reshape_with_named_dims_it_cannot_keep_says_why() -> None:
    two = vf.function(lambda x: x.reshape(x.shape[0], x.shape[1], -1))
    with pytest.raises(ValueError, match="more need flatten"):
        two.graph(vf.spec(("batch", "seq", 4)))
    other = vf.function(lambda x: x.reshape(x.shape[0], -1))
    with pytest.raises(ValueError, match="more than one dim known only at run time"):
        other.graph(vf.spec(("batch", None, 4)))


def test_a_float32_leafs_gradient_is_float32_in_eager_and_compiled_steps() -> None:
    def step(x: Any, y: Any, k: Any) -> Any:
        loss = (x * y).sum() + ((x * k).double() * y).sum()
        loss.backward()
        return loss

    k = vf.tensor(np.array([1, -2, 3], dtype=np.int64))
    grads = []
    for run in (step, vf.function(step)):
        x = vf.tensor(np.array([0.1, 0.2, 0.3], np.float32), requires_grad=True)
        y = vf.tensor(np.array([1.1, -0.7, 0.3], np.float64), requires_grad=True)
        run(x, y, k)
        assert x.grad is not None and y.grad is not None
        assert x.grad.dtype == np.float32 and y.grad.dtype == np.float64
        grads.append((x.grad.numpy(), y.grad.numpy()))
    (ex, ey), (cx, cy) = grads
    np.testing.assert_array_equal(cx, ex)
    np.testing.assert_allclose(cy, ey, rtol=1e-12)
