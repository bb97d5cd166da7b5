"""Three PyTorch-idiom training programs run unchanged on vizflow and on torch, eager and compiled.

Each program (an MNIST-style convnet with Adadelta and StepLR, a word language model with
LSTM, GRU or a causal TransformerEncoder and gradient clipping, a small GPT with weight
tying, masked_fill causal attention and AdamW parameter groups) is written once against a
namespace L (torch or vizflow). From the same initial weights (torch's state_dict loaded into
vizflow) and the same batch, three training steps must give the same losses, and after the
last step the same gradients and updated parameters, in float32 to 1e-5 (rtol and atol: a few
float32 steps round differently in the last bits, ~1e-7 relative each; 1e-5 leaves room for
that and nothing more). Then the same vizflow step under @vf.function must match eager vizflow
to the same tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import vizflow as vf

torch = pytest.importorskip("torch")

TOL = 1e-5
STEPS = 3


def convnet_program(L: ModuleType) -> tuple[Any, Any]:
    """An MNIST-style convnet trainer: model, Adadelta, StepLR and its train step."""
    nn, F, optim = L.nn, L.nn.functional, L.optim

    class Net(nn.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, 1)
            self.conv2 = nn.Conv2d(4, 8, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(32, 16)
            self.fc2 = nn.Linear(16, 10)

        def forward(self, x: Any) -> Any:
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = L.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = self.dropout2(x)
            return F.log_softmax(self.fc2(x), dim=1)

    model = Net()
    model.eval()  # dropout off: both libraries draw different masks
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)

    def train_step(data: Any, target: Any) -> Any:
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        return loss

    def step(data: Any, target: Any, run: Callable[..., Any]) -> Any:
        loss = run(data, target)
        scheduler.step()
        return loss

    return model, (train_step, step)


def word_lm_program(L: ModuleType, rnn_type: str) -> tuple[Any, Any]:
    """A word language model (LSTM, GRU or Transformer) trained with clip_grad_norm_ and SGD."""
    nn, optim = L.nn, L.optim
    ntoken, ninp, nhid, nlayers, nhead = 20, 16, 16, 2, 2

    class PositionalEncoding(nn.Module):  # type: ignore[name-defined]
        def __init__(self, d_model: int, max_len: int = 32) -> None:
            super().__init__()
            position = L.arange(0, max_len, dtype=L.float).unsqueeze(1)
            div_term = L.exp(L.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
            pe = L.zeros(max_len, d_model)
            pe[:, 0::2] = L.sin(position * div_term)
            pe[:, 1::2] = L.cos(position * div_term)
            self.register_buffer("pe", pe.unsqueeze(0).transpose(0, 1))

        def forward(self, x: Any) -> Any:
            return x + self.pe[: x.size(0), :]

    class RNNModel(nn.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.drop = nn.Dropout(0.0)
            self.encoder = nn.Embedding(ntoken, ninp)
            if rnn_type == "Transformer":
                self.pos_encoder = PositionalEncoding(ninp)
                layer = nn.TransformerEncoderLayer(ninp, nhead, nhid, 0.0)
                self.transformer_encoder = nn.TransformerEncoder(
                    layer, nlayers, enable_nested_tensor=False
                )
            else:
                self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=0.0)
            self.decoder = nn.Linear(nhid, ntoken)

        def forward(self, src: Any, hidden: Any) -> tuple[Any, Any]:
            emb = self.drop(self.encoder(src))
            if rnn_type == "Transformer":
                sz = src.size(0)
                mask = L.tril(L.ones(sz, sz))
                mask = mask.masked_fill(mask == 0, float("-inf")).masked_fill(mask == 1, 0.0)
                x = self.pos_encoder(emb * math.sqrt(ninp))
                output = self.transformer_encoder(x, mask)
            else:
                output, hidden = self.rnn(emb, hidden)
            decoded = self.decoder(self.drop(output))
            return decoded.view(-1, ntoken), hidden

        def init_hidden(self, bsz: int) -> Any:
            weight = next(self.parameters())
            if rnn_type == "LSTM":
                return (weight.new_zeros(nlayers, bsz, nhid), weight.new_zeros(nlayers, bsz, nhid))
            return weight.new_zeros(nlayers, bsz, nhid)

    model = RNNModel()
    model.eval()
    criterion = nn.CrossEntropyLoss()
    # vizflow's p.data is a numpy array (no add_), so the example's p.data update is SGD here
    optimizer = optim.SGD(model.parameters(), lr=0.5)

    def train_step(data: Any, targets: Any) -> Any:
        hidden = None if rnn_type == "Transformer" else model.init_hidden(data.size(1))
        optimizer.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        optimizer.step()
        return loss

    def step(data: Any, targets: Any, run: Callable[..., Any]) -> Any:
        return run(data, targets)

    return model, (train_step, step)


def gpt_program(L: ModuleType) -> tuple[Any, Any]:
    """A small GPT: tied lm_head, masked_fill causal attention, AdamW decay/no-decay groups."""
    nn, F = L.nn, L.nn.functional
    vocab, block, n_embd, n_head, n_layer = 20, 6, 16, 2, 2

    class CausalSelfAttention(nn.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            # no bias (nanoGPT's bias=False): a key bias shifts each score row by a constant,
            # so its true gradient is 0 and AdamW would turn float32 noise into +-lr steps
            self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=False)
            self.c_proj = nn.Linear(n_embd, n_embd)
            bias = L.tril(L.ones(block, block)).view(1, 1, block, block)
            self.register_buffer("bias", bias)

        def forward(self, x: Any) -> Any:
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(n_embd, dim=2)
            k = k.view(B, T, n_head, C // n_head).transpose(1, 2)
            q = q.view(B, T, n_head, C // n_head).transpose(1, 2)
            v = v.view(B, T, n_head, C // n_head).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
            return self.c_proj(y)

    class MLP(nn.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.c_fc = nn.Linear(n_embd, 4 * n_embd)
            self.gelu = nn.GELU()
            self.c_proj = nn.Linear(4 * n_embd, n_embd)

        def forward(self, x: Any) -> Any:
            return self.c_proj(self.gelu(self.c_fc(x)))

    class Block(nn.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.ln_1 = nn.LayerNorm(n_embd)
            self.attn = CausalSelfAttention()
            self.ln_2 = nn.LayerNorm(n_embd)
            self.mlp = MLP()

        def forward(self, x: Any) -> Any:
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.transformer = nn.ModuleDict(
                dict(
                    wte=nn.Embedding(vocab, n_embd),
                    wpe=nn.Embedding(block, n_embd),
                    drop=nn.Dropout(0.0),
                    h=nn.ModuleList([Block() for _ in range(n_layer)]),
                    ln_f=nn.LayerNorm(n_embd),
                )
            )
            self.lm_head = nn.Linear(n_embd, vocab, bias=False)
            self.transformer.wte.weight = self.lm_head.weight

        def forward(self, idx: Any, targets: Any) -> tuple[Any, Any]:
            t = idx.size(1)
            pos = L.arange(0, t, dtype=L.long)
            x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
            for blk in self.transformer.h:
                x = blk(x)
            logits = self.lm_head(self.transformer.ln_f(x))
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
            return logits, loss

        def configure_optimizers(self) -> Any:
            params = {pn: p for pn, p in self.named_parameters()}
            decay = [p for p in params.values() if p.dim() >= 2]
            nodecay = [p for p in params.values() if p.dim() < 2]
            groups = [
                {"params": decay, "weight_decay": 0.1},
                {"params": nodecay, "weight_decay": 0.0},
            ]
            return L.optim.AdamW(groups, lr=1e-2, betas=(0.9, 0.95))

    model = GPT()
    model.eval()
    optimizer = model.configure_optimizers()

    def train_step(idx: Any, targets: Any) -> Any:
        optimizer.zero_grad(set_to_none=True)
        _, loss = model(idx, targets)
        loss.backward()
        optimizer.step()
        return loss

    def step(idx: Any, targets: Any, run: Callable[..., Any]) -> Any:
        return run(idx, targets)

    return model, (train_step, step)


def _batch(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The same small random batch for every run of a program."""
    r = np.random.default_rng(0)
    if name == "convnet":
        return r.standard_normal((4, 1, 8, 8)).astype(np.float32), r.integers(0, 10, 4)
    if name == "gpt":
        tokens = r.integers(0, 20, (3, 7))
        return tokens[:, :-1], tokens[:, 1:]
    tokens = r.integers(0, 20, (7, 3))  # (seq, batch), as the word LM's batchify lays it out
    return tokens[:-1], tokens[1:].reshape(-1)


PROGRAMS: dict[str, Callable[[ModuleType], tuple[Any, Any]]] = {
    "convnet": convnet_program,
    "lstm": lambda L: word_lm_program(L, "LSTM"),
    "gru": lambda L: word_lm_program(L, "GRU"),
    "transformer": lambda L: word_lm_program(L, "Transformer"),
    "gpt": gpt_program,
}

Result = tuple[list[float], dict[str, np.ndarray], dict[str, np.ndarray]]


def _train(model: Any, steps: Any, data: Any, target: Any, compiled: bool = False) -> Result:
    """Losses of STEPS steps, then every parameter's grad and value by name."""
    train_step, step = steps
    run = vf.function(train_step) if compiled else train_step
    losses = [float(step(data, target, run).item()) for _ in range(STEPS)]
    grads = {n: np.asarray(p.grad.numpy()) for n, p in model.named_parameters()}
    params = {n: np.asarray(p.detach().numpy()) for n, p in model.named_parameters()}
    return losses, grads, params


def _run_vizflow(name: str, sd: dict[str, np.ndarray], compiled: bool) -> Result:
    model, steps = PROGRAMS[name](vf)
    assert list(model.state_dict()) == list(sd)
    model.load_state_dict(sd)
    data, target = _batch(name)
    return _train(model, steps, vf.tensor(data), vf.tensor(target), compiled)


def _torch_start(name: str) -> tuple[Result, dict[str, np.ndarray]]:
    """torch's result of the program and the initial state dict it started from."""
    torch.manual_seed(0)
    model, steps = PROGRAMS[name](torch)
    sd = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    data, target = _batch(name)
    return _train(model, steps, torch.tensor(data), torch.tensor(target)), sd


def _same(got: Result, want: Result, what: str) -> None:
    np.testing.assert_allclose(got[0], want[0], rtol=TOL, atol=TOL, err_msg=f"{what}: losses")
    for kind, g, w in (("grad", got[1], want[1]), ("updated", got[2], want[2])):
        assert g.keys() == w.keys()
        for n in w:
            msg = f"{what}: {kind} {n}"
            np.testing.assert_allclose(g[n], w[n], rtol=TOL, atol=TOL, err_msg=msg)


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_program_trains_like_torch_eager_and_compiled(name: str) -> None:
    want, sd = _torch_start(name)
    eager = _run_vizflow(name, sd, compiled=False)
    _same(eager, want, f"{name} eager vs torch")
    _same(_run_vizflow(name, sd, compiled=True), eager, f"{name} @vf.function vs eager")
