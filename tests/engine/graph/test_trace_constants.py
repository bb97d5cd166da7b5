"""Tensors a traced function creates for itself: deterministic ones are graph constants (so
folding removes them), random ones draw new numbers on every compiled call, as in eager mode."""

from __future__ import annotations

from typing import Any

import numpy as np

import vizflow_engine as vf
from vizflow_engine import nn, optim
from vizflow_engine.graph import function


def _x(n: int = 3) -> Any:
    return vf.tensor(np.arange(float(n)))


def test_a_created_tensor_becomes_a_constant_that_folding_removes():
    f = function(lambda x: vf.zeros(1000, 1000).sum() + x)
    x = _x()
    g = f.graph(x)
    assert g.variables == []
    assert vf.optimize(g)[0].nodes == []  # sum folded to 0, then 0 + x simplified to x
    np.testing.assert_allclose(f(x).numpy(), x.numpy())
    f = function(lambda x: vf.ones(1000, 1000).sum() * x)
    opt = vf.optimize(f.graph(x))[0]
    assert [n.op.name for n in opt.nodes] == ["mul"]
    assert all(c.value.size == 1 for c in opt.constants)  # the 4 MB array is gone
    np.testing.assert_allclose(f(x).numpy(), 1e6 * x.numpy())


def test_creation_ops_give_eager_results():
    def fn(x: Any) -> Any:
        return vf.ones(3) * x + vf.arange(3) + (vf.eye(3) @ x) + vf.full((3,), 2.0)

    f = function(fn)
    x = _x()
    assert f.graph(x).variables == []
    for _ in range(2):
        np.testing.assert_allclose(f(x).numpy(), fn(x).numpy())


def test_a_tensor_created_and_updated_in_place_starts_afresh_each_call():
    def acc(x: Any) -> Any:
        a = vf.zeros(3, dtype=x.dtype)
        a += x
        return a * 2

    def acc_returned(x: Any) -> Any:  # the buffer itself is the output
        a = vf.zeros(3, dtype=x.dtype)
        a += x
        return a

    x = _x()
    for fn, scale in ((acc, 2), (acc_returned, 1)):
        f = function(fn)
        for _ in range(3):
            np.testing.assert_allclose(f(x).numpy(), scale * x.numpy())


def test_a_created_tensor_kept_outside_the_trace_stays_a_variable():
    kept: list[Any] = []

    def fn(x: Any) -> Any:
        if not kept:
            kept.append(vf.zeros(3, dtype=x.dtype))
        return x + kept[0]

    f = function(fn)
    x = _x()
    f(x)
    kept[0].data[...] = 5.0  # eager code may change it: the graph must read it
    np.testing.assert_allclose(f(x).numpy(), x.numpy() + 5)


def test_random_ops_draw_new_numbers_on_every_call_as_eager():
    f = function(lambda x: x + vf.rand(4) + vf.randn(4) + vf.randint(0, 100, (4,)))
    x = vf.tensor(np.zeros(4, np.float32))
    vf.manual_seed(0)
    compiled = [f(x).numpy() for _ in range(3)]
    vf.manual_seed(0)
    eager = [f.fn(x).numpy() for _ in range(3)]
    for c, e in zip(compiled, eager, strict=True):
        np.testing.assert_allclose(c, e, rtol=1e-6)
    assert not np.allclose(compiled[0], compiled[1])
    opt = vf.optimize(f.graph(x))[0]
    assert {"rand", "randn", "randint"} <= {n.op.name for n in opt.nodes}


def test_dropout_masks_differ_between_calls():
    vf.manual_seed(0)
    m = nn.Dropout(0.5)
    f = function(m)
    x = vf.tensor(np.ones(64, np.float32))
    assert not np.array_equal(f(x).numpy(), f(x).numpy())


def test_optimizer_state_created_in_the_trace_stays_a_variable():
    w = vf.tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)

    @function
    def step(x: Any) -> Any:
        opt.zero_grad()
        (w * x).sum().backward()
        opt.step()

    x = vf.tensor(np.ones(2))
    for _ in range(3):
        step(x)
    np.testing.assert_allclose(w.numpy(), 1 - 0.1 * (1 + 1.9 + 2.71))
