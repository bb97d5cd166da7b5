"""Tracing: graphs from functions and the builder, scopes, sources, signatures, errors."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.errors import ShapeError
from vizflow_engine.graph import (
    Graph,
    GraphError,
    TraceError,
    function,
    grad_graph,
    spec,
    specialize,
    trace,
    verify,
)

from .models import mlp, mlp_params


def f(x, w):
    return vf.tanh(x @ w) * 2.0 + 1.0


def test_function_matches_eager_and_caches_per_signature():
    r = np.random.default_rng(0)
    w = r.standard_normal((3, 2))
    ff = function(f)
    for n in (4, 4, 7):
        x = r.standard_normal((n, 3))
        got = ff(vf.tensor(x), vf.tensor(w))
        np.testing.assert_allclose(got.numpy(), np.tanh(x @ w) * 2 + 1, rtol=1e-12)
    assert len(ff.cache) == 2  # (4,3) and (7,3)


def test_trace_with_specs_and_named_dims():
    g = trace(f, spec(("batch", 3), "float64"), spec((3, 2), "float64"))
    verify(g)
    assert g.inputs[0].shape == ("batch", 3)
    assert [n.op.name for n in g.nodes] == ["matmul", "tanh", "mul", "add"]
    out = g.outputs[0]
    assert out.shape == ("batch", 2) and str(out.dtype) == "float64"
    x, w = np.ones((5, 3)), np.full((3, 2), 0.1)
    (res,) = g.compile().run(x, w)
    np.testing.assert_allclose(res, np.tanh(x @ w) * 2 + 1)


def test_named_dims_carry_through_shape_rules_and_unknown_ones_stay_unknown():
    def many(x, w):
        h = vf.relu(x @ w)
        return (
            h.sum(axis=1),  # (batch,)
            h.T,  # (2, batch)
            vf.concatenate([h, h], axis=1),  # (batch, 4)
            h.reshape(-1),  # batch*2: unknown
            h[:, None, :].reshape(-1, 2),  # back to (batch, 2)
            h[1:3],  # depends on batch: unknown
            x @ x.T,  # (batch, batch)
        )

    g = trace(many, spec(("batch", 3), "float64"), spec((3, 2), "float64"))
    verify(g)
    assert [o.shape for o in g.outputs] == [
        ("batch",),
        (2, "batch"),
        ("batch", 4),
        (None,),
        ("batch", 2),
        (None, 2),
        ("batch", "batch"),
    ]
    x, w = np.arange(15.0).reshape(5, 3), np.full((3, 2), 0.1)
    got = g.compile().run(x, w)
    h = np.maximum(x @ w, 0)
    np.testing.assert_allclose(got[5], h[1:3])
    assert got[6].shape == (5, 5)


def test_mean_and_var_over_unknown_dims_count_at_run_time():
    g = trace(
        lambda x: (x.mean(axis=0), x.var(axis=0), x.std(), x.mean()), spec((None, 3), "float64")
    )
    verify(g)
    assert "count" in [n.op.name for n in g.nodes]
    for n in (2, 7):
        x = np.random.default_rng(n).standard_normal((n, 3))
        got = g.compile().run(x)
        want = (x.mean(axis=0), x.var(axis=0, ddof=1), x.std(ddof=1), x.mean())
        for a, b in zip(got, want, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12)


def test_gradients_of_a_graph_with_unknown_dims_ask_for_concrete_shapes():
    g = trace(
        lambda x, w: (x @ w).var(axis=0).sum(),
        spec(("batch", 3), "float64"),
        spec((3, 2), "float64"),
    )
    with pytest.raises(GraphError, match="specialize"):
        grad_graph(g, wrt=["x", "w"])
    gg = grad_graph(specialize(g, ((4, 3), (3, 2))), wrt=["x", "w"])
    verify(gg)
    x = np.random.default_rng(0).standard_normal((4, 3))
    w = np.random.default_rng(1).standard_normal((3, 2))
    _, gx, gw = gg.compile().run(x, w)
    xt, wt = vf.tensor(x, requires_grad=True), vf.tensor(w, requires_grad=True)
    (xt @ wt).var(axis=0).sum().backward()
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(gw, wt.grad.numpy(), rtol=1e-10)


def test_builder_operators_and_methods_route_through_dispatch():
    g = Graph("built")
    x = g.placeholder("x", (2, 3), "float64")
    w = g.variable("w", np.arange(6.0).reshape(3, 2))
    c = g.constant(np.array([1.0, -1.0]))
    y = ((x @ w + c).relu() - 1.0).exp().sum(axis=1).mean()
    g.output(y)
    verify(g)
    xv = np.linspace(-1, 1, 6).reshape(2, 3)
    want = np.exp(np.maximum(xv @ np.arange(6.0).reshape(3, 2) + [1, -1], 0) - 1).sum(1).mean()
    np.testing.assert_allclose(g(xv)[0], want)


def test_scopes_and_source_locations_are_recorded():
    params = mlp_params((3, 4, 2))
    g = trace(lambda x: mlp(params, x), spec((5, 3), "float64"))
    scopes = {n.scope for n in g.nodes}
    assert scopes == {"layer0", "layer1"}
    src = g.nodes[0].source
    assert src is not None and src.file.endswith("models.py") and src.function == "mlp"
    assert len(g.variables) == 4 and all(v.tensor is not None for v in g.variables)


def test_data_dependent_if_raises_a_clear_error():
    def bad(x):
        if x.sum() > 0:
            return x
        return -x

    with pytest.raises(TraceError, match=r"Python `if`.*vf.where"):
        trace(bad, spec((3,)))


def test_python_control_flow_is_unrolled():
    def loop(x, n):
        for _ in range(n):
            x = x * 2.0
        return x

    g = trace(loop, spec((3,)), 4)
    assert [n.op.name for n in g.nodes] == ["mul"] * 4


def test_bad_shapes_name_the_node_and_line():
    g = Graph()
    a = g.placeholder("a", (2, 3))
    b = g.placeholder("b", (4, 5))
    with pytest.raises(ShapeError, match=r"matmul \(node 'matmul'\).*inner dims") as e:
        _ = a @ b
    assert "test_trace.py" in str(e.value)


def test_concrete_values_are_refused_while_tracing():
    with pytest.raises(TraceError, match="float"):
        trace(lambda x: float(x.sum()), spec((2,)))
    with pytest.raises(TraceError, match="numpy"):
        trace(lambda x: x.numpy(), spec((2,)))


def test_random_creation_ops_run_each_call():
    ff = function(lambda x: x + vf.rand(3))
    a = ff(vf.zeros(3)).numpy()
    b = ff(vf.zeros(3)).numpy()
    assert not np.array_equal(a, b)


def test_outputs_keep_structure():
    ff = function(lambda x: {"double": x * 2.0, "pair": (x + 1.0, x.sum())})
    out = ff(vf.ones(2))
    np.testing.assert_array_equal(out["double"].numpy(), [2.0, 2.0])
    assert float(out["pair"][1].item()) == 2.0


def test_eager_tensors_are_not_changed_by_tracing():
    w = vf.tensor(np.ones(3), requires_grad=True)
    before = w.array.copy()

    def upd(x):
        with vf.no_grad():
            w.sub_(x)
        return w * 1.0

    ff = function(upd)
    out = ff(vf.tensor(np.full(3, 0.5)))
    np.testing.assert_array_equal(out.numpy(), before - 0.5)
    np.testing.assert_array_equal(w.numpy(), before - 0.5)  # the compiled update ran once
    g = ff.graph(vf.tensor(np.full(3, 0.5)))
    assert len(g.updates) == 1 and g.updates[0][1].node.phase == "update"


def test_returning_a_captured_tensor_returns_its_current_value():
    w = vf.tensor(np.zeros(2), requires_grad=True)

    def step(x):
        with vf.no_grad():
            w.add_(x)
        return w

    ff = function(step)
    ff(vf.tensor(np.ones(2)))
    out = ff(vf.tensor(np.ones(2)))
    np.testing.assert_array_equal(out.numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(w.numpy(), [2.0, 2.0])


def test_tracing_in_one_thread_leaves_eager_work_in_another_thread_alone():
    """The trace records its own thread's ops; a data-loading thread keeps computing eagerly."""
    started, traced = threading.Event(), threading.Event()
    results: list[Any] = []

    def eager_worker() -> None:
        started.wait(5)
        t = vf.tensor(np.arange(4.0), requires_grad=True)
        with vf.record_tape() as tape:
            y = (t * 2.0).sum()
        y.backward()
        results.extend([y, t.grad, len(tape)])
        traced.set()

    def slow(x, w):
        started.set()
        traced.wait(5)  # the other thread runs its ops while this trace is open
        return f(x, w)

    worker = threading.Thread(target=eager_worker)
    worker.start()
    g = trace(slow, spec((2, 3), "float64"), spec((3, 2), "float64"))
    worker.join(5)
    y, grad, taped = results
    assert isinstance(y, vf.Tensor) and y.item() == 12.0
    np.testing.assert_array_equal(grad.numpy(), [2.0] * 4)
    assert taped == 2  # mul and sum, on the worker's own tape
    assert [n.op.name for n in g.nodes] == ["matmul", "tanh", "mul", "add"]
