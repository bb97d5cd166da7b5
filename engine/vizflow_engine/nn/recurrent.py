"""Recurrent cells: RNNCell and LSTMCell (one time step; loop over time in Python)."""

from __future__ import annotations

import math
from typing import Any

from .. import functional as _F
from ..creation import zeros
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


class _Cell(Module):
    """Shared weights of a recurrent cell: W_ih (G·H, I), W_hh (G·H, H), biases, U(±1/√H)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, gates: int) -> None:
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.weight_ih = Parameter(zeros(gates * hidden_size, input_size))
        self.weight_hh = Parameter(zeros(gates * hidden_size, hidden_size))
        self.bias_ih: Parameter | None = None
        self.bias_hh: Parameter | None = None
        if bias:
            self.bias_ih = Parameter(zeros(gates * hidden_size))
            self.bias_hh = Parameter(zeros(gates * hidden_size))
        bound = 1.0 / math.sqrt(hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _gates(self, x: Any, h: Any) -> Any:
        """x W_ihᵀ + b_ih + h W_hhᵀ + b_hh."""
        return F.linear(x, self.weight_ih, self.bias_ih) + F.linear(h, self.weight_hh, self.bias_hh)

    def _zeros(self, x: Any) -> Any:
        return zeros(x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}"


class RNNCell(_Cell):
    """h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu)."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh"
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', not {nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias, 1)
        self.nonlinearity = nonlinearity

    def forward(self, x: Any, h: Any = None) -> Any:
        """The next hidden state (N, H) from input x (N, I) and state h (zeros if None)."""
        z = self._gates(x, self._zeros(x) if h is None else h)
        return _F.tanh(z) if self.nonlinearity == "tanh" else _F.relu(z)


class LSTMCell(_Cell):
    """Long short-term memory cell: gates i, f, g, o; returns (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True) -> None:
        super().__init__(input_size, hidden_size, bias, 4)

    def forward(self, x: Any, state: tuple[Any, Any] | None = None) -> tuple[Any, Any]:
        """(h', c') from input x (N, I) and state (h, c) (zeros if None)."""
        if state is None:
            h = c = self._zeros(x)
        else:
            h, c = state
        i, f, g, o = _F.split(self._gates(x, h), self.hidden_size, 1)
        c2 = _F.sigmoid(f) * c + _F.sigmoid(i) * _F.tanh(g)
        return _F.sigmoid(o) * _F.tanh(c2), c2


__all__ = ["LSTMCell", "RNNCell"]
