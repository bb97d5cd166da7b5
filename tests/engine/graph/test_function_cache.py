"""vf.function's cache: what makes a new trace, what is an input, what is refreshed per call."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine import nn, optim
from vizflow_engine.graph import function


def _ones(n: int = 3) -> Any:
    return vf.tensor(np.ones(n))


def test_keyword_tensors_are_inputs_not_frozen_constants():
    f = function(lambda x, y: x + y)
    x = _ones()
    np.testing.assert_allclose(f(x, y=_ones() * 10).numpy(), 11.0)
    np.testing.assert_allclose(f(x, y=_ones() * 100).numpy(), 101.0)
    assert len(f.cache) == 1
    assert [v.name for v in f.graph(x, y=_ones()).inputs] == ["x", "y"]


def test_keyword_tensors_are_keyed_by_name():
    f = function(lambda x, a=None, b=None: x * 2 if a is None else x - a)
    x = _ones()
    np.testing.assert_allclose(f(x, a=_ones() * 5).numpy(), -4.0)
    np.testing.assert_allclose(f(x, b=_ones() * 5).numpy(), 2.0)


def test_dict_and_list_arguments_are_flattened_into_inputs():
    f = function(lambda d: d["a"] * d["b"][0] + d["b"][1])
    for k in (2.0, 3.0):
        out = f({"b": [_ones() * k, _ones()], "a": _ones() * 5})
        np.testing.assert_allclose(out.numpy(), 5 * k + 1)
    assert len(f.cache) == 1
    g = f.graph({"b": [_ones(), _ones()], "a": _ones()})
    assert [v.name for v in g.inputs] == ["d_a", "d_b_0", "d_b_1"]


def test_structure_of_a_pytree_argument_is_part_of_the_key():
    f = function(lambda d: sum(d.values()) if isinstance(d, dict) else sum(d))
    x = _ones()
    np.testing.assert_allclose(f({"a": x}).numpy(), 1.0)
    np.testing.assert_allclose(f({"a": x, "b": x}).numpy(), 2.0)
    np.testing.assert_allclose(f([x, x, x]).numpy(), 3.0)
    np.testing.assert_allclose(f((x, x)).numpy(), 2.0)
    assert len(f.cache) == 4


def test_python_numbers_are_keyed_by_type_and_value():
    f = function(lambda x, n: x + (1.0 if isinstance(n, int) else 0.0))
    x = _ones()
    np.testing.assert_allclose(f(x, 2).numpy(), 2.0)
    np.testing.assert_allclose(f(x, 2.0).numpy(), 1.0)
    np.testing.assert_allclose(f(x, True).numpy(), 2.0)
    assert len(f.cache) == 3


def test_a_nan_argument_hits_the_cache():
    f = function(lambda x, s: x * s)
    for nan in (float, np.float64, np.float32):
        for _ in range(2):  # a new NaN object each call (one object would equal itself)
            assert np.isnan(f(_ones(), nan("nan")).numpy()).all()
    assert len(f.cache) == 3


def test_zero_and_negative_zero_are_traced_apart():
    f = function(lambda x, s: x * math.copysign(1.0, s))
    np.testing.assert_allclose(f(_ones(), 0.0).numpy(), 1.0)
    np.testing.assert_allclose(f(_ones(), -0.0).numpy(), -1.0)
    np.testing.assert_allclose(f(_ones(), 0.0).numpy(), 1.0)
    assert len(f.cache) == 2


def test_requires_grad_of_an_argument_is_part_of_the_key():
    f = function(lambda x: x * 2)
    f(_ones())
    xg = vf.tensor(np.ones(3), requires_grad=True)
    f(xg)
    assert len(f.cache) == 2
    assert f.graph(xg).inputs[0].requires_grad


def _dropout_model() -> Any:
    vf.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 64), nn.Dropout(0.5))


def test_switching_a_module_to_eval_retraces():
    m = _dropout_model()
    f = function(m)
    x = vf.tensor(np.ones((2, 4), np.float32))
    assert (f(x).numpy() == 0).any()  # dropout applied in training mode
    m.eval()
    np.testing.assert_allclose(f(x).numpy(), m(x).numpy(), rtol=1e-6)
    m[1].train()  # a submodule alone changes mode
    assert (f(x).numpy() == 0).any()


def test_modules_a_traced_function_calls_are_guarded():
    m = _dropout_model()
    f = function(lambda x: m(x) * 1)
    x = vf.tensor(np.ones((2, 4), np.float32))
    f(x)
    m.eval()
    np.testing.assert_allclose(f(x).numpy(), m(x).numpy(), rtol=1e-6)
    m.train()
    assert (f(x).numpy() == 0).any()


class _Holder:
    """Not a module: what it holds is reachable only through its attributes."""

    def __init__(self, m: Any) -> None:
        self.m = m


class _DirectDropout(nn.Dropout):
    """Overrides __call__ without calling Module.__call__."""

    def __call__(self, x: Any) -> Any:
        return self.forward(x)


@pytest.mark.parametrize("kind", [nn.Dropout, _DirectDropout])
def test_modules_reached_through_other_objects_are_guarded(kind):
    vf.manual_seed(0)
    h = _Holder(kind(0.5))
    f = function(lambda x: h.m(x) * 1)
    x = vf.tensor(np.ones(64, np.float32))
    h.m.eval()
    np.testing.assert_allclose(f(x).numpy(), 1.0)  # traced in eval mode: no op in dropout
    h.m.train()
    assert (f(x).numpy() == 0).any()
    h.m.eval()
    np.testing.assert_allclose(f(x).numpy(), 1.0)
    assert len(f.cache[next(iter(f.cache))]) == 2


class _Scaled(nn.Module):
    def __init__(self, k: float) -> None:
        super().__init__()
        self.k = k
        self.lin = nn.Linear(3, 2)

    @function
    def forward(self, x: Any) -> Any:
        return self.lin(x) * self.k


def test_function_on_a_method_binds_self_per_instance():
    vf.manual_seed(1)
    a, b = _Scaled(1.0), _Scaled(10.0)
    x = vf.tensor(np.ones((4, 3), np.float32))
    want_a = (x.numpy() @ a.lin.weight.numpy().T + a.lin.bias.numpy()) * 1.0
    want_b = (x.numpy() @ b.lin.weight.numpy().T + b.lin.bias.numpy()) * 10.0
    np.testing.assert_allclose(a(x).numpy(), want_a, rtol=1e-5)
    np.testing.assert_allclose(b(x).numpy(), want_b, rtol=1e-5)
    np.testing.assert_allclose(a(x).numpy(), want_a, rtol=1e-5)
    assert a.forward is a.forward
    assert [v.name for v in a.forward.graph(x).inputs] == ["x"]


def test_a_compiled_module_names_its_inputs_after_forward():
    m = nn.Sequential(nn.Linear(3, 2))
    x = vf.tensor(np.ones((4, 3), np.float32))
    assert [v.name for v in function(m).graph(x).inputs] == ["x"]


def test_grad_includes_inputs_that_require_grad():
    f = function(lambda x: (x * x).sum())
    x = vf.tensor(np.arange(3.0), requires_grad=True)
    g = f.grad(x)
    (_, dx) = g.compile().run(np.arange(3.0))
    np.testing.assert_allclose(dx, 2 * np.arange(3.0))


def test_grad_with_nothing_to_differentiate_says_what_to_pass():
    f = function(lambda x: (x * x).sum())
    with pytest.raises(ValueError, match=r"requires_grad=True.*wrt="):
        f.grad(vf.tensor(np.arange(3.0)))


N = 7


def _make_opt(kind: str, params: Any) -> Any:
    if kind == "SGD":
        return optim.SGD(params, lr=0.1, momentum=0.9)
    return optim.Adam(params, lr=0.05)


def _make_sched(kind: str, opt: Any) -> Any:
    if kind == "step":
        return optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    return optim.lr_scheduler.CosineAnnealingLR(opt, T_max=N)


def _train(compiled: bool, opt_kind: str, sched_kind: str) -> list[np.ndarray]:
    vf.manual_seed(3)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = _make_opt(opt_kind, list(model.parameters()))
    sched = _make_sched(sched_kind, opt)
    r = np.random.default_rng(0)
    x = vf.tensor(r.standard_normal((16, 4)).astype(np.float32))
    y = vf.tensor(r.standard_normal((16, 1)).astype(np.float32))

    def step(a: Any, b: Any) -> Any:
        opt.zero_grad()
        loss = ((model(a) - b) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    run = function(step) if compiled else step
    for _ in range(N):
        run(x, y)
        sched.step()
    if compiled:
        assert len(run.cache) == 1  # lr changes are refreshed, not retraced
    return [p.numpy() for p in model.parameters()]


@pytest.mark.parametrize("opt_kind", ["SGD", "Adam"])
@pytest.mark.parametrize("sched_kind", ["step", "cosine"])
def test_lr_schedules_apply_to_compiled_steps(opt_kind, sched_kind):
    eager = _train(False, opt_kind, sched_kind)
    compiled = _train(True, opt_kind, sched_kind)
    for e, c in zip(eager, compiled, strict=True):
        np.testing.assert_allclose(c, e, rtol=1e-5, atol=1e-6)


def test_setting_a_group_lr_applies_to_the_next_compiled_call():
    w = vf.tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([w], lr=1.0)

    @function
    def step(x):
        opt.zero_grad()
        (w * x).sum().backward()
        opt.step()

    step(_ones(2))
    opt.param_groups[0]["lr"] = 0.5
    step(_ones(2))
    np.testing.assert_allclose(w.numpy(), [-0.5, -0.5])


def test_a_hand_compiled_traced_step_sees_lr_changes_even_after_passes():
    w = vf.tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([w], lr=1.0)

    def step(x):
        opt.zero_grad()
        (w * x).sum().backward()
        opt.step()

    g = vf.trace(step, _ones(2))
    plan = vf.optimize(g)[0].compile()  # the refresh callbacks survive the passes
    plan.run(_ones(2))
    np.testing.assert_allclose(w.numpy(), [0.0, 0.0])
    opt.param_groups[0]["lr"] = 0.25
    plan.run(_ones(2))
    np.testing.assert_allclose(w.numpy(), [-0.25, -0.25])
    opt.param_groups[0]["lr"] = 2.0
    run = plan.start(_ones(2))
    run.finish()
    np.testing.assert_allclose(w.numpy(), [-2.25, -2.25])


def test_a_compiled_method_called_inside_a_trace_runs_inline():
    vf.manual_seed(2)
    m = _Scaled(2.0)
    x = vf.tensor(np.ones((4, 3), np.float32))
    outer = function(lambda a: m(a).sum())
    np.testing.assert_allclose(outer(x).numpy(), m(x).numpy().sum(), rtol=1e-5)
    assert {v.name for v in outer.graph(x).variables} == {"lin.weight", "lin.bias"}


def test_unhashable_arguments_hit_the_cache_only_for_the_same_object():
    from dataclasses import dataclass

    @dataclass
    class Cfg:  # eq without frozen: unhashable
        scale: float

    f = function(lambda x, cfg: x * cfg.scale)
    x = vf.tensor(np.ones(2))
    got = []
    for i in range(20):  # each Cfg dies after its call: its id may be reused by the next
        c = Cfg(float(i))
        got.append(f(x, c).numpy()[0])
        del c
    assert got == [float(i) for i in range(20)]
    same = Cfg(3.0)
    assert f(x, same).numpy()[0] == f(x, same).numpy()[0] == 3.0
