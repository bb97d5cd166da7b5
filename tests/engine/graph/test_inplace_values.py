"""In-place ops on symbolic values behave as in eager mode: the name moves, old users stay."""

from __future__ import annotations

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.graph import (
    Graph,
    TraceError,
    function,
    grad_graph,
    optimize,
    spec,
    trace,
    verify,
)
from vizflow_engine.graph.passes import infer_shapes

IDX = np.array([0, 2])


def body(x):
    """Every in-place form on intermediates; `before` and `mid` read values later overwritten."""
    y = x * 2.0
    before = y + 0.0
    y += 1.0
    y -= x
    mid = y * 1.0
    y *= x
    y /= 2.0
    y[0] = 0.0
    y[1:3, 0] = -1.0
    y[IDX, 1] = mid[IDX, 1] * 3.0
    y[[1, 3]] = y[[0, 2]] + 1.0
    return y, before, mid


def _x() -> np.ndarray:
    return np.random.default_rng(0).standard_normal((4, 3))


def _eager() -> list[np.ndarray]:
    return [t.numpy() for t in body(vf.tensor(_x()))]


def _unique_uids(g: Graph) -> None:
    uids = [v.uid for v in g.all_values()]
    assert len(uids) == len(set(uids))
    assert len({v.name for v in g.all_values()}) == len(uids)


def test_builder_values_updated_in_place_give_eager_results():
    g = Graph()
    x = g.placeholder("x", (4, 3), "float64")
    g.output(*body(x))
    _unique_uids(g)
    verify(g)
    assert "setitem = mul" not in str(g)
    for gg in (g, infer_shapes(g), optimize(g, fuse=True)[0]):
        for got, want in zip(gg(_x()), _eager(), strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12)


def test_traced_function_with_in_place_ops_matches_eager():
    f = function(body)
    for got, want in zip(f(vf.tensor(_x())), _eager(), strict=True):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    _unique_uids(f.graph(spec((4, 3), "float64")))


def test_in_place_on_a_placeholder_keeps_the_input():
    def fn(x):
        x += 1.0
        x[0] = 5.0
        return x

    g = trace(fn, spec((3,), "float64"))
    assert g.inputs[0].kind == "input" and g.inputs[0].node is None
    np.testing.assert_allclose(g(np.zeros(3))[0], [5.0, 1.0, 1.0])


def chain(x):
    """In-place ops that eager backward accepts (no value is read before it is overwritten)."""
    y = x * 2.0
    y += 1.0
    y -= x
    y *= x
    y /= 2.0
    y[0] = 0.0
    y[IDX, 1] = x[IDX, 1] * 3.0
    return (y * y).sum()


def test_gradients_through_in_place_ops_match_eager():
    gg = verify(grad_graph(trace(chain, spec((4, 3), "float64")), wrt=["x"]))
    out, gx = gg(_x())
    t = vf.tensor(_x(), requires_grad=True)
    want = chain(t)
    want.backward()
    np.testing.assert_allclose(out, want.numpy(), rtol=1e-12)
    np.testing.assert_allclose(gx, t.grad.numpy(), rtol=1e-10)


def test_gradients_reach_values_read_before_an_in_place_op():
    """Eager backward refuses this; the graph keeps both values, so d/dx (x*2)·(x*2+1) holds."""

    def loss(x):
        y = x * 2.0
        before = y * 1.0
        y += 1.0
        return (before * y).sum()

    gg = grad_graph(trace(loss, spec((4, 3), "float64")), wrt=["x"])
    np.testing.assert_allclose(gg(_x())[1], 8.0 * _x() + 2.0, rtol=1e-12)


def test_in_place_update_of_a_builder_variable_becomes_a_graph_update():
    g = Graph()
    w = g.variable("w", np.ones(3))
    x = g.placeholder("x", (3,), "float64")
    with vf.no_grad():
        w -= x * 0.5
        w *= 2.0
    plan = g.compile()
    plan.run(np.ones(3))
    np.testing.assert_allclose(plan.cells[0].array, [1.0, 1.0, 1.0])
    plan.run(np.ones(3))
    np.testing.assert_allclose(plan.cells[0].array, [1.0, 1.0, 1.0])
    plan.run(np.full(3, 2.0))
    np.testing.assert_allclose(plan.cells[0].array, [0.0, 0.0, 0.0])


def test_in_place_errors_are_eager_ones():
    g = Graph()
    w = g.variable("w", np.ones(3))
    with pytest.raises(TraceError, match="leaf that requires grad"):
        w += 1.0
    y = g.placeholder("x", (3,), "float64") * 1.0
    with pytest.raises(ValueError, match="change shape"):
        y += np.ones((2, 3))
