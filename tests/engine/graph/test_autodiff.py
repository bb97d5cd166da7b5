"""Symbolic gradients agree with eager autograd and with finite differences (float64)."""

from __future__ import annotations

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.graph import Graph, grad_graph, spec, trace, verify

from .models import cross_entropy, mlp, mlp_params

FUNCS = {
    "mlp_ce": lambda x, w, b: cross_entropy(vf.tanh(x @ w + b), vf.softmax(x[:, :3] * 0.0, 1)),
    "smooth": lambda x, w, b: (vf.sigmoid(x @ w) * vf.exp(b * 0.1) + vf.sin(x[:, :3])).sum(),
    "reductions": lambda x, w, b: (vf.logsumexp(x @ w, axis=1) + (x * x).mean(axis=1)).var(),
    "broadcast": lambda x, w, b: ((x @ w - b) ** 2).sum(axis=0).mean() / 3.0,
    "shapes": lambda x, w, b: vf.reshape(x @ w, (3, 4)).T.sum(axis=1).prod(),
}


def _inputs(seed=0):
    r = np.random.default_rng(seed)
    return r.standard_normal((4, 5)), r.standard_normal((5, 3)), r.standard_normal(3)


def _graph(fn):
    g = trace(fn, spec((4, 5), "float64"), spec((5, 3), "float64"), spec((3,), "float64"))
    return verify(grad_graph(g, wrt=[v.name for v in g.inputs]))


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_grad_graph_matches_eager(name):
    fn = FUNCS[name]
    gg = _graph(fn)
    args = _inputs()
    out, *grads = gg.compile().run(*args)
    ts = [vf.tensor(a, requires_grad=True) for a in args]
    loss = fn(*ts)
    loss.backward()
    np.testing.assert_allclose(out, loss.numpy(), rtol=1e-12)
    for g, t in zip(grads, ts, strict=True):
        want = np.zeros_like(g) if t.grad is None else t.grad.numpy()  # unused input: zeros
        np.testing.assert_allclose(g, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_grad_graph_matches_finite_differences(name):
    gg = _graph(FUNCS[name])
    plan = gg.compile()
    args = list(_inputs(1))
    _, *grads = plan.run(*args)
    eps = 1e-6
    for k, a in enumerate(args):
        num = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            hi = [x.copy() for x in args]
            lo = [x.copy() for x in args]
            hi[k][idx] += eps
            lo[k][idx] -= eps
            num[idx] = (plan.run(*hi)[0] - plan.run(*lo)[0]) / (2 * eps)
        np.testing.assert_allclose(grads[k], num, rtol=1e-5, atol=1e-7)


def test_backward_nodes_are_linked_to_forward_nodes():
    g = trace(
        FUNCS["smooth"], spec((4, 5), "float64"), spec((5, 3), "float64"), spec((3,), "float64")
    )
    gg = grad_graph(g, wrt=["x"])
    fwd = [n for n in gg.nodes if n.phase == "forward"]
    bwd = [n for n in gg.nodes if n.phase == "backward"]
    assert len(fwd) == len(g.nodes) and bwd
    assert all(n.forward_of in fwd for n in bwd)
    assert len(gg.outputs) == 2 and gg.outputs[1].shape == (4, 5)
    assert len(g.nodes) == len(fwd)  # the input graph is unchanged


def test_grad_wrt_variables_by_default_and_unused_is_zero():
    g = Graph()
    x = g.placeholder("x", (3,), "float64")
    w = g.variable("w", np.array([1.0, 2.0, 3.0]))
    g.variable("unused", np.ones(2))
    g.output((x * w).sum())
    gg = grad_graph(g)
    _out, gw, gu = gg.compile().run(np.array([4.0, 5.0, 6.0]))
    np.testing.assert_array_equal(gw, [4.0, 5.0, 6.0])
    np.testing.assert_array_equal(gu, [0.0, 0.0])


def test_loss_backward_inside_trace_sets_symbolic_grads_and_leaves_none_behind():
    params = mlp_params((5, 4, 3))
    sentinel = vf.tensor(np.ones((5, 4)))
    params[0].grad = sentinel
    seen = {}

    def step(x):
        params[0].grad = None
        loss = mlp(params, x).sum()
        loss.backward()
        seen["grad"] = params[0].grad
        return loss, params[0].grad

    g = trace(step, spec((2, 5), "float64"))
    # the Python assignment `grad = None` ran once, at trace time; no symbolic grad is left
    assert params[0].grad is None and params[1].grad is None
    assert type(seen["grad"]).__name__ == "Value" and seen["grad"].shape == (5, 4)
    x = np.random.default_rng(0).standard_normal((2, 5))
    _, gw = g.compile().run(x)
    xt = vf.tensor(x)
    for p in params:
        p.grad = None
    mlp(params, xt).sum().backward()
    np.testing.assert_allclose(gw, params[0].grad.numpy(), rtol=1e-12)


def test_function_grad_and_top_level_exports():
    f = vf.function(lambda x, w: (vf.tanh(x @ w) ** 2).sum())
    x, w = np.ones((2, 3)), np.full((3, 4), 0.1)
    gg = f.grad(vf.tensor(x), vf.tensor(w), wrt=["x", "w"])
    assert isinstance(gg, vf.Graph) and [v.shape for v in gg.outputs] == [(), (2, 3), (3, 4)]
    _, gx, gw = gg.compile().run(x, w)
    t = np.tanh(x @ w)
    np.testing.assert_allclose(gw, x.T @ (2 * t * (1 - t * t)), rtol=1e-12)
    np.testing.assert_allclose(gx, (2 * t * (1 - t * t)) @ w.T, rtol=1e-12)


def test_backward_nodes_take_the_scope_of_the_node_they_differentiate() -> None:
    from vizflow_engine import nn

    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    g = vf.grad_graph(vf.trace(lambda x: model(x).sum(), vf.randn(2, 3)))
    backward = [n for n in g.nodes if n.phase == "backward" and n.forward_of is not None]
    assert backward
    for node in backward:
        assert node.scope == node.forward_of.scope, (node, node.forward_of)
    assert {n.scope for n in backward} >= {"0", "2"}


def test_eager_backward_nodes_take_the_scope_of_the_node_they_differentiate() -> None:
    from vizflow_engine import nn

    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
    x = vf.randn(2, 3, requires_grad=True)
    (g,) = vf.grad(model(x).sum(), x, create_graph=True)
    assert g.node is not None and g.node.phase == "backward"
    assert g.node.scope == g.node.forward_of.scope == "0"
