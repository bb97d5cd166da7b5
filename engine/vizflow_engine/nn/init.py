"""Weight initialisers (PyTorch's defaults) drawing from the engine's seeded generator."""

from __future__ import annotations

import math
from typing import Any

from ..autograd import no_grad
from ..backend import rng
from ..tensor import Tensor


def _fill(t: Tensor, values: Any) -> Tensor:
    """Write generated values into t's memory (not recorded: initialisation is not an op)."""
    with no_grad():
        t.array[...] = values.astype(t.array.dtype, copy=False)
    t._bump_version()
    return t


def calculate_fan_in_and_fan_out(t: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight: dims 1 and 0 times the receptive field size."""
    if t.ndim < 2:
        raise ValueError(f"fan in/out needs a tensor with at least 2 dims, not {t.shape}")
    field = math.prod(t.shape[2:])
    return t.shape[1] * field, t.shape[0] * field


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (as torch.nn.init.calculate_gain)."""
    if nonlinearity in ("linear", "conv2d", "sigmoid", "identity"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with U(a, b) samples."""
    return _fill(t, rng(t.device.xp).uniform(a, b, t.shape))


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with N(mean, std²) samples."""
    return _fill(t, rng(t.device.xp).normal(mean, std, t.shape))


def zeros_(t: Tensor) -> Tensor:
    """Fill with zeros."""
    return _fill(t, t.device.xp.zeros(t.shape))


def ones_(t: Tensor) -> Tensor:
    """Fill with ones."""
    return _fill(t, t.device.xp.ones(t.shape))


def kaiming_uniform_(
    t: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He-uniform: U(-b, b) with b = gain·√(3 / fan) (a=√5 gives nn.Linear's default)."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(t)
    fan = fan_in if mode == "fan_in" else fan_out
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    return uniform_(t, -bound, bound)


def xavier_uniform_(t: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot-uniform: U(-b, b) with b = gain·√(6 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(t)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(t, -bound, bound)


__all__ = [
    "calculate_fan_in_and_fan_out",
    "calculate_gain",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "uniform_",
    "xavier_uniform_",
    "zeros_",
]


from .._api import public_dir  # noqa: E402

__dir__ = public_dir(__all__)
