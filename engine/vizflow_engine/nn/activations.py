"""Activation modules with PyTorch's names and arguments (each calls its functional form)."""

from __future__ import annotations

from typing import Any

from ..creation import full
from ..ops import activations as A
from . import functional as F
from .module import Module
from .parameter import Parameter


class _Inplace(Module):
    """An activation with PyTorch's inplace flag."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class SiLU(_Inplace):
    """x · σ(x)."""

    def forward(self, x: Any) -> Any:
        """silu(x)."""
        return A.silu(x, self.inplace)


class Mish(_Inplace):
    """x · tanh(softplus(x))."""

    def forward(self, x: Any) -> Any:
        """mish(x)."""
        return A.mish(x, self.inplace)


class ReLU6(_Inplace):
    """min(max(x, 0), 6)."""

    def forward(self, x: Any) -> Any:
        """relu6(x)."""
        return A.relu6(x, self.inplace)


class Hardswish(_Inplace):
    """x · relu6(x + 3) / 6."""

    def forward(self, x: Any) -> Any:
        """hardswish(x)."""
        return A.hardswish(x, self.inplace)


class Hardsigmoid(_Inplace):
    """relu6(x + 3) / 6."""

    def forward(self, x: Any) -> Any:
        """hardsigmoid(x)."""
        return A.hardsigmoid(x, self.inplace)


class SELU(_Inplace):
    """Scaled ELU."""

    def forward(self, x: Any) -> Any:
        """selu(x)."""
        return A.selu(x, self.inplace)


class ELU(_Inplace):
    """x if x > 0 else alpha (e^x - 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.alpha = alpha

    def forward(self, x: Any) -> Any:
        """elu(x)."""
        return A.elu(x, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """x if x > 0 else alpha (e^(x/alpha) - 1)."""

    def forward(self, x: Any) -> Any:
        """celu(x)."""
        return A.celu(x, self.alpha, self.inplace)


class Hardtanh(_Inplace):
    """x clipped to [min_val, max_val]."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.min_val, self.max_val = min_val, max_val

    def forward(self, x: Any) -> Any:
        """hardtanh(x)."""
        return A.hardtanh(x, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, x: Any) -> Any:
        """softsign(x)."""
        return A.softsign(x)


class LogSigmoid(Module):
    """log σ(x)."""

    def forward(self, x: Any) -> Any:
        """logsigmoid(x)."""
        return A.logsigmoid(x)


class Softplus(Module):
    """log(1 + e^(beta x)) / beta, linear above threshold."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x: Any) -> Any:
        """softplus(x)."""
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmin(Module):
    """softmax(-x) along dim."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Any) -> Any:
        """softmin(x)."""
        return A.softmin(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GLU(Module):
    """First half of x along dim gated by σ of the second."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Any) -> Any:
        """glu(x)."""
        return A.glu(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class PReLU(Module):
    """Leaky ReLU with a learned slope (one, or num_parameters, one per channel of dim 1)."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.weight = Parameter(full((num_parameters,), init, dtype=dtype))

    def forward(self, x: Any) -> Any:
        """prelu(x, weight)."""
        return A.prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


__all__ = [
    "CELU",
    "ELU",
    "GLU",
    "SELU",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "LogSigmoid",
    "Mish",
    "PReLU",
    "ReLU6",
    "SiLU",
    "Softmin",
    "Softplus",
    "Softsign",
]
