"""Indexing with index tensors: eager Tensors and symbolic Values are op inputs, so x[i] and
y[i] = v trace, infer shapes (named dims too), differentiate and save the same as eagerly."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.errors import ShapeError
from vizflow_engine.graph import Graph, grad_graph, spec, trace, verify
from vizflow_engine.ops.indexing import INPUT

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 5, 6))
I = np.array([[0, 3], [3, 1]])  # repeats: gradients add up
J = np.array([4, 0])
K = np.array([[5], [1]])

SEPARATED = (0, slice(1, None), "j")  # ints apply first (PyTorch): the block stays in place
# (index with the strings "i", "j", "k" for the index tensors I, J, K)
INDEXES = [
    ("i",),
    ("i", "j"),
    ("i", slice(None), "k"),  # not adjacent: the broadcast block goes first
    (slice(None), "j", 2),  # an int next to an array is advanced too
    SEPARATED,
    (None, "i", Ellipsis, "k"),
    (Ellipsis, "j"),
    (slice(None, None, -1), "i", "k"),
    (np.array([True, False, False, True]), "j"),  # a constant mask with an index tensor
    ("i", [1, 2]),  # a list stays a constant
]
ARRAYS = {"i": I, "j": J, "k": K}


def _numpy_index(index: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(ARRAYS[i] if isinstance(i, str) else i for i in index)


def _take(index: tuple[Any, ...]) -> tuple[Any, Any]:
    """(array indexed, numpy index into it) for the reference result of X[index]."""
    if index is SEPARATED:
        return X[0], (slice(1, None), J)
    return X, _numpy_index(index)


def _with(index: tuple[Any, ...], tensors: list[Any]) -> tuple[Any, ...]:
    """The index with each name replaced by the next of tensors."""
    it = iter(tensors)
    return tuple(next(it) if isinstance(i, str) else i for i in index)


def _names(index: tuple[Any, ...]) -> list[str]:
    return [i for i in index if isinstance(i, str)]


@pytest.mark.parametrize("index", INDEXES, ids=str)
def test_eager_getitem_with_index_tensors_matches_numpy_and_records_them(index):
    x = vf.tensor(X, requires_grad=True)
    ts = [vf.tensor(ARRAYS[n]) for n in _names(index)]
    y = x[_with(index, ts)]
    base, at = _take(index)
    want = base[at]
    np.testing.assert_array_equal(y.numpy(), want)
    assert y.node is not None and y.node.inputs[1:] == tuple(ts)
    assert [i for i in y.node.params["index"] if isinstance(i, str)] == [INPUT] * len(ts)
    w = RNG.standard_normal(want.shape)
    (y * vf.tensor(w)).sum().backward()
    expect = np.zeros_like(X)
    np.add.at(expect[0] if base is not X else expect, at, w)
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), expect, rtol=1e-12)


@pytest.mark.parametrize("index", INDEXES, ids=str)
def test_grad_graph_of_getitem_with_symbolic_indices_matches_eager(index):
    names = _names(index)

    def fn(x: Any, *idx: Any) -> Any:
        return (x[_with(index, list(idx))] ** 2).sum()

    specs = [spec(ARRAYS[n].shape, "int64") for n in names]
    g = trace(fn, spec(X.shape, "float64"), *specs)
    gg = verify(grad_graph(g, wrt=["x"]))
    out, gx = gg.compile().run(X, *(ARRAYS[n] for n in names))
    x = vf.tensor(X, requires_grad=True)
    loss = fn(x, *(vf.tensor(ARRAYS[n]) for n in names))
    loss.backward()
    assert x.grad is not None
    np.testing.assert_allclose(out, loss.numpy(), rtol=1e-12)
    np.testing.assert_allclose(gx, x.grad.numpy(), rtol=1e-12)


def test_the_traced_index_is_a_graph_input_not_a_constant():
    @vf.function
    def f(x, i):
        return x[i] * 2

    x = vf.tensor(np.arange(5.0))
    np.testing.assert_array_equal(f(x, vf.tensor(np.array([1, 3]))).numpy(), [2.0, 6.0])
    np.testing.assert_array_equal(f(x, vf.tensor(np.array([4, 0]))).numpy(), [8.0, 0.0])
    assert len(f.cache) == 1  # one trace serves every index of that shape


def test_setitem_with_a_symbolic_index_traces_and_differentiates_like_eager():
    def step(x, v, i):
        y = x * 1
        y[i, 1:] = v * 3
        loss = (y * y).sum()
        loss.backward()
        return loss

    i = np.array([2, 0])
    xs, vs = RNG.standard_normal((3, 4)), RNG.standard_normal(3)
    got = [vf.tensor(xs, requires_grad=True), vf.tensor(vs, requires_grad=True)]
    want = [vf.tensor(xs, requires_grad=True), vf.tensor(vs, requires_grad=True)]
    vf.function(lambda idx: step(*got, idx))(vf.tensor(i))
    step(*want, vf.tensor(i))
    for a, b in zip(got, want, strict=True):
        assert a.grad is not None and b.grad is not None
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12)

    @vf.function
    def zero_at(x, i):
        y = x * 1
        y[i] = 0
        return y

    out = zero_at(vf.tensor(np.arange(5.0)), vf.tensor(np.array([1, 3])))
    np.testing.assert_array_equal(out.numpy(), [0.0, 0.0, 2.0, 0.0, 4.0])


def test_a_traced_training_step_with_an_embedding_lookup_matches_eager():
    def make() -> tuple[vf.Tensor, vf.optim.SGD]:
        w = vf.tensor(np.random.default_rng(1).standard_normal((6, 3)), requires_grad=True)
        return w, vf.optim.SGD([w], lr=0.1)

    def step(w, opt, idx, target):
        opt.zero_grad()
        loss = ((w[idx].sum(axis=(1, 2)) - target) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    (we, oe), (wc, oc) = make(), make()
    compiled = vf.function(lambda idx, t: step(wc, oc, idx, t))
    for seed in range(3):
        r = np.random.default_rng(seed)
        idx, t = vf.tensor(r.integers(0, 6, (4, 2))), vf.tensor(r.standard_normal(4))
        np.testing.assert_allclose(
            compiled(idx, t).numpy(), step(we, oe, idx, t).numpy(), rtol=1e-12
        )
        np.testing.assert_allclose(wc.numpy(), we.numpy(), rtol=1e-12)
    assert len(compiled.cache) == 1


def test_shapes_carry_named_and_unknown_index_dims():
    g = Graph()
    x = g.placeholder("x", (None, 7), "float64")
    i = g.placeholder("i", ("batch", "seq"), "int64")
    j = g.placeholder("j", (None,), "int64")
    assert x[i].shape == ("batch", "seq", 7)
    assert x[i, 2].shape == ("batch", "seq")
    assert x[:, j].shape == (None, None)
    assert x[None, j].shape == (1, None, 7)


def test_index_shape_errors_are_caught_while_tracing():
    g = Graph()
    x = g.placeholder("x", (4, 5), "float64")
    with pytest.raises(ShapeError, match="broadcast"):
        x[g.placeholder("a", (2,), "int64"), g.placeholder("b", (3,), "int64")]
    with pytest.raises(ShapeError, match="integers"):
        x[g.placeholder("f", (2,), "float64")]
    with pytest.raises(ShapeError, match="too many indices"):
        x[0, 1, g.placeholder("c", (2,), "int64")]


def test_a_symbolic_bool_mask_asks_for_where_and_an_eager_one_still_works():
    @vf.function
    def f(x, m):
        return x[m]

    x, m = np.arange(4.0), np.array([True, False, True, False])
    with pytest.raises(ShapeError, match=r"vf\.where"):
        f(vf.tensor(x), vf.tensor(m))
    t = vf.tensor(x, requires_grad=True)
    t[vf.tensor(m)].sum().backward()
    assert t.grad is not None
    np.testing.assert_array_equal(t.grad.numpy(), m.astype(float))
    y = vf.tensor(x)
    y[vf.tensor(m)] = 9.0
    np.testing.assert_array_equal(y.numpy(), [9.0, 1.0, 9.0, 3.0])


def test_eager_setitem_with_an_index_tensor_without_grad_writes_in_place():
    y = vf.tensor(np.zeros((3, 2)))
    data = y.array
    y[vf.tensor(np.array([2, 0])), 1] = vf.tensor(np.array([5.0, 7.0]))
    assert y.array is data
    np.testing.assert_array_equal(y.numpy(), [[0.0, 7.0], [0.0, 0.0], [0.0, 5.0]])


def test_a_graph_with_index_inputs_saves_and_loads():
    g = trace(lambda x, i: x[:, i] * 2.0, spec((3, 4), "float64"), spec((2,), "int64"))
    back = verify(Graph.from_json(g.to_json()))
    x, i = RNG.standard_normal((3, 4)), np.array([3, 1])
    np.testing.assert_array_equal(back(x, i)[0], x[:, i] * 2.0)


def test_writing_a_captured_tensor_at_a_symbolic_index_becomes_a_graph_update():
    buf = vf.tensor(np.zeros(5))

    @vf.function
    def mark(i):
        buf[i] = 1.0
        return buf * 2

    np.testing.assert_array_equal(mark(vf.tensor(np.array([1, 3]))).numpy(), [0, 2, 0, 2, 0])
    np.testing.assert_array_equal(mark(vf.tensor(np.array([0]))).numpy(), [2, 2, 0, 2, 0])
    np.testing.assert_array_equal(buf.numpy(), [1, 1, 0, 1, 0])
