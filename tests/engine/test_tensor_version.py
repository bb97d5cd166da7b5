"""Tensor._version counts in-place writes (as PyTorch's): every write path bumps it, reads
and out-of-place ops do not."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine import nn, optim
from vizflow_engine.tensor import Tensor


def _fresh() -> Tensor:
    return vf.tensor(np.arange(6, dtype=np.float32).reshape(2, 3))


WRITES: dict[str, Callable[[Tensor], object]] = {
    "add_": lambda t: t.add_(1.0),
    "sub_": lambda t: t.sub_(1.0, alpha=2.0),
    "mul_": lambda t: t.mul_(2.0),
    "div_": lambda t: t.div_(2.0),
    "clamp_": lambda t: t.clamp_(0.0, 3.0),
    "iadd": lambda t: t.__iadd__(1.0),
    "isub": lambda t: t.__isub__(1.0),
    "copy_": lambda t: t.copy_(np.ones((2, 3))),
    "zero_": lambda t: t.zero_(),
    "fill_": lambda t: t.fill_(7.0),
    "normal_": lambda t: t.normal_(),
    "uniform_": lambda t: t.uniform_(),
    "setitem": lambda t: t.__setitem__(0, 5.0),
    "setitem with a tensor index": lambda t: t.__setitem__(vf.tensor([1]), 5.0),
    "data.add_": lambda t: t.data.add_(1.0),
    "data.copy_": lambda t: t.data.copy_(np.zeros((2, 3))),
    "data assigned": lambda t: setattr(t, "data", np.zeros((4,), dtype=np.float32)),
    "dropout(inplace)": lambda t: nn.functional.dropout(t, 0.5, training=True, inplace=True),
    "nn.init": lambda t: nn.init.normal_(t),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=list(WRITES))
def test_each_in_place_write_bumps_the_version(write: Callable[[Tensor], object]) -> None:
    t = _fresh()
    assert t._version == 0
    write(t)
    assert t._version == 1
    write(t)
    assert t._version == 2


def test_reads_and_out_of_place_ops_leave_it() -> None:
    t = _fresh()
    _ = (t + 1.0, t * t, t[0], t.sum(), t.numpy(), t.data, t.clone())
    assert t._version == 0
    assert (t + 1.0)._version == 0


def test_a_write_through_data_is_a_write_of_its_owner() -> None:
    t = _fresh()
    alias = t.data
    alias.mul_(3.0)
    assert t._version == 1 and alias._version == 1


def test_a_parameter_update_under_no_grad_bumps_it() -> None:
    p = vf.tensor([1.0, 2.0], requires_grad=True)
    with vf.no_grad():
        p -= vf.tensor([0.5, 0.5])
    assert p._version == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1),
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
        lambda ps: optim.Adam(ps, lr=0.1),
        lambda ps: optim.RMSprop(ps, lr=0.1),
        lambda ps: optim.Adagrad(ps, lr=0.1),
    ],
    ids=["sgd", "sgd-momentum", "adam", "rmsprop", "adagrad"],
)
def test_an_optimiser_step_bumps_each_parameter_once(make: Callable[..., optim.Optimizer]) -> None:
    model = nn.Linear(3, 2)
    opt = make(model.parameters())
    model(vf.randn(4, 3)).sum().backward()
    before = {n: p._version for n, p in model.named_parameters()}
    opt.step()
    assert {n: p._version for n, p in model.named_parameters()} == {
        n: v + 1 for n, v in before.items()
    }


def test_optimiser_state_writes_bump_the_state_tensors() -> None:
    model = nn.Linear(3, 2)
    opt = optim.Adam(model.parameters(), lr=0.1)
    model(vf.randn(4, 3)).sum().backward()
    opt.step()
    state = opt.state[model.weight]
    versions = {k: s._version for k, s in state.items()}
    opt.step()
    assert {k: s._version for k, s in state.items()} == {k: v + 1 for k, v in versions.items()}


def test_loading_a_state_dict_bumps_the_parameters() -> None:
    model = nn.Linear(3, 2)  # initialised: one write each
    assert model.bias is not None
    before = (model.weight._version, model.bias._version)
    model.load_state_dict(nn.Linear(3, 2).state_dict())
    assert (model.weight._version, model.bias._version) == (before[0] + 1, before[1] + 1)


def test_a_compiled_step_bumps_what_it_writes_on_each_call_not_while_tracing() -> None:
    model = nn.Linear(3, 2)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    @vf.function
    def step(x: Tensor) -> Tensor:
        opt.zero_grad()
        loss = model(x).sum()
        loss.backward()
        opt.step()
        return loss

    x = vf.randn(4, 3)
    initialised = model.weight._version
    step.graph(x)  # traced, not run: nothing was written
    assert model.weight._version == initialised
    step(x)
    first = model.weight._version
    assert first > initialised
    step(x)
    assert model.weight._version == first + 1


def test_writes_in_a_compiled_function_count_once_per_call() -> None:
    w = vf.tensor([1.0, 2.0], requires_grad=True)
    buf = vf.tensor([3.0, 4.0])

    @vf.function
    def step(x: Tensor) -> Tensor:
        loss = (w * x).sum()
        loss.backward()
        with vf.no_grad():
            w.sub_(0.1 * w.grad)  # a hand-written update, landing when the graph runs
        w.grad = None
        buf.zero_()
        return loss

    x = vf.tensor([1.0, 1.0])
    step(x)
    versions = (w._version, buf._version)
    assert versions == (1, 1)
    step(x)
    assert (w._version, buf._version) == (2, 2)
    np.testing.assert_allclose(w.numpy(), [0.8, 1.8], rtol=1e-6)
