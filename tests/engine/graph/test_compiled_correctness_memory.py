"""Compiled steps give eager's answers however the memory plan shares memory (issues 17, 18):
views keep their base alive, a value may feed several updates, and every update and late
read sees the values of before the step's writes. float64, each compiled step run twice."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.graph import Graph, function, plan_memory
from vizflow_engine.graph.aliasing import aliased_inputs
from vizflow_engine.graph.executor.kernels import out_capable
from vizflow_engine.ops.updates import SGD_UPDATE
from vizflow_engine.registry import OpDef, TensorSpec

CALLS = 2
BOTH = pytest.mark.parametrize("optimize", [True, False])


@pytest.fixture(autouse=True)
def _float64() -> Iterator[None]:
    """Every test here runs in float64, as the issues' repros do."""
    before = vf.get_default_dtype()
    vf.set_default_dtype(np.float64)
    yield
    vf.set_default_dtype(before)


def _close(compiled: Any, eager: Any) -> None:
    np.testing.assert_allclose(np.asarray(compiled), np.asarray(eager), rtol=1e-10, atol=1e-12)


def _same_training(
    build: Callable[[], tuple[list[Any], Callable[..., Any]]],
    args: tuple[Any, ...],
    optimize: bool,
    parallel: bool | str = "auto",
) -> None:
    """build() -> (params, step); CALLS eager steps and CALLS compiled steps on a second,
    identically built copy leave equal losses, gradients and parameters."""
    pe, eager = build()
    pc, step = build()
    compiled = function(step, optimize=optimize, parallel=parallel)
    for _ in range(CALLS):
        _close(compiled(*args).numpy(), eager(*args).numpy())
        for a, b in zip(pe, pc, strict=True):
            assert b.grad is not None, "a compiled step left a parameter without .grad"
            _close(b.grad.numpy(), a.grad.numpy())
            _close(b.numpy(), a.numpy())


# ---- issue 17: views ---------------------------------------------------------------------


def _rnn_over_slices() -> tuple[list[Any], Callable[..., Any]]:
    """x is computed into a plan buffer, the loop reads x[t] slices, and the backward pass
    reads each slice again (d(h*x[t])/dh) after x's last direct reader."""
    r = np.random.default_rng(3)
    emb = vf.tensor(r.standard_normal((7, 4)), requires_grad=True)
    w_in = vf.tensor(r.standard_normal((4, 5)) / 2, requires_grad=True)
    w_h = vf.tensor(r.standard_normal((5, 5)) / 2, requires_grad=True)
    params = [emb, w_in, w_h]

    def step(tokens: Any) -> Any:
        for p in params:
            p.grad = None
        x = (emb[tokens] @ w_in) * 1.5  # (T, B, 5)
        h = vf.ones((3, 5))
        loss = 0.0
        for t in range(5):
            h = vf.tanh((h @ w_h) * x[t])
            loss = loss + (h**2).mean()
        loss.backward()
        return loss

    return params, step


@BOTH
@pytest.mark.parametrize("parallel", [True, False])
def test_slices_of_a_reused_buffer_keep_their_values_for_the_backward_pass(optimize, parallel):
    tokens = vf.tensor(np.random.default_rng(0).integers(0, 7, (5, 3)))
    _same_training(_rnn_over_slices, (tokens,), optimize, parallel)


def test_the_plan_learns_views_from_the_kernel_not_from_a_list():
    g = Graph()
    x = g.placeholder("x", (4, 3), "float64")
    idx = g.placeholder("i", (2,), "int64")
    y = x * 2.0
    views = [y[1], y[:, 0], vf.einsum("ij->ji", y), y.reshape(12)]
    fresh = [y[idx], vf.einsum("ij,ij->i", y, y), y.sum(axis=0)]
    g.output(*views, *fresh)
    mp = plan_memory(g)
    assert [mp.alias_of.get(v.uid) for v in views] == [y.uid] * len(views)
    assert all(v.uid not in mp.alias_of for v in fresh)
    getitem = views[0].node
    assert aliased_inputs(g, getitem, lambda n: out_capable(g, n)) == (0,)


def _strict_op(name: str, forward: Callable[..., Any]) -> OpDef:
    """A graph-only op whose kernel runs on one input shape only (probes of others fail)."""
    return OpDef(
        name=name,
        category="shape",
        inputs=("x",),
        forward=forward,
        shape_rule=lambda specs: TensorSpec(tuple(reversed(specs[0].shape)), specs[0].dtype),
        vjp=None,
        formula="z = xᵀ",
        grad_formula="none",
        doc="test op",
        differentiable=False,
    )


def _transposed_copy_70(xp: Any, x: Any) -> Any:
    if x.shape != (70, 70):
        raise ValueError("only 70x70")
    return x.T.copy()


def _never(xp: Any, x: Any) -> Any:
    raise ValueError("no probe runs this")


def test_a_kernel_that_refuses_small_probes_is_probed_at_its_size_or_taken_as_a_view():
    g = Graph()
    y = g.placeholder("x", (70, 70), "float64") * 2.0  # more elements than a small probe
    fresh = g.apply(_strict_op("transposed_copy_70", _transposed_copy_70), (y,), {})
    unknown = g.apply(_strict_op("never_runs", _never), (y,), {})
    g.output(fresh, unknown)
    assert plan_memory(g).alias_of == {unknown.uid: y.uid}


def test_a_returned_slice_of_a_plan_buffer_is_not_overwritten_by_the_next_call():
    g = Graph()
    x = g.placeholder("x", (3, 2), "float64")
    g.output((x * 2.0)[0])
    plan = g.compile()
    first = plan.run(np.ones((3, 2)))[0]
    plan.run(np.full((3, 2), 5.0))
    _close(first, [2.0, 2.0])


def test_an_in_place_step_is_not_seen_through_a_view_taken_before_it():
    g = Graph()
    a = g.variable("a", np.arange(6.0).reshape(2, 3))
    grad = g.placeholder("g", (2, 3), "float64")
    row, flat = a[1], a.reshape(6)  # views of a's memory, read after the step
    g.apply(SGD_UPDATE, (a, grad, 0.5), {"weight_decay": 0.0})
    g.output(row * 1.0, flat)
    plan = g.compile()
    old = np.arange(6.0).reshape(2, 3)
    for k in range(CALLS):
        before = old - 0.5 * k
        r, f = plan.run(np.ones((2, 3)))
        _close(r, before[1])
        _close(f, before.reshape(6))
    _close(a.value, old - 0.5 * CALLS)


# ---- issue 18: updates -------------------------------------------------------------------


def _leaves() -> tuple[Any, Any]:
    return vf.tensor([1.0, 2.0], requires_grad=True), vf.tensor([3.0, -1.0], requires_grad=True)


@BOTH
def test_each_update_reads_the_parameters_of_before_the_step(optimize):
    """(a*b).sum(): simplification makes a's gradient b itself, which the step updates."""

    def build() -> tuple[list[Any], Callable[..., Any]]:
        a, b = _leaves()
        opt = vf.optim.SGD([a, b], lr=0.1)

        def train() -> Any:
            opt.zero_grad()
            loss = (a * b).sum()
            loss.backward()
            opt.step()
            return loss

        return [a, b], train

    _same_training(build, (), optimize)
    (a, b), train = build()
    function(train, optimize=optimize)()  # PyTorch's numbers, quoted in the issue
    _close(a.grad.numpy(), [3.0, -1.0])
    _close(b.grad.numpy(), [1.0, 2.0])
    _close(b.numpy(), [2.9, -1.2])


@BOTH
@pytest.mark.parametrize("parallel", [True, False])
def test_two_leaves_receiving_one_gradient_value_both_get_it(optimize, parallel):
    def build() -> tuple[list[Any], Callable[..., Any]]:
        a, b = _leaves()

        def step() -> Any:
            a.grad = b.grad = None
            loss = ((a + b) ** 2).sum()
            loss.backward()
            return loss

        return [a, b], step

    _same_training(build, (), optimize, parallel)


@BOTH
def test_a_tensor_made_in_the_step_and_scaled_in_place_gives_the_gradient_of_its_old_value(
    optimize,
):
    """w = tensor(c); w *= p: p.grad is c (accumulating over calls, as eagerly), not c * p."""

    def build() -> tuple[list[Any], Callable[..., Any]]:
        p = vf.tensor([1.0, 2.0], requires_grad=True)

        def step() -> Any:
            w = vf.tensor(np.array([3.0, 4.0]))
            w *= p
            loss = w.sum()
            loss.backward()
            return loss

        return [p], step

    _same_training(build, (), optimize)


def test_updates_that_read_each_others_variables_see_the_old_values():
    """a <- b and b <- a swap (run twice: back to the start)."""
    g = Graph()
    a = g.variable("a", np.array([1.0, 2.0]))
    b = g.variable("b", np.array([3.0, 4.0]))
    c = g.variable("c", np.array([0.0, 0.0]))
    g.assign(a, b)
    g.assign(b, a)
    g.assign(c, a + b)  # computed from the old values too
    plan = g.compile()
    plan.run()
    _close(a.value, [3.0, 4.0])
    _close(b.value, [1.0, 2.0])
    _close(c.value, [4.0, 6.0])
    plan.run()
    _close(a.value, [1.0, 2.0])
    _close(b.value, [3.0, 4.0])


def test_a_value_feeding_two_updates_writes_both():
    g = Graph()
    x = g.placeholder("x", (2,), "float64")
    u = g.variable("u", np.zeros(2))
    v = g.variable("v", np.zeros(2))
    new = x * 3.0
    g.assign(u, new)
    g.assign(v, new)
    plan = g.compile()
    for k in range(1, CALLS + 1):
        plan.run(np.full(2, float(k)))
        _close(u.value, [3.0 * k] * 2)
        _close(v.value, [3.0 * k] * 2)


def test_a_variable_updated_twice_keeps_the_later_update():
    g = Graph()
    x = g.placeholder("x", (2,), "float64")
    a = g.variable("a", np.zeros(2))
    g.assign(a, x * 2.0)
    g.assign(a, x * 3.0 + a)  # reads a's value of before the step
    plan = g.compile()
    plan.run(np.ones(2))
    _close(a.value, [3.0, 3.0])
    plan.run(np.ones(2))
    _close(a.value, [6.0, 6.0])


# ---- the models of issue 17 ----------------------------------------------------------------


def _lstm(momentum: float) -> tuple[list[Any], Callable[..., Any]]:
    vf.manual_seed(11)
    cell = vf.nn.LSTMCell(4, 5)
    params = list(cell.parameters())
    opt = vf.optim.SGD(params, lr=0.1, momentum=momentum)

    def step(xs: Any) -> Any:
        opt.zero_grad()
        h = c = vf.zeros((3, 5))
        loss = 0.0
        for t in range(5):
            h, c = cell(xs[t], (h, c))
            loss = loss + (h**2).mean() + (c**2).mean()
        loss.backward()
        opt.step()
        return loss

    return params, step


@BOTH
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_lstm_cell_unrolled_five_steps_compiled_equals_eager(optimize, momentum):
    xs = vf.tensor(np.random.default_rng(1).standard_normal((5, 3, 4)))
    _same_training(lambda: _lstm(momentum), (xs,), optimize)


def _language_model() -> tuple[list[Any], Callable[..., Any]]:
    vf.manual_seed(5)
    emb, cell, head = vf.nn.Embedding(7, 4), vf.nn.LSTMCell(4, 5), vf.nn.Linear(5, 7)
    params = [*emb.parameters(), *cell.parameters(), *head.parameters()]
    opt = vf.optim.SGD(params, lr=0.1)

    def step(tokens: Any, targets: Any) -> Any:
        opt.zero_grad()
        x = emb(tokens)  # (T, B, 4)
        h = c = vf.zeros((3, 5))
        loss = 0.0
        for t in range(5):
            h, c = cell(x[t], (h, c))
            loss = loss + vf.nn.functional.cross_entropy(head(h), targets[t])
        loss.backward()
        opt.step()
        return loss

    return params, step


@BOTH
def test_embedding_lstm_linear_language_model_compiled_equals_eager(optimize):
    r = np.random.default_rng(2)
    tokens, targets = vf.tensor(r.integers(0, 7, (5, 3))), vf.tensor(r.integers(0, 7, (5, 3)))
    _same_training(_language_model, (tokens, targets), optimize)
