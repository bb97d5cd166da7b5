"""Resuming from a checkpoint equals uninterrupted training, eager and compiled; a bad
optimizer state_dict changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine import nn, optim

N, K, M = 3, 2, 4  # steps before the save, wasted steps before the load, steps after


def _setup(make_opt: Callable[[Any], optim.Optimizer], compiled: bool) -> tuple[Any, ...]:
    vf.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    opt = make_opt(model.parameters())
    x, y = vf.randn(8, 3), vf.randn(8, 2)

    def step() -> Any:
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    return model, opt, (vf.function(step) if compiled else step)


OPTIMIZERS = {
    "sgd-momentum": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda ps: optim.Adam(ps, lr=0.05),
    "adamw": lambda ps: optim.AdamW(ps, lr=0.05, weight_decay=0.1),
}


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_save_load_continue_equals_uninterrupted_training(
    tmp_path: Path, name: str, compiled: bool
) -> None:
    model, opt, step = _setup(OPTIMIZERS[name], compiled)
    for _ in range(N + M):
        step()
    straight = model.state_dict()

    model, opt, step = _setup(OPTIMIZERS[name], compiled)
    for _ in range(N):
        step()
    vf.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, tmp_path / "ck.npz")
    for _ in range(K):  # train on past the checkpoint, then go back to it
        step()
    ck = vf.load(tmp_path / "ck.npz")
    model.load_state_dict(ck["model"])
    opt.load_state_dict(ck["optimizer"])
    for _ in range(M):
        step()
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, straight[k], err_msg=k)


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
def test_loading_into_a_fresh_optimizer_resumes_too(tmp_path: Path, compiled: bool) -> None:
    model, opt, step = _setup(OPTIMIZERS["adam"], compiled)
    for _ in range(N + M):
        step()
    straight = model.state_dict()
    model, opt, step = _setup(OPTIMIZERS["adam"], compiled)
    for _ in range(N):
        step()
    vf.save(opt.state_dict(), tmp_path / "opt.npz")
    saved = model.state_dict()
    model, opt, step = _setup(lambda ps: optim.Adam(ps, lr=0.5), compiled)  # other lr: loaded
    model.load_state_dict(saved)
    opt.load_state_dict(vf.load(tmp_path / "opt.npz"))
    assert opt.param_groups[0]["lr"] == 0.05
    for _ in range(M):
        step()
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, straight[k], err_msg=k)


def _opt_snapshot(opt: optim.Optimizer) -> tuple[Any, ...]:
    groups = [
        {k: v for k, v in g.items() if k not in ("params", "lr_tensor")} for g in opt.param_groups
    ]
    state = {id(p): {k: t.numpy().tobytes() for k, t in s.items()} for p, s in opt.state.items()}
    return groups, state


def _trained_adam() -> tuple[optim.Optimizer, dict[str, Any]]:
    _model, opt, step = _setup(OPTIMIZERS["adam"], False)
    step()
    return opt, opt.state_dict()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda sd: sd["state"][1].update(exp_avg=np.zeros((9, 9))),
            r"state\[1\]\['exp_avg'\]: shape \(9, 9\) float64 saved, shape \(4,\) float32 expected",
        ),
        (
            lambda sd: sd["state"][0].update(momentum_buffer=np.zeros((4, 3))),
            r"Adam keeps no such state .*was this saved by another optimizer",
        ),
        (
            lambda sd: sd["state"][0].update(step=np.array(1.5)),
            r"\['step'\]: shape \(\) float64 saved",
        ),
        (lambda sd: sd["param_groups"].append({"params": []}), r"param_groups: 2 saved, 1 in this"),
        (lambda sd: sd["param_groups"][0]["params"].pop(), r"has 3 parameters saved, 4 here"),
        (
            lambda sd: sd["param_groups"][0].update(lr="fast"),
            r"'lr' = 'fast' is not a non-negative",
        ),
        (
            lambda sd: sd["param_groups"][0].update(betas=0.9),
            r"'betas' = 0.9 is not a sequence of 2",
        ),
        (
            lambda sd: sd["param_groups"][0].update(eps=object()),
            r"'eps' = object is not plain data",
        ),
        (lambda sd: sd["state"].update({7: {}}), r"no param_group lists parameter id 7"),
        (lambda sd: sd.update(extra=1), r"takes the mapping with keys 'state' and 'param_groups'"),
    ],
)
def test_a_bad_optimizer_state_dict_changes_nothing(change: Any, message: str) -> None:
    opt, _sd = _trained_adam()
    src, _ = _trained_adam()
    bad = src.state_dict()
    bad["param_groups"][0]["lr"] = 0.123  # a good change that must not land either
    change(bad)
    before = _opt_snapshot(opt)
    with pytest.raises(vf.CheckpointError, match=message):
        opt.load_state_dict(bad)
    assert _opt_snapshot(opt) == before


def test_a_parameter_without_saved_state_starts_afresh_in_place() -> None:
    opt, sd = _trained_adam()
    p0 = opt.param_groups[0]["params"][0]
    buf = opt.state[p0]["exp_avg"]
    del sd["state"][0]
    opt.load_state_dict(sd)
    assert opt.state[p0]["exp_avg"] is buf  # the same tensor: a compiled step holds it
    assert not buf.numpy().any() and opt.state[p0]["step"].item() == 0


def test_a_compiled_step_refuses_a_hyperparameter_it_has_baked_in() -> None:
    _model, opt, step = _setup(OPTIMIZERS["sgd-momentum"], True)
    step()
    opt.param_groups[0]["lr"] = 0.01  # lr is read on every call: fine
    step()
    opt.param_groups[0]["momentum"] = 0.5
    with pytest.raises(
        ValueError,
        match=r"SGD param_groups\[0\]: momentum is 0.5 but this compiled "
        r"step was traced with 0.9",
    ):
        step()
