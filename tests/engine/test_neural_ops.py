"""Neural ops from the table: forward vs a numpy reference, gradients vs finite differences.

Every differentiable op of category "neural" (primitives and composites) has a sample entry;
smooth ones are also checked to second order. Update ops are checked against their formulas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.nn import functional as F
from vizflow_engine.ops import neural as N
from vizflow_engine.ops import updates as U

from .neural_samples_d2 import NEURAL_D2

R = np.random.default_rng(1234)


def _naive_conv(x: np.ndarray, w: np.ndarray, s: int, p: int, d: int, g: int) -> np.ndarray:
    n, _c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    ho = (h + 2 * p - d * (kh - 1) - 1) // s + 1
    wo = (wd + 2 * p - d * (kw - 1) - 1) // s + 1
    out = np.zeros((n, o, ho, wo))
    og = o // g
    for oc in range(o):
        grp = oc // og
        for i in range(ho):
            for j in range(wo):
                patch = xp[
                    :,
                    grp * cg : (grp + 1) * cg,
                    i * s : i * s + d * (kh - 1) + 1 : d,
                    j * s : j * s + d * (kw - 1) + 1 : d,
                ]
                out[:, oc, i, j] = (patch * w[oc]).sum(axis=(1, 2, 3))
    return out


def _naive_maxpool(x: np.ndarray, k: int, s: int, p: int) -> np.ndarray:
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=-np.inf)
    ho = (x.shape[2] + 2 * p - k) // s + 1
    wo = (x.shape[3] + 2 * p - k) // s + 1
    out = np.empty((*x.shape[:2], ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = xp[:, :, i * s : i * s + k, j * s : j * s + k].max(axis=(2, 3))
    return out


def _log_softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(1, keepdims=True)
    return z - np.log(np.exp(z).sum(1, keepdims=True))


@dataclass
class Sample:
    """One table entry: op name, a function of tensors, inputs, reference, which to check."""

    op: str
    fn: Callable[..., Any]
    inputs: list[np.ndarray]
    ref: Callable[..., np.ndarray] | None
    diff: tuple[int, ...] = (0,)
    second_order: bool = True
    tags: dict[str, Any] = field(default_factory=dict)


def _x(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


_T = np.array([2, 0, 1, -100, 2])
_P = np.exp(_x(4, 3))
_P /= _P.sum(1, keepdims=True)
_POOL_X = R.permutation(2 * 2 * 6 * 6).reshape(2, 2, 6, 6) / 10.0  # distinct: no ties


def _dilated_pool_grad(g: vf.Tensor) -> vf.Tensor:
    """max_pool2d's input gradient for cotangent g, dilated and ceil_mode windows (its own
    gradient, in g, is max_pool2d_select)."""
    x = vf.tensor(_POOL_X, dtype="float64", requires_grad=True)
    return vf.grad(N.max_pool2d(x, 3, 2, 1, 2, True), x, g, create_graph=True)[0]


SAMPLES: list[Sample] = [
    Sample(
        "conv2d",
        lambda x, w: N.conv2d(x, w, 1, 1),
        [_x(2, 3, 5, 5), _x(4, 3, 3, 3)],
        lambda x, w: _naive_conv(x, w, 1, 1, 1, 1),
        (0, 1),
    ),
    Sample(
        "conv2d",
        lambda x, w: N.conv2d(x, w, 2, 1, 1, 2),
        [_x(2, 4, 6, 6), _x(4, 2, 3, 3)],
        lambda x, w: _naive_conv(x, w, 2, 1, 1, 2),
        (0, 1),
    ),
    Sample(
        "conv2d",
        lambda x, w: N.conv2d(x, w, 1, 2, 2),
        [_x(1, 2, 5, 5), _x(3, 2, 3, 3)],
        lambda x, w: _naive_conv(x, w, 1, 2, 2, 1),
        (0, 1),
    ),
    Sample(
        "conv_transpose2d",
        lambda x, w: N.conv_transpose2d(x, w, 2, 1, 1, 1, 1),
        [_x(2, 3, 3, 3), _x(3, 2, 3, 3)],
        None,
        (0, 1),
    ),
    Sample(
        "conv2d_weight",
        lambda x, g: N.conv2d_weight(x, g, 3, 1, 1),
        [_x(2, 2, 4, 4), _x(2, 3, 4, 4)],
        None,
        (0, 1),
    ),
    Sample(
        "max_pool2d",
        lambda x: N.max_pool2d(x, 2),
        [_POOL_X],
        lambda x: _naive_maxpool(x, 2, 2, 0),
        (0,),
        False,
    ),
    Sample(
        "max_pool2d",
        lambda x: N.max_pool2d(x, 3, 2, 1),
        [_POOL_X],
        lambda x: _naive_maxpool(x, 3, 2, 1),
        (0,),
        False,
    ),
    Sample(  # dilated windows, a last partial window (ceil_mode): checked vs torch elsewhere
        "max_pool2d",
        lambda x: N.max_pool2d(x, 3, 2, 1, 2, True),
        [_POOL_X],
        None,
        (0,),
        False,
    ),
    Sample("max_pool2d_grad", _dilated_pool_grad, [_x(2, 2, 3, 3)], None),
    Sample("linear", N.linear, [_x(4, 3), _x(5, 3), _x(5)], lambda x, w, b: x @ w.T + b, (0, 1, 2)),
    Sample(
        "linear", N.linear, [_x(2, 4, 3), _x(5, 3), _x(5)], lambda x, w, b: x @ w.T + b, (0, 1, 2)
    ),
    Sample(
        "cross_entropy",
        lambda x: N.cross_entropy_indices(x, vf.tensor(_T)),
        [_x(5, 3)],
        lambda x: -(_log_softmax(x)[np.arange(5), np.where(_T < 0, 0, _T)] * (_T >= 0)).sum() / 4,
    ),
    Sample(
        "cross_entropy",
        lambda x: N.cross_entropy_indices(x, vf.tensor(_T), "none", 0.1),
        [_x(5, 3)],
        lambda x: np.where(
            _T >= 0,
            -0.9 * _log_softmax(x)[np.arange(5), np.where(_T < 0, 0, _T)]
            - 0.1 * _log_softmax(x).mean(1),
            0,
        ),
    ),
    Sample(
        "cross_entropy",
        lambda x: N.cross_entropy_indices(x, vf.tensor(_T), "sum"),
        [_x(5, 3)],
        None,
    ),
    Sample(
        "cross_entropy_grad",
        lambda x, g: vf.grad(
            N.cross_entropy_indices(x, vf.tensor(_T), "none", 0.2), x, g, create_graph=True
        )[0],
        [_x(5, 3), _x(5)],
        None,
        (0, 1),
        False,
    ),
    # composites
    Sample(
        "avg_pool2d",
        lambda x: F.avg_pool2d(x, 2),
        [_x(2, 2, 4, 4)],
        lambda x: x.reshape(2, 2, 2, 2, 2, 2).mean(axis=(3, 5)),
    ),
    Sample(
        "avg_pool2d",
        lambda x: F.avg_pool2d(x, 3, 1, 1),
        [_x(1, 2, 4, 4)],
        lambda x: _naive_conv(x, np.full((2, 1, 3, 3), 1 / 9), 1, 1, 1, 2),
    ),
    Sample(  # per-window divisors: padding not counted, a last partial window
        "avg_pool2d",
        lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        [_x(1, 2, 5, 6)],
        None,
    ),
    Sample(
        "avg_pool2d",
        lambda x: F.avg_pool2d(x, 2, 1, divisor_override=3),
        [_x(1, 2, 3, 4)],
        lambda x: _naive_conv(x, np.full((2, 1, 2, 2), 1 / 3), 1, 0, 1, 2),
    ),
    Sample(
        "layer_norm",
        lambda x, w, b: F.layer_norm(x, 4, w, b),
        [_x(3, 4), _x(4), _x(4)],
        lambda x, w, b: (
            (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-5) * w + b
        ),
        (0, 1, 2),
    ),
    Sample(
        "batch_norm",
        lambda x, w, b: F.batch_norm(x, None, None, w, b, True),
        [_x(4, 3, 2, 2), _x(3), _x(3)],
        lambda x, w, b: (
            (x - x.mean((0, 2, 3), keepdims=True))
            / np.sqrt(x.var((0, 2, 3), keepdims=True) + 1e-5)
            * w.reshape(1, 3, 1, 1)
            + b.reshape(1, 3, 1, 1)
        ),
        (0, 1, 2),
    ),
    Sample(
        "embedding",
        lambda w: F.embedding(vf.tensor(np.array([[0, 2], [2, 3]])), w, 3),
        [_x(4, 3)],
        lambda w: w[[[0, 2], [2, 3]]] * np.array([[1, 1], [1, 0]])[..., None],
    ),
    Sample(
        "nll_loss",
        lambda x: F.nll_loss(x, vf.tensor(_T)),
        [_x(5, 3)],
        lambda x: -(x[np.arange(5), np.where(_T < 0, 0, _T)] * (_T >= 0)).sum() / 4,
    ),
    Sample(
        "cross_entropy_probs",
        lambda x, p: F.cross_entropy(x, p, label_smoothing=0.1),
        [_x(4, 3), _P],
        lambda x, p: -((p * 0.9 + 0.1 / 3) * _log_softmax(x)).sum(1).mean(),
        (0, 1),
    ),
    Sample(
        "mse_loss", F.mse_loss, [_x(3, 4), _x(3, 4)], lambda a, b: ((a - b) ** 2).mean(), (0, 1)
    ),
    Sample(
        "binary_cross_entropy_with_logits",
        F.binary_cross_entropy_with_logits,
        [_x(3, 4) * 3, R.uniform(size=(3, 4))],
        lambda x, y: (np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))).mean(),
        (0, 1),
    ),
    Sample(
        "binary_cross_entropy_with_logits",
        lambda x, y: F.binary_cross_entropy_with_logits(x, y, "sum", 2.0),
        [_x(3, 4), R.uniform(size=(3, 4))],
        lambda x, y: (
            -(
                2 * y * np.log(1 / (1 + np.exp(-x))) + (1 - y) * np.log(1 - 1 / (1 + np.exp(-x)))
            ).sum()
        ),
        (0, 1),
    ),
]

SAMPLES += [Sample(*entry) for entry in NEURAL_D2]  # issue 13 (D2)

_IDS = [f"{s.op}-{i}" for i, s in enumerate(SAMPLES)]


def _tensors(s: Sample) -> list[vf.Tensor]:
    return [
        vf.tensor(a, dtype="float64", requires_grad=i in s.diff) for i, a in enumerate(s.inputs)
    ]


def _numeric_grad(
    f: Callable[[list[np.ndarray]], float], arrays: list[np.ndarray], i: int, eps: float = 1e-6
) -> np.ndarray:
    a = arrays[i]
    g = np.zeros_like(a)
    for k in np.ndindex(a.shape):
        old = a[k]
        a[k] = old + eps
        hi = f(arrays)
        a[k] = old - eps
        lo = f(arrays)
        a[k] = old
        g[k] = (hi - lo) / (2 * eps)
    return g


@pytest.mark.parametrize("s", SAMPLES, ids=_IDS)
def test_forward_matches_reference(s: Sample) -> None:
    out = s.fn(*_tensors(s))
    assert out.dtype == np.float64
    if s.ref is not None:
        np.testing.assert_allclose(
            out.numpy(), s.ref(*[a.copy() for a in s.inputs]), rtol=1e-9, atol=1e-10
        )


@pytest.mark.parametrize("s", SAMPLES, ids=_IDS)
def test_gradient_matches_finite_differences(s: Sample) -> None:
    ts = _tensors(s)
    out = s.fn(*ts)
    w = R.standard_normal(out.shape)
    loss = (out * vf.tensor(w, dtype="float64")).sum()
    grads = vf.grad(loss, [ts[i] for i in s.diff])
    arrays = [a.copy() for a in s.inputs]

    def f(arrs: list[np.ndarray]) -> float:
        o = s.fn(
            *[vf.tensor(a, dtype="float64", requires_grad=i in s.diff) for i, a in enumerate(arrs)]
        )
        return float((o.numpy() * w).sum())

    for i, g in zip(s.diff, grads, strict=True):
        assert g is not None
        np.testing.assert_allclose(
            g.numpy(),
            _numeric_grad(f, arrays, i),
            rtol=1e-5,
            atol=1e-6,
            err_msg=f"{s.op}: input {i}",
        )


@pytest.mark.parametrize(
    "s",
    [s for s in SAMPLES if s.second_order],
    ids=[i for s, i in zip(SAMPLES, _IDS, strict=True) if s.second_order],
)
def test_second_order_matches_finite_differences(s: Sample) -> None:
    v_out = None
    vs = [R.standard_normal(s.inputs[i].shape) for i in s.diff]

    def first(ts: list[vf.Tensor], create: bool) -> vf.Tensor:
        nonlocal v_out
        out = s.fn(*ts)
        if v_out is None:
            v_out = R.standard_normal(out.shape)
        loss = (out * vf.tensor(v_out, dtype="float64")).sum()
        gs = vf.grad(loss, [ts[i] for i in s.diff], create_graph=create)
        return sum(
            ((g * vf.tensor(v, dtype="float64")).sum() for g, v in zip(gs, vs, strict=True)),
            vf.tensor(0.0, dtype="float64"),
        )

    ts = _tensors(s)
    f1 = first(ts, True)
    if f1.requires_grad:
        hv: tuple[Any, ...] = vf.grad(f1, [ts[i] for i in s.diff], allow_unused=True)
    else:  # linear in its inputs: the gradient is constant, second order is zero
        hv = (None,) * len(s.diff)
    arrays = [a.copy() for a in s.inputs]

    def f(arrs: list[np.ndarray]) -> float:
        tt = [vf.tensor(a, dtype="float64", requires_grad=i in s.diff) for i, a in enumerate(arrs)]
        return float(first(tt, False).item())

    for i, g in zip(s.diff, hv, strict=True):
        num = _numeric_grad(f, arrays, i, eps=1e-5)
        got = np.zeros_like(num) if g is None else g.numpy()
        np.testing.assert_allclose(got, num, rtol=1e-4, atol=1e-5, err_msg=f"{s.op}: input {i}")


def test_every_neural_op_is_in_the_table() -> None:
    # the gradient ops are checked through max_pool2d here, and against finite differences
    # with the registry's op samples
    covered = {s.op for s in SAMPLES} | {"max_pool2d_grad", "max_pool2d_select"}
    updates = {"assign", "sgd_update_", "sgd_momentum_update_", "adam_update_"}
    prims = {op.name for op in vf.all_ops() if op.category == "neural"}
    assert prims - updates <= covered, prims - updates - covered
    comps = {c.name for c in vf.all_composites() if c.category == "neural"}
    assert comps - {"softmax", "log_softmax", "dropout"} <= covered, comps - covered
    for op in vf.all_ops():
        if op.category == "neural":
            assert op.formula and op.grad_formula and op.doc


def test_conv_adjoint_identities() -> None:
    x, w, y = _x(2, 3, 7, 7), _x(4, 3, 3, 3), None
    cx = N.conv2d(vf.tensor(x), vf.tensor(w), 2, 1).numpy()
    y = _x(*cx.shape)
    # <conv(x), y> = <x, convT(y)> = <w, conv_weight(x, y)>
    ct = N.conv_transpose2d(vf.tensor(y), vf.tensor(w), 2, 1, 1, 1, 0).numpy()
    cw = N.conv2d_weight(vf.tensor(x), vf.tensor(y), 3, 2, 1).numpy()
    lhs = (cx * y).sum()
    assert (x * ct).sum() == pytest.approx(lhs, rel=1e-5)
    assert (w * cw).sum() == pytest.approx(lhs, rel=1e-5)


def test_shape_rules_infer_and_explain() -> None:
    spec = vf.get_op("conv2d").infer(
        (vf.TensorSpec((None, 3, 28, 28), np.float32), vf.TensorSpec((8, 3, 3, 3), np.float32)),
        stride=(1, 1),
        padding=(1, 1),
        dilation=(1, 1),
        groups=1,
    )
    assert spec.shape == (None, 8, 28, 28)
    with pytest.raises(vf.ShapeError, match="channels"):
        N.conv2d(vf.zeros(1, 2, 5, 5), vf.zeros(4, 3, 3, 3))
    with pytest.raises(vf.ShapeError, match="features"):
        N.linear(vf.zeros(2, 3), vf.zeros(4, 5), vf.zeros(4))


def test_cross_entropy_is_stable_for_huge_logits() -> None:
    x = vf.tensor([[1000.0, 0.0, -1000.0]], requires_grad=True)
    loss = F.cross_entropy(x, vf.tensor([2]))
    loss.backward()
    assert loss.item() == pytest.approx(2000.0)
    assert np.isfinite(x.grad.numpy()).all()


def test_update_ops_follow_their_formulas() -> None:
    p0, g = _x(3), _x(3)
    p = vf.tensor(p0.copy(), dtype="float64")
    lr = vf.tensor(0.1, dtype="float64")
    vf.dispatch(U.SGD_UPDATE, (p, vf.tensor(g), lr), {"weight_decay": 0.5})
    np.testing.assert_allclose(p.numpy(), p0 - 0.1 * (g + 0.5 * p0))
    target = vf.zeros(2, 2)
    arr = target.array
    U.assign(target, 3.0)
    assert target.array is arr and target.tolist() == [[3.0, 3.0], [3.0, 3.0]]


@pytest.mark.gpu
def test_cuda_kernels_match_cpu() -> None:
    """The xp-generic kernels give the CPU's values and gradients on cupy (needs a GPU)."""
    if not vf.cuda_available():
        pytest.skip("needs cupy and a CUDA GPU")
    from vizflow_engine import nn, optim

    def run(device: str) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
        vf.manual_seed(0)
        model = (
            nn.Sequential(
                nn.Conv2d(2, 4, 3, stride=2, padding=1, groups=2),
                nn.BatchNorm2d(4),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Conv2d(4, 4, 3, padding=1),
                nn.MaxPool2d(3, 2, 1),
                nn.AvgPool2d(1),
                nn.Flatten(),
                nn.Linear(4, 3),
            )
            .double()
            .to(device)
        )
        xa = np.random.default_rng(7).standard_normal((5, 2, 8, 8))
        x = vf.tensor(xa, device=device, requires_grad=True)
        y = vf.tensor(np.array([0, 2, 1, 1, -100]), device=device)
        loss = F.cross_entropy(model(x), y, label_smoothing=0.1)
        loss.backward()
        grads = [x.grad.numpy()] + [p.grad.numpy() for p in model.parameters()]
        opt_a = optim.Adam(list(model.parameters())[:4], lr=0.1, weight_decay=0.1)
        opt_s = optim.SGD(list(model.parameters())[4:], lr=0.1, momentum=0.9, dampening=0.1)
        opt_a.step()
        opt_s.step()
        return loss.numpy(), grads, [p.numpy() for p in model.parameters()]

    cpu, gpu = run("cpu"), run("cuda")
    np.testing.assert_allclose(gpu[0], cpu[0], rtol=1e-10)
    for a, b in zip(gpu[1] + gpu[2], cpu[1] + cpu[2], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)


def test_im2col_columns_are_reused_once_and_not_kept() -> None:
    x = vf.tensor(_x(2, 3, 6, 6), dtype="float64")
    w = vf.tensor(_x(4, 3, 3, 3), dtype="float64", requires_grad=True)
    N._COLS.clear()  # forward-only tests before may have left (bounded) entries
    with vf.no_grad():
        N.conv2d(x, w, 1, 1)
    assert not N._COLS  # nothing cached without recording
    y = N.conv2d(x, w, 1, 1)
    assert len(N._COLS) == 1
    (gw,) = vf.grad(y.sum(), w)
    assert not N._COLS  # consumed by the weight gradient
    ref = N.conv2d_weight(x, vf.ones_like(y), 3, 1, 1)  # recomputed im2col
    np.testing.assert_allclose(gw.numpy(), ref.numpy())
