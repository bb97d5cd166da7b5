"""A whole training step as one graph: N compiled steps equal N eager steps."""

from __future__ import annotations

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.graph import function, verify

from .models import Adam, cross_entropy, data, mlp, mlp_params, sgd_step

N = 6


def test_sgd_step_compiled_equals_eager():
    x, y = data()
    pe, pc = mlp_params((8, 16, 4)), mlp_params((8, 16, 4))
    eager = [sgd_step(pe, vf.tensor(x), vf.tensor(y)).item() for _ in range(N)]
    step = function(lambda a, b: sgd_step(pc, a, b))
    compiled = [step(vf.tensor(x), vf.tensor(y)).item() for _ in range(N)]
    np.testing.assert_allclose(compiled, eager, rtol=1e-12)
    for a, b in zip(pe, pc, strict=True):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-12, atol=1e-14)
    assert len(step.cache) == 1  # traced once


def test_training_graph_has_three_phases_and_in_place_updates():
    x, y = data()
    params = mlp_params((8, 16, 4))
    step = function(lambda a, b: sgd_step(params, a, b))
    g = verify(step.graph(vf.tensor(x), vf.tensor(y)))
    phases = {n.phase for n in g.nodes}
    assert phases == {"forward", "backward", "update"}
    names = {p.name for p in params}
    assert {v.name for v, _ in g.updates} == names | {f"{n}.grad" for n in names}
    assert all(v.tensor is p for v, p in zip(g.variables[: len(params)], params, strict=True))
    plan = step.plan(vf.tensor(x), vf.tensor(y))
    # W -= lr*g writes into W itself, and each gradient is computed straight into W.grad
    assert len(plan.memory.var_inplace) == 2 * len(params)


@pytest.mark.parametrize("optimize", [True, False])
def test_a_compiled_step_leaves_each_gradient_in_grad_like_eager_backward(optimize):
    x, y = data(seed=5)
    pe, pc = mlp_params((8, 16, 4), seed=4), mlp_params((8, 16, 4), seed=4)
    step = function(lambda a, b: sgd_step(pc, a, b), optimize=optimize)
    for _ in range(3):
        sgd_step(pe, vf.tensor(x), vf.tensor(y))
        step(vf.tensor(x), vf.tensor(y))
        for a, b in zip(pe, pc, strict=True):
            assert b.grad is not None and b.grad.shape == a.grad.shape
            np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), rtol=1e-10, atol=1e-14)
    before = [p.grad for p in pc]
    step.graph(vf.tensor(x), vf.tensor(y))  # tracing alone leaves .grad as it was
    assert all(p.grad is g for p, g in zip(pc, before, strict=True))


@pytest.mark.parametrize("optimize", [True, False])
def test_adam_step_compiled_equals_eager(optimize):
    x, y = data(seed=3)
    pe, pc = mlp_params((8, 6, 4), seed=2), mlp_params((8, 6, 4), seed=2)
    oe, oc = Adam(pe), Adam(pc)

    def step(params, opt, a, b):
        for p in params:
            p.grad = None
        loss = cross_entropy(mlp(params, a), b)
        loss.backward()
        opt.step()
        return loss

    eager = [step(pe, oe, vf.tensor(x), vf.tensor(y)).item() for _ in range(N)]
    # Adam's bias correction depends on the Python step count: trace once per step count,
    # the way tf.function retraces on a changed Python value.
    cstep = function(lambda a, b, t: step(pc, oc, a, b), optimize=optimize)
    compiled = []
    for t in range(N):
        oc.t = t
        compiled.append(cstep(vf.tensor(x), vf.tensor(y), t).item())
    np.testing.assert_allclose(compiled, eager, rtol=1e-10)
    for a, b in zip([*pe, *oe.m, *oe.v], [*pc, *oc.m, *oc.v], strict=True):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-9, atol=1e-13)


def _nn_model(seed: int):
    from vizflow_engine import nn

    vf.manual_seed(seed)
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))


@pytest.mark.parametrize("opt_name", ["SGD", "SGD-momentum", "Adam", "AdamW"])
def test_nn_and_optim_training_step_compiled_equals_eager(opt_name):
    from vizflow_engine import optim
    from vizflow_engine.nn import functional as F

    def make(model):
        ps = list(model.parameters())
        if opt_name == "SGD":
            return optim.SGD(ps, lr=0.1)
        if opt_name == "SGD-momentum":
            return optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True)
        return getattr(optim, opt_name)(ps, lr=0.01)

    me, mc = _nn_model(5), _nn_model(5)
    oe, oc = make(me), make(mc)
    x, y = data(seed=4)
    xt = vf.tensor(x.astype(np.float32))
    # one-hot targets: nn.functional.cross_entropy tests isinstance(target, Tensor) to pick the
    # index path, which a traced (symbolic) target is not
    yt = vf.tensor(y.astype(np.float32))

    def step(model, opt, a, b):
        opt.zero_grad()
        loss = F.cross_entropy(model(a), b)
        loss.backward()
        opt.step()
        return loss

    eager = [step(me, oe, xt, yt).item() for _ in range(N)]
    cstep = function(lambda a, b: step(mc, oc, a, b))
    compiled = [cstep(xt, yt).item() for _ in range(N)]
    np.testing.assert_allclose(compiled, eager, rtol=1e-5)
    for a, b in zip(me.parameters(), mc.parameters(), strict=True):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-5, atol=1e-6)
    g = verify(cstep.graph(xt, yt))
    assert {n.phase for n in g.nodes} == {"forward", "backward", "update"}
    assert any(n.scope for n in g.nodes)  # module names became scopes
    assert len(cstep.cache) == 1


def test_fused_training_graph_equals_eager():
    from vizflow_engine.graph import optimize

    x, y = data(seed=6)
    pe, pc = mlp_params((8, 16, 4), seed=7), mlp_params((8, 16, 4), seed=7)
    step = function(lambda a, b: sgd_step(pc, a, b))
    g = step.graph(vf.tensor(x), vf.tensor(y))
    fused, report = optimize(g, fuse=True)
    assert report.records[-1].added.get("fused", 0) >= 1
    plan = verify(fused).compile()
    for _ in range(N):
        want = sgd_step(pe, vf.tensor(x), vf.tensor(y)).item()
        (got,) = plan.run(x, y)
        np.testing.assert_allclose(got, want, rtol=1e-12)
    for a, b in zip(pe, pc, strict=True):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-12, atol=1e-14)
