"""PyTorch habits that need no torch to check: devices, dtype names, containers, Module.apply
and .to, DataLoader's worker arguments, and silent log(0) / x/0 (numpy's values, no warning)."""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np
import pytest

import vizflow
import vizflow_engine as vf
from vizflow_engine import nn
from vizflow_engine.data import DataLoader, TensorDataset

# ---- devices and dtypes -------------------------------------------------------------------


def test_device_objects_are_the_backend_singletons() -> None:
    cpu = vf.device("cpu")
    assert cpu is vf.CPU and vf.device("cpu:0") is cpu and vf.device(cpu) is cpu
    assert isinstance(cpu, vf.device) and repr(cpu) == "device(type='cpu')"
    assert copy.deepcopy(cpu) is cpu and copy.copy(cpu) is cpu
    t = vf.zeros(2, 3, device=cpu)
    assert t.device is cpu and t.to(vf.device("cpu")) is t
    with pytest.raises(vf.DeviceError, match="unknown device"):
        vf.device("tpu")


def test_accelerator_queries_agree_with_the_backend() -> None:
    assert vf.accelerator.is_available() == vf.cuda_available()
    if vf.accelerator.is_available():
        assert vf.accelerator.current_accelerator() is vf.device("cuda")
        assert vf.accelerator.device_count() >= 1
    else:
        assert vf.accelerator.current_accelerator() is None
        assert vf.accelerator.device_count() == 0
    import vizflow.accelerator as acc  # importable as torch.accelerator is

    assert acc is vf.accelerator


def test_pytorch_dtype_names() -> None:
    assert vf.float is vf.float32 and vf.long is vf.int64 and vf.double is vf.float64
    assert vizflow.float is vf.float32 and vizflow.bool is vf.bool_
    assert vf.zeros(2, dtype=vf.long).dtype == np.int64
    assert vf.ones(2, dtype=vf.bool).dtype == np.bool_
    x = vf.tensor([1.5, -2.0], dtype=vf.float)
    assert x.to(vf.long).dtype == np.int64 and x.to(vf.double).dtype == np.float64
    # the builtins' names stay out of `from vizflow import *`
    assert "float" not in vizflow.__all__ and "bool" not in vizflow.__all__
    ns: dict[str, Any] = {}
    exec("from vizflow import *", ns)
    assert "float" not in ns and "bool" not in ns


# ---- Module.to and Module.apply ---------------------------------------------------------


def test_module_to_takes_a_dtype_alone_or_with_a_device() -> None:
    m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    w = m[0].weight
    assert m.to(vf.float64) is m and w.dtype == np.float64 and m[0].weight is w
    m.to(vf.device("cpu"), vf.float32)
    assert all(t.dtype == np.float32 for t in m.state_dict().values())
    with pytest.raises(TypeError, match="floating dtype"):
        m.to(vf.long)


def test_apply_visits_children_first_then_self() -> None:
    m = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    seen: list[str] = []

    def init(mod: nn.Module) -> None:
        seen.append(type(mod).__name__)
        if isinstance(mod, nn.Linear):
            nn.init.ones_(mod.weight)

    assert m.apply(init) is m
    assert seen == ["Linear", "ReLU", "Linear", "Sequential", "Sequential"]
    assert np.all(m[0].weight.numpy() == 1) and np.all(m[1][1].weight.numpy() == 1)


# ---- containers -------------------------------------------------------------------------


class Heads(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.heads = nn.ModuleDict({"a": nn.Linear(2, 2)})
        self.heads["b"] = nn.Linear(2, 1)
        self.scales = nn.ParameterList([vf.ones(2), nn.Parameter(vf.zeros(1))])
        self.extra = nn.ParameterDict({"bias": vf.zeros(1)})

    def forward(self, x: Any) -> Any:
        y = self.heads["a"](x) * self.scales[0]
        return self.heads["b"](y) + self.scales[1] + self.extra["bias"]


def test_containers_register_name_and_train() -> None:
    m = Heads()
    assert list(m.state_dict()) == [
        "heads.a.weight",
        "heads.a.bias",
        "heads.b.weight",
        "heads.b.bias",
        "scales.0",
        "scales.1",
        "extra.bias",
    ]
    assert list(m.heads) == ["a", "b"] and "a" in m.heads and len(m.heads) == 2
    assert isinstance(m.scales[0], nn.Parameter) and len(m.scales) == 2
    assert list(m.extra.keys()) == ["bias"] and m.extra["bias"].requires_grad
    with vf.record_tape() as tape:
        m(vf.randn(4, 2)).sum().backward()
    assert {"heads/a", "heads/b"} <= {t.node.scope for t in tape}
    assert all(p.grad is not None for p in m.parameters())
    popped = m.heads.pop("b")
    assert isinstance(popped, nn.Linear) and "heads.b.weight" not in m.state_dict()
    with pytest.raises(TypeError, match="holds Modules"):
        m.heads["c"] = vf.zeros(1)  # type: ignore[assignment]
    with pytest.raises(TypeError, match="Parameter or Tensor"):
        m.scales.append(3.0)


# ---- DataLoader ---------------------------------------------------------------------------


def test_dataloader_accepts_pytorch_worker_arguments() -> None:
    ds = TensorDataset(vf.arange(10), vf.arange(10) * 2)
    plain = [b[0].numpy().tolist() for b in DataLoader(ds, batch_size=3)]
    dl = DataLoader(ds, batch_size=3, num_workers=2, pin_memory=True, persistent_workers=True)
    assert [b[0].numpy().tolist() for b in dl] == plain
    assert dl.num_workers == 2 and dl.pin_memory and dl.persistent_workers
    with pytest.raises(ValueError, match="persistent_workers"):
        DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(ds, num_workers=-1)


# ---- no numpy floating-point warnings -----------------------------------------------------

_X = np.array([0.0, -0.0, 1.0, -1.0, 2.0, np.inf])
SILENT_OPS = [
    ("log", vf.log, np.log),
    ("log1p", lambda x: vf.log1p(x - 1.0), lambda a: np.log1p(a - 1.0)),
    ("sqrt", vf.sqrt, np.sqrt),
    ("reciprocal", vf.reciprocal, np.reciprocal),
    ("div by tensor", lambda x: vf.div(x, x), lambda a: a / a),
    ("operator /", lambda x: 1.0 / x, lambda a: 1.0 / a),
    ("x / 0", lambda x: x / 0.0, lambda a: a / 0.0),
    ("pow", lambda x: x**-1.5, lambda a: a**-1.5),
]


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("name", "fn", "ref"), SILENT_OPS, ids=[c[0] for c in SILENT_OPS])
def test_log_and_division_of_zero_are_silent(name: str, fn: Any, ref: Any, dtype: str) -> None:
    with np.errstate(all="ignore"):
        want = ref(_X.astype(dtype))
    got = fn(vf.tensor(_X, dtype=dtype))
    np.testing.assert_array_equal(got.numpy(), want)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.log(np.ones(1))  # numpy's own state is left as it was
    with pytest.raises(RuntimeWarning):
        np.log(np.zeros(1))


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize(("name", "fn", "ref"), SILENT_OPS[:5], ids=[c[0] for c in SILENT_OPS[:5]])
def test_gradients_at_zero_are_silent(name: str, fn: Any, ref: Any) -> None:
    x = vf.tensor(_X[:5], dtype="float64", requires_grad=True)
    fn(x).backward(vf.ones(5, dtype="float64"))  # (a sum of ±inf would warn in numpy's sum)
    assert x.grad is not None and x.grad.shape == (5,)


# ---- new layers: gradients against finite differences (float64) --------------------------


def _finite_difference_check(loss_of: Any, params: list[vf.Tensor], eps: float = 1e-6) -> None:
    """Backward's gradient of every parameter element against central differences."""
    for p in params:
        p.grad = None
    loss_of().backward()
    for p in params:
        assert p.grad is not None
        analytic = p.grad.numpy()
        flat = p.data.reshape(-1)
        numeric = np.empty(flat.size)
        for i in range(flat.size):
            keep = flat[i]
            flat[i] = keep + eps
            up = loss_of().item()
            flat[i] = keep - eps
            down = loss_of().item()
            flat[i] = keep
            numeric[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(analytic.reshape(-1), numeric, rtol=1e-6, atol=1e-8)


LAYERS = [  # name, constructor, input shape, output features
    ("GRU", lambda: nn.GRU(2, 2, num_layers=2, bidirectional=True), (3, 2, 2), 4),
    ("LSTM", lambda: nn.LSTM(2, 3, batch_first=True), (2, 4, 2), 3),
    ("RNN", lambda: nn.RNN(2, 3, nonlinearity="relu"), (4, 2, 2), 3),
    ("MultiheadAttention", lambda: nn.MultiheadAttention(4, 2), (3, 2, 4), 4),
    ("TransformerEncoderLayer", lambda: nn.TransformerEncoderLayer(4, 2, 6, 0.0), (3, 2, 4), 4),
]


@pytest.mark.parametrize(("name", "make", "shape", "out"), LAYERS, ids=[c[0] for c in LAYERS])
def test_new_layers_gradients_match_finite_differences(
    name: str, make: Any, shape: tuple[int, ...], out: int
) -> None:
    vf.manual_seed(1)
    m = make().to(vf.float64)
    x = vf.tensor(np.random.default_rng(2).standard_normal(shape), requires_grad=True)
    w = vf.tensor(np.random.default_rng(3).standard_normal((*shape[:2], out)))

    def loss() -> Any:
        if name == "MultiheadAttention":
            out = m(x, x, x, attn_mask=vf.tensor(np.triu(np.ones((3, 3), bool), 1)))[0]
        else:
            out = m(x)
        out = out[0] if isinstance(out, tuple) else out
        return (out * w).sum()

    _finite_difference_check(loss, [x, *m.parameters()])


def test_is_causal_without_a_mask_masks_the_future() -> None:
    m = nn.MultiheadAttention(8, 2)
    x = vf.randn(4, 2, 8)
    causal = nn.Transformer.generate_square_subsequent_mask(4)
    a = m(x, x, x, is_causal=True)[1].numpy()
    np.testing.assert_allclose(a, m(x, x, x, attn_mask=causal)[1].numpy())
    np.testing.assert_array_equal(a[:, 0, 1:], 0.0)
