"""nn modules, losses, optimisers and clipping against PyTorch itself.

Each vizflow module gets the torch module's initial weights through state dicts (so the
names and shapes must interchange), then outputs, input and parameter gradients (of a
random weighting of every output) and optimiser steps are compared: float64 to 1e-10,
float32 to 1e-5. Modules are compared in eval mode (dropout off).
"""

from __future__ import annotations

from collections.abc import Callable
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


# ---- loss modules ---------------------------------------------------------------------------

C = 4
_logits = rand(6, C)
_classes = R.integers(0, C, 6)
_classes_ignored = np.where(np.arange(6) % 3 == 0, -100, _classes)
_probs_target = R.dirichlet(np.ones(C), 6)
_class_weight = R.random(C) + 0.5
_unit = 1 / (1 + np.exp(-rand(6, 3)))
_binary = (R.random((6, 3)) < 0.5).astype(float)

LOSS_CASES: list[tuple[str, dict[str, Any], Callable[[], tuple[Any, ...]]]] = [
    ("L1Loss", {}, lambda: (rand(6, 3), rand(6, 3))),
    ("MSELoss", {}, lambda: (rand(6, 3), rand(6, 3))),
    ("SmoothL1Loss", {"beta": 0.7}, lambda: (rand(6, 3), rand(6, 3))),
    ("SmoothL1Loss", {"beta": 0.0}, lambda: (rand(6, 3), rand(6, 3))),
    ("HuberLoss", {"delta": 0.5}, lambda: (rand(6, 3), rand(6, 3))),
    ("NLLLoss", {}, lambda: (_logits, _classes_ignored)),
    ("NLLLoss", {"weight": _class_weight}, lambda: (_logits, _classes_ignored)),
    ("NLLLoss", {"weight": _class_weight}, lambda: (rand(2, C, 3), R.integers(0, C, (2, 3)))),
    ("CrossEntropyLoss", {}, lambda: (_logits, _classes)),
    ("CrossEntropyLoss", {}, lambda: (rand(2, C, 3), R.integers(0, C, (2, 3)))),
    ("CrossEntropyLoss", {"weight": _class_weight, "ignore_index": 1}, lambda: (_logits, _classes)),
    (
        "CrossEntropyLoss",
        {"weight": _class_weight, "label_smoothing": 0.2},
        lambda: (_logits, _classes_ignored),
    ),
    ("CrossEntropyLoss", {"label_smoothing": 0.1}, lambda: (_logits, _probs_target)),
    ("CrossEntropyLoss", {"weight": _class_weight}, lambda: (_logits, _probs_target)),
    ("BCELoss", {}, lambda: (_unit, _binary)),
    ("BCELoss", {"weight": R.random(3)}, lambda: (_unit, R.random((6, 3)))),
    ("BCEWithLogitsLoss", {}, lambda: (rand(6, 3), _binary)),
    (
        "BCEWithLogitsLoss",
        {"weight": R.random(3), "pos_weight": R.random(3) + 0.5},
        lambda: (rand(6, 3), _binary),
    ),
    ("KLDivLoss", {}, lambda: (np.log(R.dirichlet(np.ones(C), 6)), _probs_target)),
    (
        "KLDivLoss",
        {"log_target": True},
        lambda: (np.log(R.dirichlet(np.ones(C), 6)), np.log(_probs_target)),
    ),
]


def _loss_kwargs(kw: dict[str, Any], to_vf: bool) -> dict[str, Any]:
    """Weight arrays as float64 tensors of either library."""
    if to_vf:
        return {k: vf.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    return {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}


LOSS_PARAMS = [
    pytest.param(name, kw, data, red, id=f"{name}-{i}-{red}")
    for i, (name, kw, data) in enumerate(LOSS_CASES)
    for red in ("mean", "sum", "none", *(("batchmean",) if name == "KLDivLoss" else ()))
]


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")  # torch's KLDiv
@pytest.mark.parametrize(("name", "kw", "data", "reduction"), LOSS_PARAMS)
def test_loss_modules_match_torch(
    name: str, kw: dict[str, Any], data: Callable[[], tuple[Any, ...]], reduction: str
) -> None:
    x, t = data()
    vm = getattr(nn, name)(reduction=reduction, **_loss_kwargs(kw, True))
    tm = getattr(tnn, name)(reduction=reduction, **_loss_kwargs(kw, False))
    vx, tx = vf.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    float_target = t.dtype.kind == "f"
    vt = vf.tensor(t, requires_grad=float_target)
    tt = torch.tensor(t, requires_grad=float_target)
    v, tv = vm(vx, vt), tm(tx, tt)
    assert tuple(v.shape) == tuple(tv.shape)
    _close(v.numpy(), tv.detach().numpy(), 1e-10, "loss")
    w = R.standard_normal(tuple(tv.shape))
    (v * vf.tensor(w)).sum().backward()
    (tv * torch.tensor(w)).sum().backward()
    _close(vx.grad.numpy(), tx.grad.numpy(), 1e-10, "input gradient")
    if float_target:
        _close(vt.grad.numpy(), tt.grad.numpy(), 1e-10, "target gradient")


def test_loss_legacy_reduction_arguments() -> None:
    x, t = vf.tensor(rand(4, 3)), vf.tensor(rand(4, 3))
    d = (x - t).numpy() ** 2
    np.testing.assert_allclose(nn.MSELoss(size_average=False)(x, t).numpy(), d.sum())
    np.testing.assert_allclose(nn.MSELoss(reduce=False)(x, t).numpy(), d)


# ---- optimisers and clipping ------------------------------------------------------------

OPTIM_CASES = [
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1}),
    ("RMSprop", {}),
    ("RMSprop", {"momentum": 0.9}),
    ("RMSprop", {"centered": True, "alpha": 0.9}),
    ("RMSprop", {"centered": True, "momentum": 0.5, "weight_decay": 0.01, "maximize": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr_decay": 0.1, "initial_accumulator_value": 0.3, "weight_decay": 0.05}),
]

OPTIM_STATE = {
    "Adadelta": ["square_avg", "acc_delta"],
    "RMSprop": ["square_avg"],
    "Adagrad": ["sum", "step"],
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("name", "kw"), OPTIM_CASES)
def test_optimisers_match_torch(name: str, kw: dict[str, Any], dtype: str) -> None:
    """Three steps (the third after an lr change) give torch's parameters and state."""
    vm, tm = _make(nn.Linear, tnn.Linear, 3, 2)
    _copy_weights(vm, tm, dtype)
    vo = getattr(vf.optim, name)(vm.parameters(), **kw)
    to = getattr(torch.optim, name)(tm.parameters(), **kw)
    for step in range(3):
        if step == 2:
            for g in (*vo.param_groups, *to.param_groups):
                g["lr"] *= 0.5
        x = rand(4, 3).astype(dtype)
        vo.zero_grad()
        to.zero_grad()
        (vm(vf.tensor(x)) ** 2).sum().backward()
        (tm(torch.tensor(x)) ** 2).sum().backward()
        vo.step()
        to.step()
    tol = TOL[dtype]
    t_params = dict(tm.named_parameters())
    for n, p in vm.named_parameters():
        _close(p.numpy(), t_params[n].detach().numpy(), tol, n)
        for key in OPTIM_STATE[name]:
            _close(vo.state[p][key].numpy(), to.state[t_params[n]][key].numpy(), tol, key)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5, float("inf")])
@pytest.mark.parametrize("max_norm", [0.1, 100.0])
def test_clip_grad_norm_matches_torch(norm_type: float, max_norm: float) -> None:
    vm, tm = _make(nn.Linear, tnn.Linear, 3, 2)
    _copy_weights(vm, tm, "float64")
    x = rand(4, 3)
    vm(vf.tensor(x)).sum().backward()
    tm(torch.tensor(x)).sum().backward()
    before = [p.grad.numpy().copy() for p in vm.parameters()]
    v_norm = nn.utils.clip_grad_norm_(vm.parameters(), max_norm, norm_type)
    t_norm = tnn.utils.clip_grad_norm_(tm.parameters(), max_norm, norm_type)
    _close(v_norm.numpy(), t_norm.numpy(), 1e-12, "total norm")
    for p, tp, g0 in zip(vm.parameters(), tm.parameters(), before, strict=True):
        _close(p.grad.numpy(), tp.grad.numpy(), 1e-12, "clipped gradient")
        if max_norm > 10:  # under the limit: unchanged
            _close(p.grad.numpy(), g0, 1e-12, "unclipped gradient")


def test_clip_grad_value_and_nonfinite_norm() -> None:
    vm, tm = _make(nn.Linear, tnn.Linear, 3, 2)
    _copy_weights(vm, tm, "float64")
    x = rand(4, 3) * 5
    vm(vf.tensor(x)).sum().backward()
    tm(torch.tensor(x)).sum().backward()
    nn.utils.clip_grad_value_(vm.parameters(), 0.5)
    tnn.utils.clip_grad_value_(tm.parameters(), 0.5)
    for p, tp in zip(vm.parameters(), tm.parameters(), strict=True):
        _close(p.grad.numpy(), tp.grad.numpy(), 0, "clamped gradient")
    vm.weight.grad = vf.full((2, 3), float("inf"), dtype=vf.float64)
    with pytest.raises(RuntimeError, match="error_if_nonfinite"):
        nn.utils.clip_grad_norm_(vm.parameters(), 1.0, error_if_nonfinite=True)
    assert float(nn.utils.clip_grad_norm_([], 1.0).item()) == 0.0


# ---- the same training steps compiled by vf.function --------------------------------------


def _seq_model(kind: str) -> tuple[nn.Module, Callable[[Any], Any]]:
    """A small model around one new layer, and how its output becomes a scalar loss."""
    if kind in ("LSTM", "GRU", "RNN"):
        m = getattr(nn, kind)(3, 4, num_layers=2, batch_first=True, bidirectional=True)
        return m, lambda out: (out[0] ** 2).mean()
    if kind == "MultiheadAttention":
        m = nn.MultiheadAttention(E, H, batch_first=True)
        return m, lambda out: (out[0] ** 2).mean() + (out[1] ** 2).mean()
    if kind == "TransformerEncoder":
        layer = nn.TransformerEncoderLayer(E, H, 16, dropout=0.0, batch_first=True, norm_first=True)
        return nn.TransformerEncoder(layer, 2), lambda out: (out**2).mean()
    raise AssertionError(kind)


def _call(kind: str, m: nn.Module, x: Any) -> Any:
    if kind == "MultiheadAttention":
        return m(x, x, x, attn_mask=vf.tensor(_causal_bool(L)))
    return m(x)


COMPILED_CASES = [
    ("LSTM", "Adadelta"),
    ("GRU", "RMSprop"),
    ("RNN", "Adagrad"),
    ("MultiheadAttention", "RMSprop"),
    ("TransformerEncoder", "Adadelta"),
]


@pytest.mark.parametrize("optimize", [False, True])
@pytest.mark.parametrize(("kind", "opt"), COMPILED_CASES)
def test_training_step_compiled_equals_eager(kind: str, opt: str, optimize: bool) -> None:
    """Forward, backward, clip_grad_norm_ and an optimiser step: three compiled steps give the
    eager losses, gradients, parameters and optimiser state."""
    import copy

    vf.manual_seed(0)
    me, loss_of = _seq_model(kind)
    me.to(vf.float64)
    mc = copy.deepcopy(me)
    kw = {"momentum": 0.5, "centered": True} if opt == "RMSprop" else {}
    oe = getattr(vf.optim, opt)(me.parameters(), **kw)
    oc = getattr(vf.optim, opt)(mc.parameters(), **kw)

    def step(m: nn.Module, o: Any, x: Any) -> Any:
        o.zero_grad()
        loss = loss_of(_call(kind, m, x))
        loss.backward()
        nn.utils.clip_grad_norm_(m.parameters(), 0.5)
        o.step()
        return loss

    compiled = vf.function(lambda x: step(mc, oc, x), optimize=optimize)
    shape = (N, 5, 3) if kind in ("LSTM", "GRU", "RNN") else (N, L, E)
    for i in range(3):
        x = np.random.default_rng(i).standard_normal(shape)
        le = step(me, oe, vf.tensor(x))
        lc = compiled(vf.tensor(x))
        _close(lc.numpy(), le.numpy(), 1e-10, f"loss at step {i}")
    for (n, pe), pc in zip(me.named_parameters(), mc.parameters(), strict=True):
        _close(pc.grad.numpy(), pe.grad.numpy(), 1e-10, f"gradient of {n}")
        _close(pc.numpy(), pe.numpy(), 1e-10, n)
        for key, se in oe.state[pe].items():
            _close(oc.state[pc][key].numpy(), se.numpy(), 1e-10, f"{n} {key}")
