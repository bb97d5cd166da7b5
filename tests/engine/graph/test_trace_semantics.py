"""A compiled step (@vf.function) gives what the same step gives eagerly, call after call.

Issue 18's repros, each run CALLS times with inputs or captured values changed between
calls, compiled (optimised and not) against eager vizflow and PyTorch: tensors the step
creates and writes in place start afresh each call, `detach()` of a captured tensor cuts the
gradient but reads the current value, and backward accumulates into the .grad a call finds.
Plus three eager crashes, whose gradients are checked against finite differences.

A program is written once against a small namespace `L` (tensor, zeros, ones, no_grad, sgd,
compile) that is vizflow or torch, so the three runs execute the very same code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.graph import function

CALLS = 4
Program = Callable[[Any], tuple[Callable[..., Any], Callable[[int], Any], list[Any]]]
"""L -> (step, inputs(k): the step's arguments for call k, tensors whose .grad is checked).

inputs(k) may also change captured tensors in place between calls."""


@pytest.fixture(autouse=True)
def _float64() -> Iterator[None]:
    """Every test here runs in float64, as the issue's repros do."""
    before = vf.get_default_dtype()
    vf.set_default_dtype(np.float64)
    yield
    vf.set_default_dtype(before)


def _vf(compile: Callable[[Any], Any] | None = None) -> Any:
    return SimpleNamespace(
        tensor=lambda d, requires_grad=False: vf.tensor(d, requires_grad=requires_grad),
        zeros=vf.zeros,
        ones=vf.ones,
        no_grad=vf.no_grad,
        sgd=lambda params: vf.optim.SGD(params, lr=0.1),
        compile=compile or (lambda f: f),
    )


def _torch_lib() -> Any:
    torch = pytest.importorskip("torch")
    f64 = torch.float64
    return SimpleNamespace(
        tensor=lambda d, requires_grad=False: torch.tensor(
            d, dtype=f64, requires_grad=requires_grad
        ),
        zeros=lambda *s: torch.zeros(*s, dtype=f64),
        ones=lambda *s: torch.ones(*s, dtype=f64),
        no_grad=torch.no_grad,
        sgd=lambda params: torch.optim.SGD(params, lr=0.1),
        compile=lambda f: f,
    )


def _np(x: Any) -> Any:
    if x is None:
        return None
    if hasattr(x, "detach") and hasattr(x, "requires_grad") and not isinstance(x, vf.Tensor):
        x = x.detach()
    return np.array(x.numpy() if hasattr(x, "numpy") else x, dtype=np.float64)


def _run(program: Program, L: Any) -> list[list[Any]]:
    """Per call: the step's result and the .grad of each watched tensor, as numpy."""
    step, inputs, watched = program(L)
    f = L.compile(step)
    rows = []
    for k in range(CALLS):
        out = f(*inputs(k))
        outs = out if isinstance(out, tuple) else (out,)
        rows.append([_np(o) for o in outs] + [_np(t.grad) for t in watched])
    return rows


def _same(got: list[list[Any]], want: list[list[Any]], what: str) -> None:
    for k, (g_row, w_row) in enumerate(zip(got, want, strict=True)):
        for j, (g, w) in enumerate(zip(g_row, w_row, strict=True)):
            where = f"{what}: call {k}, value {j}"
            if w is None or g is None:
                assert g is None and w is None, f"{where}: {g} != {w}"
            else:
                np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12, err_msg=where)


def _check(program: Program) -> None:
    """Compiled (optimised and not) == eager, and eager == torch when torch imports."""
    eager = _run(program, _vf())
    for optimize in (True, False):
        compiled = _run(program, _vf(lambda fn, o=optimize: function(fn, optimize=o)))
        _same(compiled, eager, f"compiled (optimize={optimize}) vs eager")
    _same(eager, _run(program, _torch_lib()), "eager vs torch")


def _numeric_grad(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """Central differences of the scalar f at x (float64)."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = 1e-6
        g[i] = (f(x + e) - f(x - e)) / 2e-6
    return g


def _bump(L: Any, t: Any, k: int) -> None:
    """Change a captured tensor in place between calls (as an optimiser would)."""
    with L.no_grad():
        t += 0.25 * (k + 1)


# ---- 1: a tensor the step creates is a per-call value, also after in-place writes ----------


@pytest.mark.parametrize("make", ["zeros", "ones", "tensor"])
def test_a_tensor_created_in_the_step_and_written_in_place_starts_afresh(make: str) -> None:
    def program(L: Any) -> Any:
        p = L.tensor([1.0, 2.0], requires_grad=True)
        create = {"zeros": lambda: L.zeros(2), "ones": lambda: L.ones(2)}.get(
            make, lambda: L.tensor([0.5, -1.0])
        )

        def step() -> Any:
            p.grad = None
            acc = create()
            acc += p
            loss = (acc * acc).sum()
            loss.backward()
            return loss

        def inputs(k: int) -> tuple[Any, ...]:
            if k:
                _bump(L, p, k)
            return ()

        return step, inputs, [p]

    _check(program)


def test_a_created_tensor_written_in_place_holds_no_state_in_the_graph() -> None:
    p = vf.tensor([1.0, 2.0], requires_grad=True)

    def step() -> Any:
        acc = vf.zeros(2)
        acc += p
        return acc.sum()

    g = function(step, optimize=False).graph()
    assert [v.tensor is p for v in g.variables] == [True]  # acc is a constant, not a variable
    assert not g.updates


# ---- 2: detach() of a captured tensor cuts the gradient and reads the current value --------


def test_detach_of_a_captured_tensor_stops_its_gradient() -> None:
    def program(L: Any) -> Any:
        a = L.tensor([1.0, 2.0], requires_grad=True)

        def step() -> Any:
            a.grad = None
            loss = (a * a.detach()).sum()
            loss.backward()
            return loss

        def inputs(k: int) -> tuple[Any, ...]:
            if k:
                _bump(L, a, k)
            return ()

        return step, inputs, [a]

    _check(program)


def test_detach_used_before_the_tensor_itself_keeps_both_roles() -> None:
    def program(L: Any) -> Any:
        b = L.tensor([1.0, 2.0], requires_grad=True)
        c = L.tensor([3.0, -1.0], requires_grad=True)

        def step(x: Any) -> Any:
            b.grad = c.grad = None
            loss = (b.detach() * b * c * x).sum()
            loss.backward()
            return loss

        def inputs(k: int) -> tuple[Any, ...]:
            _bump(L, b, k)
            return (L.tensor([1.0 + k, 0.5 - k]),)

        return step, inputs, [b, c]

    _check(program)


@pytest.mark.parametrize("target_grad", [False, True], ids=["plain_target", "target_param"])
def test_a_detached_target_follows_the_target_tensor_between_calls(target_grad: bool) -> None:
    def program(L: Any) -> Any:
        w = L.tensor([1.0, 2.0], requires_grad=True)
        t = L.tensor([0.5, 0.1], requires_grad=target_grad)

        def step(x: Any) -> Any:
            w.grad = None
            loss = ((w * x - t.detach().exp()) ** 2).sum()
            loss.backward()
            return loss

        def inputs(k: int) -> tuple[Any, ...]:
            _bump(L, t, k)  # the target network moves: the compiled step must see it
            return (L.tensor([1.0, 1.0 - k]),)

        return step, inputs, [w, t]

    _check(program)


@pytest.mark.parametrize("requires_grad", [True, False])
def test_writing_to_a_detached_tensor_leaves_the_original_alone(requires_grad: bool) -> None:
    p = vf.tensor([1.0, 2.0], requires_grad=requires_grad)

    def step(x: Any) -> Any:
        d = p.detach()
        d += x
        d.mul_(2.0)
        return d * 1.0

    f = function(step)
    for k in range(CALLS):
        x = vf.tensor([k, 1.0])
        np.testing.assert_allclose(f(x).numpy(), step(x).numpy())
        np.testing.assert_allclose(p.numpy(), [1.0, 2.0])


def test_detach_keeps_the_value_of_before_a_later_in_place_update() -> None:
    def make() -> tuple[Any, Callable[[Any], Any]]:
        p = vf.tensor([1.0, 2.0], requires_grad=True)

        def step(x: Any) -> Any:
            p.grad = None
            before = p.detach()
            with vf.no_grad():
                p.mul_(0.5)  # eagerly this rebinds p's array: `before` keeps the old values
            loss = (before * p * x).sum()
            loss.backward()  # p, written in place, is still the leaf that gets the gradient
            return loss

        return p, step

    p, f = make()
    q, step = make()
    f = function(f)
    for k in range(CALLS):
        x = vf.tensor([1.0 + k, -1.0])
        np.testing.assert_allclose(f(x).item(), step(x).item())
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy())
        np.testing.assert_allclose(p.numpy(), q.numpy())


@pytest.mark.parametrize("update", ["optimizer", "manual"])
def test_two_updates_per_call_differentiate_the_updated_parameter(update: str) -> None:
    def program(L: Any) -> Any:
        p = L.tensor([1.0, 2.0], requires_grad=True)
        opt = L.sgd([p])

        def step(x: Any) -> Any:
            total = 0.0
            for _ in range(2):
                p.grad = None
                loss = ((p * x) ** 2).sum()
                loss.backward()
                if update == "optimizer":
                    opt.step()
                else:
                    with L.no_grad():
                        p.sub_(0.1 * p.grad)
                total = total + loss
            return total

        def inputs(k: int) -> tuple[Any, ...]:
            return (L.tensor([1.0, 0.5 * k]),)

        return step, inputs, [p]

    _check(program)


def test_a_detached_tensor_sees_the_optimizer_step_that_writes_its_array() -> None:
    def program(L: Any) -> Any:
        p = L.tensor([1.0, 2.0], requires_grad=True)
        opt = L.sgd([p])

        def step(x: Any) -> Any:
            opt.zero_grad()
            d = p.detach()  # shares p's array: the step below writes into it
            loss = ((p * x) ** 2).sum()
            loss.backward()
            opt.step()
            return loss, d

        def inputs(k: int) -> tuple[Any, ...]:
            return (L.tensor([1.0, 0.5 + k]),)

        return step, inputs, [p]

    _check(program)


def test_a_target_changed_by_rebinding_its_array_is_read_anew() -> None:
    w = vf.tensor([1.0, 2.0], requires_grad=True)
    t = vf.tensor([0.5, 0.1])
    f = function(lambda: ((w - t.detach().exp()) ** 2).sum())
    for k in range(CALLS):
        t.data = np.array([0.5, 0.1]) + k  # what eager code may do to a target between steps
        np.testing.assert_allclose(f().item(), ((w.numpy() - np.exp(t.numpy())) ** 2).sum())


def test_a_tensor_detached_before_the_trace_gets_no_gradient() -> None:
    p = vf.tensor([1.0, 2.0], requires_grad=True)
    frozen = p.detach()  # shares p's array; made outside the step

    for order in ("frozen_first", "p_first"):

        def step(order: str = order) -> Any:
            p.grad = None
            loss = (frozen * p).sum() if order == "frozen_first" else (p * frozen).sum()
            loss.backward()
            return loss

        f = function(step)
        for _ in range(3):
            f()
            np.testing.assert_allclose(p.grad.numpy(), frozen.numpy())  # d/dp, not 2p


# ---- 4: backward in a compiled step accumulates into the .grad the call finds -----------------


def test_compiled_backward_accumulates_across_calls() -> None:
    def program(L: Any) -> Any:
        p = L.tensor([1.0, 2.0], requires_grad=True)

        def step(x: Any) -> Any:
            loss = (p * x).sum()
            loss.backward()
            return loss

        def inputs(k: int) -> tuple[Any, ...]:
            if k == 2:
                p.grad = None  # a reset between calls starts the accumulation again
            return (L.tensor([1.0 + k, -2.0 * k]),)

        return step, inputs, [p]

    _check(program)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad_inside_the_step_resets_what_earlier_calls_left(set_to_none: bool) -> None:
    def program(L: Any) -> Any:
        p = L.tensor([1.0, 2.0], requires_grad=True)
        q = L.tensor([0.5], requires_grad=True)
        opt = L.sgd([p, q])

        def step(x: Any) -> Any:
            opt.zero_grad(set_to_none=set_to_none)
            loss = ((p * x).sum() * q).sum()
            loss.backward()
            opt.step()
            return loss

        def inputs(k: int) -> tuple[Any, ...]:
            return (L.tensor([1.0 + k, 0.5]),)

        return step, inputs, [p, q]

    _check(program)


def test_micro_batches_accumulate_then_step() -> None:
    def program(L: Any) -> Any:
        p = L.tensor([1.0, -2.0], requires_grad=True)
        opt = L.sgd([p])

        def step(x: Any, update: bool) -> Any:
            loss = ((p * x).sum() ** 2).sum()
            loss.backward()
            if update:
                opt.step()
                opt.zero_grad()
            return loss

        def inputs(k: int) -> tuple[Any, ...]:
            return (L.tensor([1.0, 0.5 * k]), k % 2 == 1)

        return step, inputs, [p]

    _check(program)


def test_arguments_that_require_grad_get_their_gradient_accumulated() -> None:
    def program(L: Any) -> Any:
        w = L.tensor([[1.0, 2.0], [3.0, -4.0]], requires_grad=True)
        x = L.tensor([1.0, -1.0], requires_grad=True)

        def step(x: Any, y: Any) -> Any:
            w.grad = None
            loss = ((w @ x) ** 2).sum() * y
            loss.backward()
            return loss

        def inputs(k: int) -> tuple[Any, ...]:
            if k == 2:
                x.grad = None
            return (x, L.tensor(1.0 + k))  # the same x accumulates; y needs no grad

        return step, inputs, [w, x]

    _check(program)


def test_an_argument_written_in_place_changes_the_callers_tensor() -> None:
    def program(L: Any) -> Any:
        p = L.tensor([1.0, 2.0], requires_grad=True)
        x = L.tensor([1.0, 1.0])

        def step(x: Any, y: Any) -> Any:
            p.grad = None
            x += p.detach()
            x[0] = 7.0
            x *= y
            loss = (x * p).sum()
            loss.backward()
            return loss, x * 1.0

        def inputs(k: int) -> tuple[Any, ...]:
            return (x, L.tensor([0.5, 1.0 + k]))  # the same x, changed by every call

        return step, inputs, [p]

    _check(program)


def test_a_compiled_update_reads_the_gradient_eager_backward_left() -> None:
    p = vf.tensor([1.0, 2.0], requires_grad=True)
    opt = vf.optim.SGD([p], lr=0.5)
    update = function(opt.step)
    want = p.numpy().copy()
    for k in range(CALLS):
        p.grad = None
        ((p * p).sum() * (k + 1)).backward()  # a new .grad tensor each time
        want = want - 0.5 * 2 * (k + 1) * want
        update()
        np.testing.assert_allclose(p.numpy(), want)


def test_grad_presence_keys_the_trace_without_retracing_each_call() -> None:
    p = vf.tensor([1.0, 2.0], requires_grad=True)
    calls = []

    def step() -> Any:
        calls.append(1)
        loss = (p * p).sum()
        loss.backward()
        return loss

    f = function(step)
    for _ in range(5):
        f()
    np.testing.assert_allclose(p.grad.numpy(), 5 * 2 * p.numpy())
    assert len(calls) == 2  # once without a .grad, once with one


# ---- crashes: setitem of a traced value, broadcasting setitem, y += y ------------------------


def test_setitem_of_a_traced_value_into_a_created_tensor() -> None:
    def program(L: Any) -> Any:
        p = L.tensor([1.0, 2.0], requires_grad=True)

        def step(x: Any) -> Any:
            p.grad = None
            buf = L.ones(3)
            buf[-1] = p[0]
            buf[0] = (p * x).sum()
            loss = (buf * buf).sum()
            loss.backward()
            return loss, buf

        def inputs(k: int) -> tuple[Any, ...]:
            _bump(L, p, k)
            return (L.tensor([k, 1.0]),)

        return step, inputs, [p]

    _check(program)


def test_setitem_into_a_captured_buffer_is_written_on_every_call() -> None:
    buf = vf.zeros(3)
    p = vf.tensor([1.0, 2.0])

    def step(x: Any) -> Any:
        buf[0] = x.sum()
        buf[1] = p[1]
        return buf * 1.0

    f = function(step)
    for k in range(CALLS):
        p.data[1] = 10.0 + k
        out = f(vf.tensor([k, 1.0]))
        np.testing.assert_allclose(out.numpy(), [k + 1.0, 10.0 + k, 0.0])
        np.testing.assert_allclose(buf.numpy(), out.numpy())


@pytest.mark.parametrize("write", ["zero_", "fill_", "copy_"])
def test_zero_fill_and_copy_of_a_captured_buffer_happen_on_every_call(write: str) -> None:
    def program(L: Any) -> Any:
        buf = L.tensor([1.0, 2.0])
        p = L.tensor([0.5, -1.0], requires_grad=True)

        def step(x: Any) -> Any:
            p.grad = None
            before = buf * 2
            if write == "zero_":
                buf.zero_()
            elif write == "fill_":
                buf.fill_(3.0)
            else:
                buf.copy_(x * 2.0)
            buf.add_(x)
            loss = (before * p + buf * p).sum()
            loss.backward()
            return loss, buf * 1.0

        def inputs(k: int) -> tuple[Any, ...]:
            return (L.tensor([k, 1.0 - k]),)

        return step, inputs, [p]

    _check(program)


def test_setitem_of_a_value_with_extra_leading_ones_broadcasts() -> None:
    def program(L: Any) -> Any:
        p = L.tensor(np.arange(5.0).reshape(1, 5) - 1.5, requires_grad=True)

        def step(x: Any) -> Any:
            p.grad = None
            v = p.clone()
            v[0] = p * x
            loss = (v * v * v).sum()
            loss.backward()
            return loss

        def inputs(k: int) -> tuple[Any, ...]:
            return (L.tensor(np.linspace(-1.0, 1.0, 5) + k),)

        return step, inputs, [p]

    _check(program)
    x = np.linspace(-1.0, 2.0, 5)

    def f(a: np.ndarray) -> float:
        v = vf.tensor(a).clone()
        v[0] = vf.tensor(a) * vf.tensor(x)
        return float((v * v * v).sum().item())

    p = vf.tensor(np.arange(5.0).reshape(1, 5) - 1.5, requires_grad=True)
    v = p.clone()
    v[0] = p * vf.tensor(x)
    (v * v * v).sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), _numeric_grad(f, p.numpy().copy()), rtol=1e-6)


@pytest.mark.parametrize(
    "update",
    ["y += y", "y.add_(y)", "y += y * 2", "y += y\ny += y", "y *= y"],
)
def test_an_in_place_op_reading_its_own_target(update: str) -> None:
    def run(a: Any) -> Any:
        y = a * 1.5
        env = {"y": y}
        exec(update, env)  # the update is the test's own literal source
        return (env["y"] * a).sum()

    p = vf.tensor([1.0, -2.0, 0.5], requires_grad=True)
    run(p).backward()
    num = _numeric_grad(lambda a: float(run(vf.tensor(a)).item()), p.numpy().copy())
    np.testing.assert_allclose(p.grad.numpy(), num, rtol=1e-6)
    if update != "y *= y":  # torch refuses y *= y (mul saved y); vizflow keeps the old array
        torch = pytest.importorskip("torch")
        tp = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True)
        run(tp).backward()
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-12)
    f = function(lambda a: run(a))
    for k in range(3):
        a = p.numpy() + k
        np.testing.assert_allclose(f(vf.tensor(a)).item(), run(vf.tensor(a)).item())


def test_in_place_on_a_tensor_read_before_its_last_version_still_raises() -> None:
    p = vf.tensor([1.0, 2.0], requires_grad=True)
    y = p * 1.0
    z = y * y  # reads y at its first version
    y += 1.0
    with pytest.raises(RuntimeError, match="modified in place"):
        (z + y).sum().backward()
