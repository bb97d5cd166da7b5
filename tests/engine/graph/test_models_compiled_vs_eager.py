"""Every vf.nn model kind trains the same under @vf.function as eagerly, with every optimiser.

For each model (MLP, conv nets with batch norm and pooling, RNN/LSTM/GRU cells unrolled and
as sequence modules, an Embedding language model with tied weights, LayerNorm, attention and
a Transformer encoder layer) and each kind of optimiser, three training
steps (zero_grad, forward, loss, backward, step) with different batches run eagerly and
under each compiled configuration from identical weights, in float64; the loss, every
parameter's .grad, every updated parameter and every buffer (running statistics) must agree
after each step (rtol 1e-9, atol 1e-12).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine import nn
from vizflow_engine.nn import functional as F

from . import program_check as pc
from .program_gen import OPTIMIZERS

# one of each update rule vf.optim has (the random programs draw every variant)
OPTIMISERS = (
    "sgd",
    "sgd_nesterov_wd",
    "sgd_dampening",
    "adam_wd",
    "adamw",
    "rmsprop_centered_momentum",
    "adagrad",
    "adadelta",
)

Batch = tuple[np.ndarray, ...]


class Case:
    """A model to build, its loss on a batch, and the batch of each call."""

    def __init__(
        self,
        build: Callable[[], nn.Module],
        loss: Callable[..., Any],
        batch: Callable[[np.random.Generator], Batch],
    ) -> None:
        self.build, self.loss, self.batch = build, loss, batch


def _classes(r: np.random.Generator, n: int, k: int) -> np.ndarray:
    return r.integers(0, k, n).astype(np.int64)


def _ce(model: nn.Module, x: Any, y: Any) -> Any:
    return F.cross_entropy(model(x), y)


class Unrolled(nn.Module):
    """A recurrent cell run over the first dim of x (h from zeros), then a linear head."""

    def __init__(self, cell: nn.Module, hidden: int, lstm: bool = False) -> None:
        super().__init__()
        self.cell, self.head, self.lstm = cell, nn.Linear(hidden, 3), lstm

    def forward(self, x: Any) -> Any:
        state: Any = None
        for t in range(x.shape[0]):
            state = self.cell(x[t], state)
        return self.head(state[0] if self.lstm else state)


class Sequence(nn.Module):
    """nn.RNN/LSTM/GRU over (L, N, I), a linear head on every step's output, mean-pooled."""

    def __init__(self, rnn: nn.Module, hidden: int) -> None:
        super().__init__()
        self.rnn, self.head = rnn, nn.Linear(hidden, 3)

    def forward(self, x: Any) -> Any:
        out, _ = self.rnn(x)
        return self.head(out).mean(axis=0)


class LanguageModel(nn.Module):
    """Embedding -> LSTMCell over the tokens -> Linear whose weight is the embedding's."""

    def __init__(self, vocab: int = 7, dim: int = 4) -> None:
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.cell = nn.LSTMCell(dim, dim)
        self.out = nn.Linear(dim, vocab)
        self.out.weight = self.emb.weight  # tied: one parameter used twice

    def forward(self, tokens: Any) -> Any:
        e = self.emb(tokens)
        state = None
        logits = []
        for t in range(tokens.shape[0]):
            state = self.cell(e[t], state)
            logits.append(self.out(state[0]))
        return vf.stack(logits)


def _lm_loss(model: nn.Module, tokens: Any) -> Any:
    logits = model(tokens[:-1])
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens[1:].reshape(-1))


class SelfAttention(nn.Module):
    """One causal attention head written with Linear layers, softmax and vf.where."""

    def __init__(self, dim: int = 4) -> None:
        super().__init__()
        self.q, self.k, self.v = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 3)

    def forward(self, x: Any) -> Any:
        n = x.shape[0]
        scores = self.q(x) @ self.k(x).T / 2.0
        causal = vf.tensor(np.tril(np.ones((n, n), dtype=bool)))
        w = vf.softmax(vf.where(causal, scores, -1e9), axis=-1)
        return self.head(self.norm(x + w @ self.v(x)))


class TorchAttention(nn.Module):
    """nn.MultiheadAttention (2 heads, causal float mask) with a linear head."""

    def __init__(self, dim: int = 4) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, 2)
        self.head = nn.Linear(dim, 3)

    def forward(self, x: Any) -> Any:
        n = x.shape[0]
        mask = vf.tensor(np.triu(np.full((n, n), -1e9), 1))
        out, _ = self.attn(x, x, x, attn_mask=mask)
        return self.head(out).mean(axis=0)


class Encoder(nn.Module):
    """nn.TransformerEncoderLayer (no dropout) with a linear head on the mean."""

    def __init__(self, dim: int = 4) -> None:
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(dim, 2, dim_feedforward=6, dropout=0.0)
        self.head = nn.Linear(dim, 3)

    def forward(self, x: Any) -> Any:
        return self.head(self.layer(x).mean(axis=0))


CASES: dict[str, Case] = {
    "mlp": Case(
        lambda: nn.Sequential(
            nn.Linear(5, 6), nn.GELU(), nn.Linear(6, 6), nn.Tanh(), nn.Linear(6, 3)
        ),
        _ce,
        lambda r: (r.standard_normal((4, 5)), _classes(r, 4, 3)),
    ),
    "convnet_batchnorm": Case(
        lambda: nn.Sequential(
            nn.Conv2d(1, 2, 3, padding=1, bias=False),  # BN cancels a bias: its grad is noise
            nn.BatchNorm2d(2),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(2, 3, 2),
            nn.Flatten(),
            nn.Linear(3, 3),
        ),
        _ce,
        lambda r: (r.standard_normal((3, 1, 4, 4)), _classes(r, 3, 3)),
    ),
    "convnet_avgpool": Case(
        lambda: nn.Sequential(
            nn.Conv2d(2, 2, 3, stride=1, padding=1),
            nn.Sigmoid(),
            nn.AvgPool2d(2),
            nn.Flatten(),
            nn.Linear(8, 3),
        ),
        _ce,
        lambda r: (r.standard_normal((2, 2, 4, 4)), _classes(r, 2, 3)),
    ),
    "mlp_batchnorm1d_layernorm": Case(
        lambda: nn.Sequential(
            nn.Linear(5, 6, bias=False),
            nn.BatchNorm1d(6),
            nn.ReLU(),
            nn.LayerNorm(6),
            nn.Linear(6, 3),
        ),
        _ce,
        lambda r: (r.standard_normal((4, 5)), _classes(r, 4, 3)),
    ),
    "rnn_cell": Case(
        lambda: Unrolled(nn.RNNCell(3, 4), 4),
        _ce,
        lambda r: (r.standard_normal((4, 2, 3)), _classes(r, 2, 3)),
    ),
    "lstm_cell": Case(
        lambda: Unrolled(nn.LSTMCell(3, 4), 4, lstm=True),
        _ce,
        lambda r: (r.standard_normal((5, 2, 3)), _classes(r, 2, 3)),
    ),
    "gru_cell": Case(
        lambda: Unrolled(nn.GRUCell(3, 4), 4),
        _ce,
        lambda r: (r.standard_normal((4, 2, 3)), _classes(r, 2, 3)),
    ),
    "lstm_2_layers": Case(
        lambda: Sequence(nn.LSTM(3, 4, num_layers=2), 4),
        _ce,
        lambda r: (r.standard_normal((4, 2, 3)), _classes(r, 2, 3)),
    ),
    "gru_bidirectional": Case(
        lambda: Sequence(nn.GRU(3, 4, bidirectional=True), 8),
        _ce,
        lambda r: (r.standard_normal((3, 2, 3)), _classes(r, 2, 3)),
    ),
    "rnn_relu": Case(
        lambda: Sequence(nn.RNN(3, 4, nonlinearity="relu"), 4),
        _ce,
        lambda r: (r.standard_normal((4, 2, 3)), _classes(r, 2, 3)),
    ),
    "embedding_lstm_lm_tied": Case(
        LanguageModel, _lm_loss, lambda r: (r.integers(0, 7, (5, 2)).astype(np.int64),)
    ),
    "self_attention": Case(
        SelfAttention, _ce, lambda r: (r.standard_normal((5, 4)), _classes(r, 5, 3))
    ),
    "multihead_attention": Case(
        TorchAttention, _ce, lambda r: (r.standard_normal((4, 2, 4)), _classes(r, 2, 3))
    ),
    "transformer_encoder_layer": Case(
        Encoder, _ce, lambda r: (r.standard_normal((4, 2, 4)), _classes(r, 2, 3))
    ),
}


@pytest.fixture(autouse=True)
def _float64() -> Iterator[None]:
    old = vf.get_default_dtype()
    vf.set_default_dtype(vf.float64)
    yield
    vf.set_default_dtype(old)


def _snapshot(model: nn.Module, loss: Any) -> pc.Snapshot:
    snap: pc.Snapshot = {"out0": np.array(loss.numpy(), copy=True)}
    for name, p in model.named_parameters():
        snap[f"{name}.grad"] = None if p.grad is None else np.array(p.grad.numpy(), copy=True)
        snap[name] = np.array(p.numpy(), copy=True)
    for name, b in model.named_buffers():
        snap[name] = np.array(b.numpy(), copy=True)
    return snap


def _run(case: Case, opt_name: str, wrap: Callable[..., Any] | None) -> list[pc.Snapshot]:
    """Three training steps from the weights of manual_seed(0), the last in eval mode (a new
    trace); snapshots after each."""
    vf.manual_seed(0)
    model = case.build()
    opt = OPTIMIZERS[opt_name](list(model.parameters()))

    def step(*batch: Any) -> Any:
        opt.zero_grad()
        loss = case.loss(model, *batch)
        loss.backward()
        opt.step()
        return loss

    fn = step if wrap is None else wrap(step)
    snaps = []
    for c in range(pc.CALLS):
        if c == pc.CALLS - 1:  # the last step in eval mode (batch norm's running stats)
            model.eval()
        batch = [vf.tensor(a) for a in case.batch(np.random.default_rng(c))]
        snaps.append(_snapshot(model, fn(*batch)))
    return snaps


@pytest.mark.parametrize("model", list(CASES))
def test_model_training_steps_compiled_equal_eager(model: str) -> None:
    case = CASES[model]
    found = []
    for opt_name in OPTIMISERS:
        want = _run(case, opt_name, None)
        for config, wrap in pc.CONFIGS.items():
            try:
                m = pc.compare(want, _run(case, opt_name, wrap), config)
            except Exception as e:  # a compiled failure where eager ran
                m = pc.Mismatch(config, -1, "error", f"{type(e).__name__}: {e}")
            if m is not None:
                found.append(f"{model} with {opt_name}: {m}")
    if found:
        pytest.fail("\n".join(found), pytrace=False)
