"""nn modules, losses, optimisers and clipping against PyTorch itself.

Each vizflow module gets the torch module's initial weights through state dicts (so the
names and shapes must interchange), then outputs, input and parameter gradients (of a
random weighting of every output) and optimiser steps are compared: float64 to 1e-10,
float32 to 1e-5. Modules are compared in eval mode (dropout off).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine import nn

torch = pytest.importorskip("torch")
tnn = torch.nn

TOL = {"float64": 1e-10, "float32": 1e-5}
TORCH_DT = {"float64": torch.float64, "float32": torch.float32}


def _flat(o: Any) -> list[Any]:
    """The tensors in a (nested) output, in order, Nones dropped."""
    if o is None:
        return []
    if isinstance(o, (tuple, list)):
        return [t for x in o for t in _flat(x)]
    return [o]


def _inputs(args: Any, dtype: str, to_vf: bool) -> Any:
    """numpy arguments as vizflow or torch tensors (floats cast to dtype and requiring grad)."""
    if isinstance(args, (tuple, list)):
        return type(args)(_inputs(a, dtype, to_vf) for a in args)
    if not isinstance(args, np.ndarray):
        return args
    floating = args.dtype.kind == "f"
    a = args.astype(dtype) if floating else args
    if to_vf:
        return vf.tensor(a, requires_grad=floating)
    return torch.tensor(a, requires_grad=floating)


def _copy_weights(vm: nn.Module, tm: Any, dtype: str) -> None:
    """torch's weights into vm (cast to dtype); the state-dict names must agree, in order."""
    tm.to(TORCH_DT[dtype])
    vm.to(getattr(vf, dtype))
    sd = {k: v.detach().numpy() for k, v in tm.state_dict().items()}
    assert list(vm.state_dict()) == list(sd)
    vm.load_state_dict(sd)


def _close(a: Any, b: Any, tol: float, what: str) -> None:
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol, err_msg=what)


def check_against_torch(
    vm: nn.Module,
    tm: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any] | None = None,
    dtype: str = "float64",
    seed: int = 0,
) -> None:
    """Same weights, same inputs: outputs, input gradients and parameter gradients agree."""
    kwargs = kwargs or {}
    tol = TOL[dtype]
    _copy_weights(vm, tm, dtype)
    vm.eval()
    tm.eval()
    v_args, t_args = _inputs(args, dtype, True), _inputs(args, dtype, False)
    v_kw = {k: _inputs(v, dtype, True) for k, v in kwargs.items()}
    t_kw = {k: _inputs(v, dtype, False) for k, v in kwargs.items()}
    v_out, t_out = _flat(vm(*v_args, **v_kw)), _flat(tm(*t_args, **t_kw))
    assert len(v_out) == len(t_out)
    rng = np.random.default_rng(seed)
    v_loss: Any = 0.0
    t_loss: Any = 0.0
    for i, (v, t) in enumerate(zip(v_out, t_out, strict=True)):
        assert tuple(v.shape) == tuple(t.shape), f"output {i}: {v.shape} vs {tuple(t.shape)}"
        _close(v.numpy(), t.detach().numpy(), tol, f"output {i}")
        w = rng.standard_normal(tuple(t.shape)).astype(dtype)
        v_loss = v_loss + (v * vf.tensor(w)).sum()
        t_loss = t_loss + (t * torch.tensor(w)).sum()
    v_loss.backward()
    t_loss.backward()
    for i, (v, t) in enumerate(zip(_flat(v_args), _flat(t_args), strict=True)):
        if getattr(t, "grad", None) is not None:
            _close(v.grad.numpy(), t.grad.numpy(), tol, f"input {i} gradient")
    t_params = dict(tm.named_parameters())
    for name, p in vm.named_parameters():
        tg = t_params[name].grad
        if tg is None:
            assert p.grad is None or not np.any(p.grad.numpy()), name
        else:
            _close(p.grad.numpy(), tg.numpy(), tol, f"gradient of {name}")


R = np.random.default_rng(3)


def rand(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


def _make(vcls: Any, tcls: Any, *a: Any, **k: Any) -> tuple[Any, Any]:
    torch.manual_seed(0)
    return vcls(*a, **k), tcls(*a, **k)


# ---- recurrent layers -----------------------------------------------------------------------

RNN_CASES = [
    ("RNN", {"num_layers": 2}, False, False),
    ("RNN", {"nonlinearity": "relu", "batch_first": True}, True, False),
    ("RNN", {"bias": False, "num_layers": 2, "bidirectional": True}, True, False),
    ("LSTM", {"num_layers": 2, "dropout": 0.3}, True, False),
    ("LSTM", {"batch_first": True, "bidirectional": True}, False, False),
    ("LSTM", {}, True, True),
    ("GRU", {"num_layers": 3}, True, False),
    ("GRU", {"batch_first": True, "bidirectional": True, "num_layers": 2}, True, False),
    ("GRU", {}, False, True),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("kind", "kw", "with_state", "unbatched"), RNN_CASES)
def test_recurrent_layers_match_torch(
    kind: str, kw: dict[str, Any], with_state: bool, unbatched: bool, dtype: str
) -> None:
    vm, tm = _make(getattr(nn, kind), getattr(tnn, kind), 3, 4, **kw)
    seq, batch = 5, 2
    dirs = 2 if kw.get("bidirectional") else 1
    layers = kw.get("num_layers", 1)
    if unbatched:
        x = rand(seq, 3)
        h_shape: tuple[int, ...] = (dirs * layers, 4)
    else:
        x = rand(batch, seq, 3) if kw.get("batch_first") else rand(seq, batch, 3)
        h_shape = (dirs * layers, batch, 4)
    args: tuple[Any, ...] = (x,)
    if with_state:
        args = (x, (rand(*h_shape), rand(*h_shape))) if kind == "LSTM" else (x, rand(*h_shape))
    check_against_torch(vm, tm, args, dtype=dtype)


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_match_torch(kind: str) -> None:
    vm, tm = _make(getattr(nn, kind), getattr(tnn, kind), 3, 4)
    h = (rand(2, 4), rand(2, 4)) if kind == "LSTMCell" else rand(2, 4)
    check_against_torch(vm, tm, (rand(2, 3), h))


def test_lstm_parameter_names_and_shapes_interchange() -> None:
    vm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    tm = tnn.LSTM(3, 4, num_layers=2, bidirectional=True)
    v_shapes = {k: v.shape for k, v in vm.state_dict().items()}
    t_shapes = {k: tuple(v.shape) for k, v in tm.state_dict().items()}
    assert list(v_shapes) == list(t_shapes)
    assert v_shapes == t_shapes
    bound = 1 / np.sqrt(4)
    assert all(np.abs(v).max() <= bound for v in vm.state_dict().values())


def test_recurrent_refuses_bad_shapes() -> None:
    lstm = nn.LSTM(3, 4)
    with pytest.raises(ValueError, match="input_size=3"):
        lstm(vf.zeros(5, 2, 7))
    with pytest.raises(ValueError, match="h0 has shape"):
        lstm(vf.zeros(5, 2, 3), (vf.zeros(1, 3, 4), vf.zeros(1, 2, 4)))
    with pytest.raises(NotImplementedError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=2)


def test_recurrent_dropout_acts_between_layers_in_training_only() -> None:
    vf.manual_seed(0)
    rnn = nn.GRU(3, 4, num_layers=2, dropout=0.5)
    x = vf.randn(6, 2, 3)
    a, _ = rnn(x)
    b, _ = rnn(x)
    assert not np.allclose(a.numpy(), b.numpy())  # a fresh mask per call
    rnn.eval()
    c, _ = rnn(x)
    d, _ = rnn(x)
    np.testing.assert_array_equal(c.numpy(), d.numpy())


# ---- attention and transformers -----------------------------------------------------------

L, S, N, E, H = 4, 5, 2, 8, 2


def _causal_bool(n: int) -> np.ndarray:
    return np.triu(np.ones((n, n), dtype=bool), 1)


def _padding(n: int, s: int) -> np.ndarray:
    m = np.zeros((n, s), dtype=bool)
    m[0, -2:] = True
    return m


MHA_CASES = [
    ("self, bool causal mask", {}, "self", {"attn_mask": _causal_bool(L)}),
    (
        "self, float mask, padding",
        {"batch_first": True},
        "self",
        {"attn_mask": rand(L, L), "key_padding_mask": np.where(_padding(N, L), -np.inf, 0.0)},
    ),
    ("cross, 3-D bool mask", {}, "cross", {"attn_mask": R.random((N * H, L, S)) < 0.3}),
    (
        "cross, per-head weights",
        {"bias": False},
        "cross",
        {"average_attn_weights": False, "key_padding_mask": _padding(N, S)},
    ),
    ("self, no weights", {"batch_first": True}, "self", {"need_weights": False}),
    ("unbatched", {}, "unbatched", {"key_padding_mask": np.array([False] * (L - 1) + [True])}),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("name", "kw", "kind", "call"), MHA_CASES, ids=[c[0] for c in MHA_CASES])
def test_multihead_attention_matches_torch(
    name: str, kw: dict[str, Any], kind: str, call: dict[str, Any], dtype: str
) -> None:
    vm, tm = _make(nn.MultiheadAttention, tnn.MultiheadAttention, E, H, **kw)
    bf = kw.get("batch_first", False)
    if kind == "unbatched":
        q = rand(L, E)
        check_against_torch(vm, tm, (q, q, q), call, dtype)
        return
    q = rand(N, L, E) if bf else rand(L, N, E)
    if kind == "self":  # one tensor as query, key and value: the packed projection

        class Self(nn.Module):
            def __init__(self, m: Any) -> None:
                super().__init__()
                self.m = m

            def forward(self, x: Any) -> Any:
                return self.m(x, x, x, **{k: _inputs(v, dtype, True) for k, v in call.items()})

        class TSelf(tnn.Module):
            def __init__(self, m: Any) -> None:
                super().__init__()
                self.m = m

            def forward(self, x: Any) -> Any:
                return self.m(x, x, x, **{k: _inputs(v, dtype, False) for k, v in call.items()})

        check_against_torch(Self(vm), TSelf(tm), (q,), dtype=dtype)
        return
    kv = rand(N, S, E) if bf else rand(S, N, E)
    check_against_torch(vm, tm, (q, kv, rand(*kv.shape)), call, dtype)


def _tf_layer_kwargs(**kw: Any) -> dict[str, Any]:
    return {"dim_feedforward": 16, "dropout": 0.1, **kw}


ENCODER_CASES = [
    {},
    {"activation": "gelu", "norm_first": True},
    {"batch_first": True, "norm_first": True},
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kw", ENCODER_CASES)
def test_transformer_encoder_layer_matches_torch(kw: dict[str, Any], dtype: str) -> None:
    vm, tm = _make(
        nn.TransformerEncoderLayer, tnn.TransformerEncoderLayer, E, H, **_tf_layer_kwargs(**kw)
    )
    x = rand(N, L, E) if kw.get("batch_first") else rand(L, N, E)
    call = {"src_mask": _causal_bool(L), "src_key_padding_mask": _padding(N, L)}
    check_against_torch(vm, tm, (x,), call, dtype)


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder_stack_matches_torch(norm_first: bool) -> None:
    torch.manual_seed(0)
    kw = _tf_layer_kwargs(norm_first=norm_first, batch_first=True)
    vm = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, H, **kw), 2, nn.LayerNorm(E))
    tm = tnn.TransformerEncoder(
        tnn.TransformerEncoderLayer(E, H, **kw), 2, tnn.LayerNorm(E), enable_nested_tensor=False
    )
    mask = nn.Transformer.generate_square_subsequent_mask(L, dtype=vf.float64).numpy()
    np.testing.assert_array_equal(mask, tnn.Transformer.generate_square_subsequent_mask(L).numpy())
    check_against_torch(vm, tm, (rand(N, L, E),), {"mask": mask})


def test_transformer_matches_torch() -> None:
    kw = {
        "d_model": E,
        "nhead": H,
        "num_encoder_layers": 2,
        "num_decoder_layers": 2,
        "dim_feedforward": 16,
        "dropout": 0.1,
        "batch_first": True,
    }
    vm, tm = _make(nn.Transformer, tnn.Transformer, **kw)
    assert {k: v.shape for k, v in vm.state_dict().items()} == {
        k: tuple(v.shape) for k, v in tm.state_dict().items()
    }
    call = {
        "tgt_mask": _causal_bool(L),
        "src_key_padding_mask": _padding(N, S),
        "memory_key_padding_mask": _padding(N, S),
    }
    check_against_torch(vm, tm, (rand(N, S, E), rand(N, L, E)), call)


def test_transformer_decoder_layer_matches_torch() -> None:
    vm, tm = _make(
        nn.TransformerDecoderLayer,
        tnn.TransformerDecoderLayer,
        E,
        H,
        **_tf_layer_kwargs(norm_first=True),
    )
    check_against_torch(vm, tm, (rand(L, N, E), rand(S, N, E)), {"tgt_mask": rand(L, L)})
