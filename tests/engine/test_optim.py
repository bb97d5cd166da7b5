"""vf.optim: updates against hand-computed values and torch; updates go through dispatch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine import optim
from vizflow_engine.nn import Parameter

P0 = np.array([1.0, -2.0, 3.0])
GRADS = [np.array([0.5, -1.0, 2.0]), np.array([-0.3, 0.2, 0.1]), np.array([1.0, 1.0, -1.0])]


def _run(opt_cls: type, **kw: Any) -> np.ndarray:
    p = Parameter(vf.tensor(P0, dtype="float64"))
    opt = opt_cls([p], **kw)
    for g in GRADS:
        p.grad = vf.tensor(g, dtype="float64")
        opt.step()
    return p.numpy()


def test_sgd_by_hand() -> None:
    p = P0.copy()
    for g in GRADS:
        p = p - 0.1 * (g + 0.01 * p)
    np.testing.assert_allclose(_run(optim.SGD, lr=0.1, weight_decay=0.01), p)


def test_sgd_momentum_and_nesterov_by_hand() -> None:
    for nesterov in (False, True):
        p, buf = P0.copy(), None
        for g in GRADS:
            buf = g.copy() if buf is None else 0.9 * buf + g
            p = p - 0.1 * (g + 0.9 * buf if nesterov else buf)
        np.testing.assert_allclose(_run(optim.SGD, lr=0.1, momentum=0.9, nesterov=nesterov), p)


def test_adam_by_hand() -> None:
    p, m, v = P0.copy(), 0.0, 0.0
    for t, g in enumerate(GRADS, 1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        p = p - 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(_run(optim.Adam, lr=0.01), p)


@pytest.mark.parametrize(
    "name,kw",
    [
        ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.05}),
        ("SGD", {"lr": 0.1, "momentum": 0.8, "nesterov": True}),
        ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
        ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "betas": (0.8, 0.99)}),
    ],
)
def test_matches_torch(name: str, kw: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    tp = torch.tensor(P0, requires_grad=True)
    topt = getattr(torch.optim, name)([tp], **kw)
    for g in GRADS:
        tp.grad = torch.tensor(g)
        topt.step()
    np.testing.assert_allclose(_run(getattr(optim, name), **kw), tp.detach().numpy(), rtol=1e-12)


def test_updates_are_in_place_dispatched_ops() -> None:
    p = Parameter(vf.tensor(P0))
    arr = p.array
    opt = optim.Adam([p], lr=0.1)
    seen: list[str] = []

    def spy(op: vf.OpDef, inputs: tuple[Any, ...], params: dict[str, Any]) -> Any:
        seen.append(op.name)
        return NotImplemented

    p.grad = vf.tensor(GRADS[0])
    with vf.intercept(spy):
        opt.step()
        opt.param_groups[0]["lr"] = 0.05
        opt.step()
    assert seen.count("adam_update_") == 2 and "assign" in seen
    assert p.array is arr and p.requires_grad and p.node is None
    assert opt.state[p]["step"].item() == 2


def test_zero_grad_and_schedulers() -> None:
    p = Parameter(vf.tensor(P0))
    opt = optim.SGD([p], lr=1.0)
    p.grad = vf.ones(3)
    opt.zero_grad()
    assert p.grad is None
    p.grad = vf.ones(3)
    opt.zero_grad(set_to_none=False)
    assert p.grad.tolist() == [0.0, 0.0, 0.0]
    step = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    lrs = []
    for _ in range(5):
        lrs.append(opt.param_groups[0]["lr"])
        step.step()
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.25]
    opt2 = optim.SGD([p], lr=1.0)
    cos = optim.lr_scheduler.CosineAnnealingLR(opt2, T_max=4, eta_min=0.2)
    got = []
    for _ in range(5):
        got.append(opt2.param_groups[0]["lr"])
        cos.step()
    np.testing.assert_allclose(got, [0.2 + 0.8 * (1 + np.cos(np.pi * e / 4)) / 2 for e in range(5)])


def test_state_dict_round_trip() -> None:
    p = Parameter(vf.tensor(P0))
    opt = optim.Adam([p], lr=0.1)
    p.grad = vf.tensor(GRADS[0])
    opt.step()
    sd = opt.state_dict()
    q = Parameter(vf.tensor(P0))
    opt2 = optim.Adam([q], lr=0.5)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == 0.1
    np.testing.assert_allclose(opt2.state[q]["exp_avg"].numpy(), opt.state[p]["exp_avg"].numpy())
