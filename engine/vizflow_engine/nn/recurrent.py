"""Recurrent layers: the cells RNNCell, LSTMCell, GRUCell (one time step) and the sequence
layers RNN, LSTM, GRU (multi-layer, bidirectional, batch_first; PyTorch's parameter names,
shapes and initialisation, so state dicts interchange with torch.nn's)."""

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
        return _lstm_update(self._gates(x, h), c, self.hidden_size)


def _lstm_update(gates: Any, c: Any, size: int) -> tuple[Any, Any]:
    """(h', c') from the summed gate pre-activations i, f, g, o and the cell state c."""
    i, f, g, o = _F.split(gates, size, -1)
    c2 = _F.sigmoid(f) * c + _F.sigmoid(i) * _F.tanh(g)
    return _F.sigmoid(o) * _F.tanh(c2), c2


class GRUCell(_Cell):
    """Gated recurrent unit cell: gates r, z, n (PyTorch's order); returns h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True) -> None:
        super().__init__(input_size, hidden_size, bias, 3)

    def forward(self, x: Any, h: Any = None) -> Any:
        """The next hidden state (N, H) from input x (N, I) and state h (zeros if None)."""
        h = self._zeros(x) if h is None else h
        gi = F.linear(x, self.weight_ih, self.bias_ih)
        return _gru_step(gi, h, self.weight_hh, self.bias_hh, self.hidden_size)


def _gru_step(gi: Any, h: Any, w_hh: Any, b_hh: Any, size: int) -> Any:
    """h' = (1 - z)·n + z·h with r, z = σ(·), n = tanh(gi_n + r·(h W_hnᵀ + b_hn))."""
    gh = F.linear(h, w_hh, b_hh)
    i_r, i_z, i_n = _F.split(gi, size, -1)
    h_r, h_z, h_n = _F.split(gh, size, -1)
    r = _F.sigmoid(i_r + h_r)
    z = _F.sigmoid(i_z + h_z)
    n = _F.tanh(i_n + r * h_n)
    return n + z * (h - n)


_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class _RNNBase(Module):
    """Stacked recurrent layers over a sequence, PyTorch's nn.RNN/LSTM/GRU in shape and names.

    Parameters per layer k (and direction suffix "_reverse"): weight_ih_l{k} (G·H, I_k),
    weight_hh_l{k} (G·H, H), bias_ih_l{k}, bias_hh_l{k} (G·H), all U(±1/√H). Input is
    (L, N, I), (N, L, I) with batch_first, or unbatched (L, I); dropout (training only)
    acts on every layer's output but the last.
    """

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
    ) -> None:
        super().__init__()
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"dropout must be in [0, 1], not {dropout}")
        if num_layers < 1 or hidden_size < 1:
            raise ValueError(
                f"num_layers ({num_layers}) and hidden_size ({hidden_size}) must be >= 1"
            )
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        gates = _GATES[mode] * hidden_size
        dirs = 2 if bidirectional else 1
        for k in range(num_layers):
            size_in = input_size if k == 0 else hidden_size * dirs
            for suffix in ("", "_reverse")[:dirs]:
                setattr(self, f"weight_ih_l{k}{suffix}", Parameter(zeros(gates, size_in)))
                setattr(self, f"weight_hh_l{k}{suffix}", Parameter(zeros(gates, hidden_size)))
                if bias:
                    setattr(self, f"bias_ih_l{k}{suffix}", Parameter(zeros(gates)))
                    setattr(self, f"bias_hh_l{k}{suffix}", Parameter(zeros(gates)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias U(±1/√hidden_size), as PyTorch initialises them."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _weights(self, k: int, suffix: str) -> tuple[Any, Any, Any, Any]:
        get = self._parameters.get
        return (
            get(f"weight_ih_l{k}{suffix}"),
            get(f"weight_hh_l{k}{suffix}"),
            get(f"bias_ih_l{k}{suffix}"),
            get(f"bias_hh_l{k}{suffix}"),
        )

    def _step(self, gi: Any, state: Any, w_hh: Any, b_hh: Any) -> tuple[Any, Any]:
        """(output, next state) of one time step, gi being the input's projection."""
        size = self.hidden_size
        if self.mode == "LSTM":
            h, c = state
            h2, c2 = _lstm_update(gi + F.linear(h, w_hh, b_hh), c, size)
            return h2, (h2, c2)
        if self.mode == "GRU":
            h2 = _gru_step(gi, state, w_hh, b_hh, size)
            return h2, h2
        z = gi + F.linear(state, w_hh, b_hh)
        h2 = _F.tanh(z) if self.mode == "RNN_TANH" else _F.relu(z)
        return h2, h2

    def _run(self, x: Any, state: Any, k: int, suffix: str) -> tuple[Any, Any]:
        """One layer in one direction over x (L, N, I): outputs (L, N, H), final state."""
        w_ih, w_hh, b_ih, b_hh = self._weights(k, suffix)
        gi = F.linear(x, w_ih, b_ih)  # every time step's input projection at once
        steps = range(x.shape[0] - 1, -1, -1) if suffix else range(x.shape[0])
        outs: list[Any] = [None] * x.shape[0]
        for t in steps:
            outs[t], state = self._step(gi[t], state, w_hh, b_hh)
        return _F.stack(outs, 0), state

    def forward(self, input: Any, hx: Any = None) -> tuple[Any, Any]:
        """(output, h_n) — for LSTM (output, (h_n, c_n)) — as PyTorch returns them."""
        lstm = self.mode == "LSTM"
        batched = input.ndim == 3
        if input.ndim not in (2, 3):
            raise ValueError(
                f"{type(self).__name__}: expected a 2-D (unbatched) or 3-D input, "
                f"got shape {tuple(input.shape)}"
            )
        x = input if batched else _F.unsqueeze(input, 1)
        if batched and self.batch_first:
            x = _F.transpose(x, 0, 1)
        if x.shape[2] != self.input_size:
            raise ValueError(
                f"{type(self).__name__}: input has {x.shape[2]} features, expected "
                f"input_size={self.input_size}"
            )
        dirs = 2 if self.bidirectional else 1
        n = x.shape[1]
        if hx is None:
            h0 = zeros(self.num_layers * dirs, n, self.hidden_size, dtype=x.dtype, device=x.device)
            hx = (h0, h0) if lstm else h0
        elif not batched:
            hx = tuple(_F.unsqueeze(h, 1) for h in hx) if lstm else _F.unsqueeze(hx, 1)
        hs, cs = hx if lstm else (hx, hx)
        want = (self.num_layers * dirs, n, self.hidden_size)
        for name, t in (("h0", hs), ("c0", cs))[: 2 if lstm else 1]:
            if tuple(t.shape) != want:
                raise ValueError(
                    f"{type(self).__name__}: {name} has shape {tuple(t.shape)}, expected {want}"
                )
        h_n: list[Any] = []
        c_n: list[Any] = []
        for k in range(self.num_layers):
            outs = []
            for d, suffix in enumerate(("", "_reverse")[:dirs]):
                i = k * dirs + d
                state = (hs[i], cs[i]) if lstm else hs[i]
                out, state = self._run(x, state, k, suffix)
                outs.append(out)
                h_n.append(state[0] if lstm else state)
                if lstm:
                    c_n.append(state[1])
            x = outs[0] if dirs == 1 else _F.concatenate(outs, 2)
            if self.dropout and self.training and k < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        out, h = x, _F.stack(h_n, 0)
        c = _F.stack(c_n, 0) if lstm else None
        if batched and self.batch_first:
            out = _F.transpose(out, 0, 1)
        if not batched:
            out, h = _F.squeeze(out, 1), _F.squeeze(h, 1)
            c = _F.squeeze(c, 1) if lstm else None
        return (out, (h, c)) if lstm else (out, h)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(_RNNBase):
    """Elman RNN, h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) (or relu), stacked."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', not {nonlinearity!r}")
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(
            mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional
        )
        self.nonlinearity = nonlinearity


class LSTM(_RNNBase):
    """Long short-term memory, stacked; gates i, f, g, o; returns (output, (h_n, c_n))."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
    ) -> None:
        if proj_size:
            raise NotImplementedError("LSTM(proj_size>0) is not supported; use a Linear after it")
        super().__init__(
            "LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional
        )


class GRU(_RNNBase):
    """Gated recurrent unit, stacked; gates r, z, n; returns (output, h_n)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
    ) -> None:
        super().__init__(
            "GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional
        )


__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNCell"]
