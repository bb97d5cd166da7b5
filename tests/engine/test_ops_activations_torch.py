"""Activations vs torch (float64 values and gradients): F. functions with PyTorch's arguments,
nn modules (PReLU's weight gradient included), inplace=, and traced steps vs eager."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.nn import functional as F

from .torch_compare import compare, traced_matches_eager

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(21)
X = RNG.uniform(-8, 8, (4, 6))  # past relu6's 6, hardtanh's ±1 and hardswish's ±3
X4 = RNG.uniform(-3, 3, (2, 3, 4, 2))

FUNCTIONS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "silu": (F.silu, TF.silu),
    "elu": (F.elu, TF.elu),
    "elu(alpha=0.5)": (lambda x: F.elu(x, alpha=0.5), lambda x: TF.elu(x, alpha=0.5)),
    "celu(alpha=2)": (lambda x: F.celu(x, alpha=2.0), lambda x: TF.celu(x, alpha=2.0)),
    "selu": (F.selu, TF.selu),
    "mish": (F.mish, TF.mish),
    "relu6": (F.relu6, TF.relu6),
    "hardtanh": (F.hardtanh, TF.hardtanh),
    "hardtanh(-2, 3)": (lambda x: F.hardtanh(x, -2.0, 3.0), lambda x: TF.hardtanh(x, -2.0, 3.0)),
    "hardswish": (F.hardswish, TF.hardswish),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid),
    "softsign": (F.softsign, TF.softsign),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid),
    "softmin(dim=1)": (lambda x: F.softmin(x, dim=1), lambda x: TF.softmin(x, dim=1)),
    "softmin(dim=0)": (lambda x: F.softmin(x, 0), lambda x: TF.softmin(x, 0)),
    "glu": (F.glu, TF.glu),
    "glu(dim=0)": (lambda x: F.glu(x, 0), lambda x: TF.glu(x, 0)),
    "softplus": (F.softplus, TF.softplus),
    "softplus(beta=2, threshold=5)": (
        lambda x: F.softplus(x, beta=2.0, threshold=5.0),
        lambda x: TF.softplus(x, beta=2.0, threshold=5.0),
    ),
    "softplus(beta=0.5)": (lambda x: x.softplus(0.5), lambda x: TF.softplus(x, 0.5)),
}

# torch's float64 hardsigmoid backward scales by a float32 1/6 (3e-8 off); ours is exact
LOOSE = {"hardsigmoid": 1e-7, "Hardsigmoid": 1e-7}
MODULES: dict[str, Callable[[Any], Any]] = {
    "SiLU": lambda nn: nn.SiLU(),
    "ELU": lambda nn: nn.ELU(0.3),
    "CELU": lambda nn: nn.CELU(1.5),
    "SELU": lambda nn: nn.SELU(),
    "Mish": lambda nn: nn.Mish(),
    "ReLU6": lambda nn: nn.ReLU6(),
    "Hardtanh": lambda nn: nn.Hardtanh(-0.5, 2.0),
    "Hardswish": lambda nn: nn.Hardswish(),
    "Hardsigmoid": lambda nn: nn.Hardsigmoid(),
    "Softsign": lambda nn: nn.Softsign(),
    "LogSigmoid": lambda nn: nn.LogSigmoid(),
    "Softmin": lambda nn: nn.Softmin(dim=1),
    "GLU": lambda nn: nn.GLU(),
    "Softplus": lambda nn: nn.Softplus(beta=3.0, threshold=4.0),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_activation_functions_match_torch(name: str) -> None:
    fn, ref = FUNCTIONS[name]
    compare(torch, fn, ref, [X], rtol=LOOSE.get(name, 1e-10))


@pytest.mark.parametrize("name", sorted(MODULES))
def test_activation_modules_match_torch(name: str) -> None:
    make = MODULES[name]
    compare(torch, make(vf.nn), make(torch.nn), [X], rtol=LOOSE.get(name, 1e-10))


def test_prelu_matches_torch_per_channel_and_shared() -> None:
    w = np.array([0.1, -0.3, 0.7])
    compare(torch, F.prelu, TF.prelu, [X4, w])
    compare(torch, F.prelu, TF.prelu, [X, np.array([0.2])])


def test_prelu_module_weight_and_gradient_match_torch() -> None:
    m, tm = vf.nn.PReLU(3, init=0.1).double(), torch.nn.PReLU(3, init=0.1).double()
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in tm.named_parameters()]
    x, tx = vf.tensor(X4), torch.tensor(X4)
    (m(x) ** 2).sum().backward()
    (tm(tx) ** 2).sum().backward()
    np.testing.assert_allclose(m.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("name", ["silu", "elu", "selu", "celu", "mish", "relu6", "hardtanh"])
def test_inplace_activations_write_into_x_as_torch(name: str) -> None:
    x, t = vf.tensor(X), torch.tensor(X)
    out = getattr(F, name)(x, inplace=True)
    tout = getattr(TF, name)(t, inplace=True)
    assert out is x and tout is t
    np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-12)


def test_dropout_accepts_inplace() -> None:
    vf.manual_seed(0)
    x = vf.ones(50, 40)
    out = F.dropout(x, 0.5, training=True, inplace=True)
    assert out is x
    vals = set(np.unique(x.numpy()).tolist())
    assert vals == {0.0, 2.0}
    y = vf.ones(3)
    assert F.dropout(y, 0.5, training=False, inplace=True) is y


def test_module_reprs_name_their_arguments() -> None:
    assert "alpha=0.3" in repr(vf.nn.ELU(0.3))
    assert "num_parameters=4" in repr(vf.nn.PReLU(4))
    assert "beta=2" in repr(vf.nn.Softplus(beta=2))


def test_activations_traced_match_eager() -> None:
    traced_matches_eager(
        lambda x: (F.silu(x) * F.mish(x) + F.hardswish(x) + F.elu(x)).sum() + F.glu(x, 1).sum(),
        [X],
    )
