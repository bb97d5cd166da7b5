"""vf.nn: module tree, name scopes on recorded nodes, .npz state, train/eval behaviour."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine import nn
from vizflow_engine.nn import functional as F


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.attn = nn.Linear(4, 4)
        self.norm = nn.LayerNorm(4)

    def forward(self, x: vf.Tensor) -> vf.Tensor:
        return self.norm(F.relu(self.attn(x)))


class Encoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.ModuleList([Block(), Block()])
        self.head = nn.Linear(4, 2)

    def forward(self, x: vf.Tensor) -> vf.Tensor:
        for layer in self.layers:
            x = layer(x)
        return self.head(x)


def test_parameters_are_named_by_path_and_counted_once() -> None:
    enc = Encoder()
    names = [n for n, _ in enc.named_parameters()]
    assert names[:4] == [
        "layers.0.attn.weight",
        "layers.0.attn.bias",
        "layers.0.norm.weight",
        "layers.0.norm.bias",
    ]
    assert len(names) == 10 and enc.head.weight.name == "head.weight"
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in enc.parameters())
    assert [n for n, _ in enc.named_modules()][:3] == ["", "layers", "layers.0"]
    assert len(list(enc.children())) == 2


def test_calls_record_hierarchical_scopes() -> None:
    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = Encoder()

        def forward(self, x: vf.Tensor) -> vf.Tensor:
            return self.encoder(x)

    x, model = vf.randn(3, 4), Model()
    with vf.record_tape() as tape:
        model(x)
    scopes = {t.node.scope for t in tape}
    assert {
        "encoder/layers/0/attn",
        "encoder/layers/0",
        "encoder/layers/1/norm",
        "encoder/head",
    } <= scopes
    assert "" not in scopes
    assert vf.current_scope() == ""


def test_state_dict_round_trip_through_npz(tmp_path: Path) -> None:
    vf.manual_seed(0)
    a = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 3))
    a.train()
    a(vf.randn(4, 1, 4, 4))  # moves the running statistics
    path = str(tmp_path / "model.npz")
    a.save(path)
    with np.load(path, allow_pickle=False) as f:
        assert set(f.files) == set(a.state_dict())
    vf.manual_seed(1)
    b = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 3))
    w_arr = b[0].weight.array
    b.load(path)
    assert b[0].weight.array is w_arr  # loaded in place, identity kept
    for k, v in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[k], v)
    x = vf.randn(2, 1, 4, 4)
    a.eval()
    b.eval()
    np.testing.assert_allclose(a(x).numpy(), b(x).numpy())
    with pytest.raises(vf.CheckpointError, match=r"missing '0\.bias'"):
        b.load_state_dict({"0.weight": np.zeros((2, 1, 3, 3))})


def test_dropout_train_vs_eval() -> None:
    vf.manual_seed(0)
    d = nn.Dropout(0.25)
    x = vf.ones(4000)
    y = d(x).numpy()
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.03
    d.eval()
    assert d(x) is x


def test_batchnorm_train_uses_batch_stats_and_updates_running_stats() -> None:
    bn = nn.BatchNorm2d(3, momentum=0.5)
    x = vf.tensor(np.random.default_rng(0).normal(2.0, 3.0, (8, 3, 4, 4)))
    y = bn(x).numpy()
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=(0, 2, 3)), 1, atol=1e-3)
    xa = x.numpy()
    np.testing.assert_allclose(bn.running_mean.numpy(), 0.5 * xa.mean(axis=(0, 2, 3)), rtol=1e-5)
    np.testing.assert_allclose(
        bn.running_var.numpy(), 0.5 + 0.5 * xa.var(axis=(0, 2, 3), ddof=1), rtol=1e-5
    )
    bn.eval()
    ye = bn(x).numpy()
    rm, rv = bn.running_mean.numpy(), bn.running_var.numpy()
    np.testing.assert_allclose(
        ye, (xa - rm[:, None, None]) / np.sqrt(rv[:, None, None] + 1e-5), rtol=1e-4, atol=1e-5
    )


def test_linear_init_is_kaiming_uniform_and_seeded() -> None:
    vf.manual_seed(3)
    a = nn.Linear(100, 50)
    vf.manual_seed(3)
    b = nn.Linear(100, 50)
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    w = a.weight.numpy()
    assert np.abs(w).max() <= 0.1 and w.std() == pytest.approx(0.1 / np.sqrt(3), rel=0.05)


def test_layers_match_torch_when_available() -> None:
    torch = pytest.importorskip("torch")
    vf.manual_seed(0)
    conv = nn.Conv2d(2, 4, 3, stride=2, padding=1)
    tconv = torch.nn.Conv2d(2, 4, 3, stride=2, padding=1).double()
    with torch.no_grad():
        tconv.weight.copy_(torch.tensor(conv.weight.numpy()))
        tconv.bias.copy_(torch.tensor(conv.bias.numpy()))
    x = np.random.default_rng(0).standard_normal((2, 2, 7, 7))
    np.testing.assert_allclose(
        conv.double()(vf.tensor(x)).numpy(), tconv(torch.tensor(x)).detach().numpy(), rtol=1e-10
    )
    cell, tcell = nn.LSTMCell(3, 5).double(), torch.nn.LSTMCell(3, 5).double()
    with torch.no_grad():
        for n, p in cell.named_parameters():
            getattr(tcell, n).copy_(torch.tensor(p.numpy()))
    xi = np.random.default_rng(1).standard_normal((2, 3))
    h, c = cell(vf.tensor(xi))
    th, tc = tcell(torch.tensor(xi))
    np.testing.assert_allclose(h.numpy(), th.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(c.numpy(), tc.detach().numpy(), rtol=1e-10)


def test_rnn_cell_and_embedding_train() -> None:
    vf.manual_seed(0)
    emb, cell, head = nn.Embedding(5, 4, padding_idx=0), nn.RNNCell(4, 6), nn.Linear(6, 2)
    idx = vf.tensor([[1, 2, 0], [3, 4, 0]])
    h = None
    for t in range(3):
        h = cell(emb(idx[:, t]), h)
    F.cross_entropy(head(h), vf.tensor([0, 1])).backward()
    assert emb.weight.grad is not None and cell.weight_hh.grad is not None
    np.testing.assert_array_equal(emb.weight.grad.numpy()[0], 0)
    assert np.abs(emb.weight.grad.numpy()[1:5]).sum() > 0
