"""The tutorials' model shapes round-trip vizflow -> ONNX -> vizflow with equal outputs, and
onnx's ReferenceEvaluator agrees with vizflow on each exported file."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import vizflow as vf
from vizflow_engine import nn

from .models import run_reference

pytest.importorskip("onnx")
RNG = np.random.default_rng(0)


class GruLoop(nn.Module):
    """Tutorial 10's RNN: a GRUCell unrolled over the sequence, a linear read-out."""

    def __init__(self) -> None:
        super().__init__()
        self.cell = nn.GRUCell(3, 5)
        self.out = nn.Linear(5, 2)

    def forward(self, xs: Any) -> Any:
        h = vf.zeros(xs.shape[1], 5)
        for t in range(xs.shape[0]):
            h = self.cell(xs[t], h)
        return self.out(h)


class TinyAttention(nn.Module):
    """Tutorial 12's shape: token embedding, multi-head self-attention, mean pool, classifier."""

    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(20, 8)
        self.att = nn.MultiheadAttention(8, 2, batch_first=True)
        self.fc = nn.Linear(8, 3)

    def forward(self, tokens: Any) -> Any:
        e = self.emb(tokens)
        a, _ = self.att(e, e, e)
        return self.fc(a.mean(1))


def _conv() -> nn.Module:
    """Tutorial 08's convolutions: conv, average and max pooling, strided conv, classifier."""
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Conv2d(4, 8, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(8, 10),
    )


CASES = {
    "tanh_mlp": (lambda: nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1)), (3, 4)),
    "convolutions": (_conv, (2, 1, 8, 8)),
    "gru_loop": (GruLoop, (4, 2, 3)),
    "attention": (TinyAttention, None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_round_trip_gives_equal_outputs(name: str) -> None:
    vf.manual_seed(0)
    make, shape = CASES[name]
    model = make()
    model.eval()
    if shape is None:
        x = RNG.integers(0, 20, (2, 6)).astype(np.int64)
    else:
        x = RNG.standard_normal(shape).astype(np.float32)
    with vf.no_grad():
        want = model(vf.tensor(x)).numpy()
    proto = vf.onnx.to_model(model, x)
    np.testing.assert_allclose(run_reference(proto, x)[0], want, rtol=1e-5, atol=1e-6)
    back = vf.onnx.load(proto.SerializeToString())
    assert not any(n.op.name == "onnx_node" for n in back.nodes)
    np.testing.assert_allclose(back(x)[0], want, rtol=1e-5, atol=1e-6)
