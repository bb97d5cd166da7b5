"""A small transformer encoder learns a toy sequence task, eagerly and compiled alike:
embedding → 2 × (multi-head attention + MLP, layer norm, residual) → mean pool → classifier."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

import vizflow_engine as vf
import vizflow_engine.nn.functional as F
from vizflow_engine import nn

VOCAB, LENGTH, WIDTH, BATCH, STEPS = 10, 8, 16, 32, 40


class Classifier(nn.Module):
    """Does the sequence hold token 3? (attention must look at every position)"""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB, WIDTH)
        self.position = nn.Parameter(vf.randn(LENGTH, WIDTH) * 0.1)
        layer = nn.TransformerEncoderLayer(WIDTH, 2, 32, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2)
        self.head = nn.Linear(WIDTH, 2)

    def forward(self, tokens: Any) -> Any:
        h = self.encoder(self.embed(tokens) + self.position)
        return self.head(h.mean(1))


def _batches() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)
    out = []
    for _ in range(STEPS):
        tokens = rng.integers(0, VOCAB, size=(BATCH, LENGTH))
        tokens[rng.random(BATCH) < 0.5, :] %= 3  # about half the sequences lack a 3
        out.append((tokens, (tokens == 3).any(1).astype(np.int64)))
    return out


def test_transformer_encoder_learns_the_toy_task_eagerly_and_compiled_alike():
    vf.manual_seed(0)
    eager_model = Classifier()
    compiled_model = copy.deepcopy(eager_model)

    def trainer(model: Classifier) -> Any:
        opt = vf.optim.Adam(model.parameters(), lr=3e-3)

        def step(tokens: Any, labels: Any) -> Any:
            opt.zero_grad()
            loss = F.cross_entropy(model(tokens), labels)
            loss.backward()
            opt.step()
            return loss

        return step

    eager, compiled = trainer(eager_model), vf.function(trainer(compiled_model))
    losses_e, losses_c = [], []
    for tokens, labels in _batches():
        losses_e.append(eager(vf.tensor(tokens), vf.tensor(labels)).item())
        losses_c.append(compiled(vf.tensor(tokens), vf.tensor(labels)).item())
    np.testing.assert_allclose(losses_c, losses_e, rtol=1e-4, atol=1e-5)
    assert np.mean(losses_e[-5:]) < 0.6 * np.mean(losses_e[:5])  # it learned
    for (name, pe), pc in zip(
        eager_model.named_parameters(), compiled_model.parameters(), strict=True
    ):
        np.testing.assert_allclose(pc.numpy(), pe.numpy(), rtol=1e-3, atol=1e-5, err_msg=name)
