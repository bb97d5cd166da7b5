"""Creation functions given a traced input's named dim (vf.zeros(x.shape[0], 3) with x traced
on vf.spec(("batch", 3))): the graph keeps the name, and compiled runs equal eager ones at
every batch size, values, shape and dtype (random draws included, so Dropout traces on a
named batch); sizes that cannot be are refused with reasons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import vizflow as vf

MAKERS: dict[str, tuple[Callable[[Any], Any], tuple[Any, ...]]] = {
    # name: (fn of x, the output shape the graph names), x traced on (batch, seq, 3)
    "zeros": (lambda x: vf.zeros(x.shape[0], 3), ("batch", 3)),
    "ones tuple": (lambda x: vf.ones((2, x.shape[0], 4), dtype="float64"), (2, "batch", 4)),
    "full int32": (lambda x: vf.full((x.shape[1], 2), 7, dtype="int32"), ("seq", 2)),
    "full bool": (lambda x: vf.full((x.shape[0],), True), ("batch",)),
    "full -0.0": (lambda x: vf.full((x.shape[0], 1), -0.0), ("batch", 1)),
    "empty": (lambda x: vf.empty(x.shape[0], x.shape[1]), ("batch", "seq")),
    "zeros of x.shape": (lambda x: vf.zeros(x.shape), ("batch", "seq", 3)),
    "two names twice": (
        lambda x: vf.ones(x.shape[1], x.shape[0], x.shape[1]),
        ("seq", "batch", "seq"),
    ),
    "new_zeros": (lambda x: x.new_zeros(x.shape[0], 5), ("batch", 5)),
    "new_full": (lambda x: x.new_full((x.shape[0],), 2.5), ("batch",)),
    "arange": (lambda x: vf.arange(x.shape[1]), ("seq",)),
    "arange float": (lambda x: vf.arange(0, x.shape[0], dtype="float32"), ("batch",)),
}
SPEC = ("batch", "seq", 3)


def _x(batch: int, seq: int) -> np.ndarray:
    """An input whose values must not matter (NaN and Inf among them)."""
    x = np.random.default_rng(batch * 10 + seq).standard_normal((batch, seq, 3)).astype(np.float32)
    x.flat[::7] = np.nan
    x.flat[1::11] = np.inf
    return x


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_compiled_equals_eager_at_every_size(name: str) -> None:
    make, named = MAKERS[name]
    graph = vf.function(make).graph(vf.spec(SPEC))
    assert graph.outputs[0].shape == named
    plan = graph.compile()
    for batch, seq in ((1, 4), (6, 2), (3, 0)):
        x = _x(batch, seq)
        eager = make(vf.tensor(x))
        (compiled,) = plan.run(x)
        assert compiled.shape == eager.shape and compiled.dtype == eager.dtype
        np.testing.assert_array_equal(compiled, eager.numpy())
        np.testing.assert_array_equal(np.signbit(compiled), np.signbit(eager.numpy()))


def test_a_model_with_positions_and_a_mask_runs_every_batch_as_eagerly() -> None:
    layer = vf.nn.Linear(3, 2)
    table = vf.tensor(np.linspace(-1, 1, 16, dtype=np.float32).reshape(8, 2))

    def forward(x: Any) -> Any:
        pos = table[vf.arange(x.shape[1])]  # a position embedding: (seq, 2)
        keep = vf.ones(x.shape[0], x.shape[1], 1)  # a mask sized by the call
        return ((layer(x) + pos) * keep).sum(axis=1)

    plan = vf.function(forward).graph(vf.spec(("batch", "seq", 3))).compile()
    for batch, seq in ((2, 5), (4, 8), (1, 1)):
        x = np.random.default_rng(seq).standard_normal((batch, seq, 3)).astype(np.float32)
        (compiled,) = plan.run(x)
        np.testing.assert_allclose(compiled, forward(vf.tensor(x)).numpy(), rtol=1e-6)


SAMPLERS: dict[str, tuple[Callable[[Any], Any], tuple[Any, ...]]] = {
    "rand": (lambda x: vf.rand(x.shape[0], 2), ("batch", 2)),
    "randn float64": (lambda x: vf.randn((2, x.shape[1]), dtype="float64"), (2, "seq")),
    "rand_like": (lambda x: vf.rand_like(x), SPEC),
    "randn_like of a result": (lambda x: vf.randn_like(x.sum(axis=2)), ("batch", "seq")),
    "dropout": (lambda x: vf.nn.functional.dropout(vf.where(vf.isfinite(x), x, 0.0), 0.5), SPEC),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_samples_at_a_run_time_size_are_the_eager_draws(name: str) -> None:
    make, named = SAMPLERS[name]
    graph = vf.function(make).graph(vf.spec(SPEC))
    assert graph.outputs[0].shape == named
    plan = graph.compile()
    for batch, seq in ((2, 3), (5, 1)):
        x = _x(batch, seq)
        vf.manual_seed(11)
        (compiled,) = plan.run(x)
        vf.manual_seed(11)
        eager = make(vf.tensor(x)).numpy()
        assert compiled.shape == eager.shape and compiled.dtype == eager.dtype
        np.testing.assert_array_equal(compiled, eager)


def test_a_model_with_dropout_traces_on_a_named_batch() -> None:
    model = vf.nn.Sequential(vf.nn.Linear(3, 8), vf.nn.ReLU(), vf.nn.Dropout(0.25))
    plan = vf.function(model).graph(vf.spec(("batch", 3))).compile()
    for batch in (1, 6):
        x = np.random.default_rng(batch).standard_normal((batch, 3)).astype(np.float32)
        vf.manual_seed(3)
        (compiled,) = plan.run(x)
        vf.manual_seed(3)
        np.testing.assert_allclose(compiled, model(vf.tensor(x)).numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda x: vf.zeros(x.shape[0], -1), ValueError, "zeros: negative dim -1"),
        (
            lambda x: vf.ones(x.shape[0], 1.5),
            TypeError,
            r"ones: a dim must be an integer, not float",
        ),
        (lambda x: vf.full((x.shape[0], 2.0), 1.0), TypeError, "not float"),
        (lambda x: vf.zeros(x.shape[2]), TypeError, "a dim of None .* name it in the spec"),
        (lambda x: vf.zeros("time", 3), ValueError, "'time' is not a dim of any input"),
        (lambda x: vf.arange(1, x.shape[0]), ValueError, r"arange\(1, 'batch', 1\).* arange\(n\)"),
        (lambda x: vf.arange(0, x.shape[0], 2), ValueError, "another start or step"),
        (lambda x: vf.zeros(x.shape[0], requires_grad=True), TypeError, "requires_grad=True"),
        (lambda x: vf.randn(x.shape[0], requires_grad=True), TypeError, "requires_grad=True"),
        (lambda x: vf.rand_like(x, requires_grad=True), TypeError, "rand_like: requires_grad"),
        (lambda x: vf.rand(x.shape[0], x.shape[2]), TypeError, "rand: a dim of None"),
    ],
)
def test_sizes_that_cannot_be_are_refused(make: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        vf.function(make).graph(vf.spec(("batch", 3, None)))


def test_a_name_outside_a_traced_function_is_refused() -> None:
    with pytest.raises(TypeError, match="only a traced function's inputs give sizes"):
        vf.zeros("batch", 3)
