"""Graph mode on CUDA (cupy): compiled results and training steps equal eager ones on the GPU."""

from __future__ import annotations

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.graph import function, grad_graph, spec, trace

from .models import data, mlp_params, sgd_step

pytestmark = pytest.mark.skipif(not vf.cuda_available(), reason="needs cupy and a CUDA GPU")


def _cuda(ps):
    return [p.to("cuda").detach().requires_grad_() for p in ps]


def test_compiled_function_runs_on_the_gpu():
    ff = function(lambda x, w: (vf.tanh(x @ w) * 2.0).sum(axis=1))
    r = np.random.default_rng(0)
    x, w = r.standard_normal((64, 32)), r.standard_normal((32, 16))
    out = ff(vf.tensor(x, device="cuda"), vf.tensor(w, device="cuda"))
    assert out.device.type == "cuda"
    plan = ff.plan(vf.tensor(x, device="cuda"), vf.tensor(w, device="cuda"))
    assert plan.xp.__name__ == "cupy"
    np.testing.assert_allclose(out.numpy(), (np.tanh(x @ w) * 2).sum(1), rtol=1e-10)


def test_gpu_training_steps_equal_eager_gpu_steps():
    x, y = data()
    pe, pc = _cuda(mlp_params((8, 16, 4))), _cuda(mlp_params((8, 16, 4)))
    xt, yt = vf.tensor(x, device="cuda"), vf.tensor(y, device="cuda")
    eager = [sgd_step(pe, xt, yt).item() for _ in range(4)]
    step = function(lambda a, b: sgd_step(pc, a, b))
    compiled = [step(xt, yt).item() for _ in range(4)]
    np.testing.assert_allclose(compiled, eager, rtol=1e-10)
    for a, b in zip(pe, pc, strict=True):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-10, atol=1e-13)


def test_stepping_on_the_gpu_gives_device_values():
    g = grad_graph(trace(lambda x: (vf.exp(x) * x).sum(), spec((8,), "float64", "cuda")), wrt=["x"])
    import cupy

    run = g.compile().start(cupy.linspace(0, 1, 8))
    events = list(run)
    assert all(isinstance(e.output, cupy.ndarray) for e in events)
    _loss, gx = run.finish()
    xs = np.linspace(0, 1, 8)
    np.testing.assert_allclose(cupy.asnumpy(gx), np.exp(xs) * (1 + xs), rtol=1e-12)
