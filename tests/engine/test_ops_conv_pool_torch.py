"""Convolutions (1-D, 3-D, transposed), pooling (1-D, 3-D, indices, adaptive), interpolate,
scaled_dot_product_attention and the losses against PyTorch in float64: forward values and
gradients of a random weighting of the output; traced steps equal eager; invalid calls refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import vizflow_engine as vf
from vizflow_engine import nn
from vizflow_engine.nn import functional as F

R = np.random.default_rng(99)


def check(fv: Callable[..., Any], ft: Callable[..., Any], *arrays: np.ndarray) -> None:
    """Same outputs and the same gradients of Σ w·out w.r.t. every float input."""
    xs = [vf.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    ts = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    out_v, out_t = fv(*xs), ft(*ts)
    if isinstance(out_t, tuple):
        for a, b in zip(out_v, out_t, strict=True):
            np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)
        out_v, out_t = out_v[0], out_t[0]
    np.testing.assert_allclose(out_v.numpy(), out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = R.standard_normal(tuple(out_t.shape))
    diff = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    gv = vf.grad((out_v * vf.tensor(w)).sum(), [xs[i] for i in diff])
    gt = torch.autograd.grad((out_t * torch.tensor(w)).sum(), [ts[i] for i in diff])
    for a, b in zip(gv, gt, strict=True):
        assert a is not None
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, atol=1e-11)


X1 = R.standard_normal((2, 4, 9))
X2 = R.standard_normal((2, 4, 5, 6))
X3 = R.standard_normal((2, 4, 5, 6, 5))
B6 = R.standard_normal(6)


@pytest.mark.parametrize(
    "args", [(1, 0, 1, 1), (2, 1, 2, 2), (1, "same", 2, 2), (1, "valid", 1, 4), (3, 2, 1, 1)]
)
def test_conv1d(args: tuple[Any, ...]) -> None:
    s, p, d, g = args
    w = R.standard_normal((8 if g == 4 else 6, 4 // g, 3))
    b = R.standard_normal(w.shape[0])
    check(
        lambda x, w, b: F.conv1d(x, w, b, s, p, d, g),
        lambda x, w, b: TF.conv1d(x, w, b, s, p, d, g),
        X1,
        w,
        b,
    )
    check(
        lambda x, w: F.conv1d(x, w, None, s, p, d, g),
        lambda x, w: TF.conv1d(x, w, None, s, p, d, g),
        X1[0],
        w,
    )


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")  # torch's note
@pytest.mark.parametrize(
    "args",
    [(1, 0, 1, 1), ((2, 1, 2), 1, (1, 2, 1), 2), (1, "same", (2, 1, 1), 2), (2, (1, 0, 2), 1, 1)],
)
def test_conv3d(args: tuple[Any, ...]) -> None:
    s, p, d, g = args
    w = R.standard_normal((6, 4 // g, 3, 2, 3))
    check(
        lambda x, w, b: F.conv3d(x, w, b, s, p, d, g),
        lambda x, w, b: TF.conv3d(x, w, b, s, p, d, g),
        X3,
        w,
        B6,
    )
    check(
        lambda x, w: F.conv3d(x, w, None, s, p, d, g),
        lambda x, w: TF.conv3d(x, w, None, s, p, d, g),
        X3[1],
        w,
    )


@pytest.mark.parametrize("args", [(1, 0, 0, 1, 1), (2, 1, 1, 2, 2), (3, 2, 1, 1, 2)])
def test_conv_transpose_1d_2d_3d(args: tuple[Any, ...]) -> None:
    s, p, op, g, d = args
    bt = R.standard_normal(6 // (3 - g) * (3 - g) if g == 1 else 6)
    w1 = R.standard_normal((4, 6 // g, 3))
    check(
        lambda x, w, b: F.conv_transpose1d(x, w, b, s, p, op, g, d),
        lambda x, w, b: TF.conv_transpose1d(x, w, b, s, p, op, g, d),
        X1,
        w1,
        bt,
    )
    w2 = R.standard_normal((4, 6 // g, 3, 2))
    check(
        lambda x, w, b: F.conv_transpose2d(x, w, b, s, p, op, g, d),
        lambda x, w, b: TF.conv_transpose2d(x, w, b, s, p, op, g, d),
        X2,
        w2,
        bt,
    )
    w3 = R.standard_normal((4, 6 // g, 3, 2, 2))
    check(
        lambda x, w, b: F.conv_transpose3d(x, w, b, s, p, op, g, d),
        lambda x, w, b: TF.conv_transpose3d(x, w, b, s, p, op, g, d),
        X3,
        w3,
        bt,
    )
    check(
        lambda x, w: F.conv_transpose3d(x, w, None, (s, 1, 2), (p, 0, 1), (op, 0, 1), g, (d, 2, 1)),
        lambda x, w: TF.conv_transpose3d(
            x, w, None, (s, 1, 2), (p, 0, 1), (op, 0, 1), g, (d, 2, 1)
        ),
        X3[0],
        w3,
    )


def test_convolutions_refuse_a_kernel_larger_than_the_padded_input() -> None:
    x = vf.randn(1, 2, 3)
    with pytest.raises(RuntimeError, match="larger than the padded input"):
        F.conv1d(x, vf.randn(1, 2, 5))
    with pytest.raises(RuntimeError, match="larger than the padded input"):
        F.conv1d(x, vf.randn(1, 2, 2), dilation=3)
    with pytest.raises(RuntimeError, match="larger than the padded input"):
        F.conv3d(vf.randn(1, 1, 2, 5, 5), vf.randn(1, 1, 3, 1, 1))
    with pytest.raises(RuntimeError, match="larger than the padded input"):
        F.conv3d(vf.randn(1, 1, 5, 2, 5), vf.randn(1, 1, 1, 3, 1))
    with pytest.raises(ValueError, match="output_padding"):
        F.conv_transpose1d(x, vf.randn(2, 1, 2), stride=2, output_padding=2)


@pytest.mark.parametrize("ceil", [False, True])
def test_max_pools(ceil: bool) -> None:
    check(
        lambda x: F.max_pool1d(x, 3, 2, 1, 1, ceil),
        lambda x: TF.max_pool1d(x, 3, 2, 1, 1, ceil),
        X1,
    )
    check(
        lambda x: F.max_pool1d(x, 3, 2, 1, 2, ceil, True),
        lambda x: TF.max_pool1d(x, 3, 2, 1, 2, ceil, True),
        X1,
    )
    check(
        lambda x: F.max_pool2d(x, (3, 2), (2, 1), 1, (1, 2), ceil, True),
        lambda x: TF.max_pool2d(x, (3, 2), (2, 1), 1, (1, 2), ceil, True),
        X2,
    )
    check(
        lambda x: F.max_pool2d(x, 2, return_indices=True),
        lambda x: TF.max_pool2d(x, 2, return_indices=True),
        X2[0],
    )
    check(
        lambda x: F.max_pool3d(x, (3, 2, 2), (2, 1, 2), 1, 1, ceil),
        lambda x: TF.max_pool3d(x, (3, 2, 2), (2, 1, 2), 1, 1, ceil),
        X3,
    )
    check(lambda x: F.max_pool3d(x, 2), lambda x: TF.max_pool3d(x, 2), X3[0])


@pytest.mark.parametrize("ceil", [False, True])
@pytest.mark.parametrize("include_pad", [False, True])
def test_avg_pools(ceil: bool, include_pad: bool) -> None:
    check(
        lambda x: F.avg_pool1d(x, 3, 2, 1, ceil, include_pad),
        lambda x: TF.avg_pool1d(x, 3, 2, 1, ceil, include_pad),
        X1,
    )
    check(
        lambda x: F.avg_pool3d(x, (3, 2, 2), (2, 1, 2), 1, ceil, include_pad),
        lambda x: TF.avg_pool3d(x, (3, 2, 2), (2, 1, 2), 1, ceil, include_pad),
        X3,
    )
    check(
        lambda x: F.avg_pool3d(x, 2, None, 1, ceil, include_pad, 3),
        lambda x: TF.avg_pool3d(x, 2, None, 1, ceil, include_pad, 3),
        X3,
    )


@pytest.mark.parametrize("size", [(3, 4), 1, (5, 6), (7, 11), (None, 2)])
def test_adaptive_avg_pool2d(size: Any) -> None:
    check(lambda x: F.adaptive_avg_pool2d(x, size), lambda x: TF.adaptive_avg_pool2d(x, size), X2)
    check(
        lambda x: F.adaptive_avg_pool2d(x, size), lambda x: TF.adaptive_avg_pool2d(x, size), X2[0]
    )


@pytest.mark.parametrize(
    "mode, corners", [("nearest", None), ("bilinear", False), ("bilinear", True)]
)
@pytest.mark.parametrize(
    "how", [{"size": (7, 4)}, {"scale_factor": 1.7}, {"scale_factor": (0.5, 2.0)}]
)
def test_interpolate(mode: str, corners: bool | None, how: dict[str, Any]) -> None:
    check(
        lambda x: F.interpolate(x, mode=mode, align_corners=corners, **how),
        lambda x: TF.interpolate(x, mode=mode, align_corners=corners, **how),
        X2,
    )


def test_interpolate_1d_linear_and_3d_nearest() -> None:
    check(
        lambda x: F.interpolate(x, size=13, mode="linear"),
        lambda x: TF.interpolate(x, size=13, mode="linear"),
        X1,
    )
    check(
        lambda x: F.interpolate(x, scale_factor=2, mode="nearest"),
        lambda x: TF.interpolate(x, scale_factor=2, mode="nearest"),
        X3,
    )
    with pytest.raises(NotImplementedError, match="bicubic"):
        F.interpolate(vf.tensor(X2), size=3, mode="bicubic")


Q = R.standard_normal((2, 3, 4, 5))
K = R.standard_normal((2, 3, 6, 5))
V = R.standard_normal((2, 3, 6, 2))


def test_scaled_dot_product_attention() -> None:
    check(F.scaled_dot_product_attention, TF.scaled_dot_product_attention, Q, K, V)
    mask = R.random((4, 6)) > 0.3
    mask[:, 0] = True
    check(
        lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m),
        lambda q, k, v, m: TF.scaled_dot_product_attention(q, k, v, m),
        Q,
        K,
        V,
        mask,
    )
    fm = R.standard_normal((4, 6))
    check(
        lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m, scale=0.3),
        lambda q, k, v, m: TF.scaled_dot_product_attention(q, k, v, m, scale=0.3),
        Q,
        K,
        V,
        fm,
    )
    q6 = R.standard_normal((2, 3, 6, 5))
    check(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
        lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, is_causal=True),
        q6,
        K,
        V,
    )


MODULES = [
    ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 1, "groups": 2}, X1),
    ("Conv3d", (4, 6, (3, 2, 2)), {"padding": (1, 0, 1), "dilation": (1, 2, 1)}, X3),
    ("ConvTranspose1d", (4, 6, 3), {"stride": 2, "output_padding": 1, "groups": 2}, X1),
    ("ConvTranspose2d", (4, 6, (3, 2)), {"stride": 2, "padding": 1, "dilation": 2}, X2),
    ("ConvTranspose3d", (4, 2, 2), {"stride": (2, 1, 1), "bias": False}, X3),
    ("MaxPool1d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True}, X1),
    ("MaxPool2d", (3,), {"stride": 2, "padding": 1, "return_indices": True}, X2),
    ("MaxPool3d", (2,), {"stride": (1, 2, 2)}, X3),
    ("AvgPool1d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, X1),
    ("AvgPool3d", ((3, 2, 2),), {"ceil_mode": True, "padding": 1}, X3),
    ("AdaptiveAvgPool2d", ((3, None),), {}, X2),
    ("Upsample", (), {"scale_factor": 2, "mode": "bilinear", "align_corners": True}, X2),
    ("Upsample", ((4, 9),), {"mode": "nearest"}, X2),
    ("Flatten", (), {}, X3),
    ("Identity", (), {}, X2),
]


@pytest.mark.parametrize("name, args, kwargs, x", MODULES)
def test_modules_match_torch_and_share_state_dicts(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any], x: np.ndarray
) -> None:
    tm = getattr(torch.nn, name)(*args, **kwargs).double()
    vm = getattr(nn, name)(*args, **kwargs)
    sd = {k: v.detach().numpy() for k, v in tm.state_dict().items()}
    assert {k: v.shape for k, v in vm.state_dict().items()} == {k: v.shape for k, v in sd.items()}
    vm.load_state_dict(sd)
    vm.to(dtype="float64") if sd else None
    params = [p for _, p in vm.named_parameters()]
    check(lambda t: vm(t), lambda t: tm(t), x)
    if params:  # parameter gradients too
        out_v, out_t = vm(vf.tensor(x)), tm(torch.tensor(x))
        w = R.standard_normal(tuple(out_t.shape))
        (out_v * vf.tensor(w)).sum().backward()
        (out_t * torch.tensor(w)).sum().backward()
        for (n, p), (_, q) in zip(vm.named_parameters(), tm.named_parameters(), strict=True):
            assert p.grad is not None and q.grad is not None, n
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-9, err_msg=n)


def test_conv_modules_initialise_like_torch() -> None:
    """Default init: kaiming-uniform weights and biases within ±1/√fan_in, as PyTorch."""
    for vm in (nn.Conv1d(4, 6, 3), nn.ConvTranspose3d(4, 2, (2, 3, 1), groups=2)):
        fan_in = vm.weight.shape[1] * int(np.prod(vm.weight.shape[2:]))
        bound = 1 / np.sqrt(fan_in)
        assert vm.bias is not None
        assert np.abs(vm.weight.numpy()).max() <= bound + 1e-7
        assert np.abs(vm.bias.numpy()).max() <= bound + 1e-7
        assert vm.weight.numpy().std() > bound / 4


LOGITS = R.standard_normal((5, 4))
LOGITS_ND = R.standard_normal((3, 4, 2, 3))
T = np.array([2, 0, 3, -100, 1])
T_ND = R.integers(0, 4, (3, 2, 3))
CW = R.uniform(0.5, 2.0, 4)
VW, TW = vf.tensor(CW), torch.tensor(CW)  # class weights: constants, as in PyTorch


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_and_nll_with_weight_and_label_smoothing(
    reduction: str, smoothing: float
) -> None:
    for x, t in ((LOGITS, T), (LOGITS_ND, T_ND), (LOGITS[0], np.array(2))):
        check(
            lambda x, t: F.cross_entropy(x, t, VW, reduction=reduction, label_smoothing=smoothing),
            lambda x, t: TF.cross_entropy(x, t, TW, reduction=reduction, label_smoothing=smoothing),
            x,
            t,
        )
        check(
            lambda x, t: F.cross_entropy(x, t, reduction=reduction, label_smoothing=smoothing),
            lambda x, t: TF.cross_entropy(x, t, reduction=reduction, label_smoothing=smoothing),
            x,
            t,
        )
        lp = x - np.log(np.exp(x).sum(-1 if x.ndim == 1 else 1, keepdims=True))
        check(
            lambda x, t: F.nll_loss(x, t, VW, reduction=reduction),
            lambda x, t: TF.nll_loss(x, t, TW, reduction=reduction),
            lp,
            t,
        )
    probs = R.dirichlet(np.ones(4), 5)
    check(
        lambda x, p: F.cross_entropy(x, p, VW, reduction=reduction, label_smoothing=smoothing),
        lambda x, p: TF.cross_entropy(x, p, TW, reduction=reduction, label_smoothing=smoothing),
        LOGITS,
        probs,
    )


def test_loss_modules_call_the_functions() -> None:
    for vm, tm, args in (
        (nn.CrossEntropyLoss(vf.tensor(CW), label_smoothing=0.1),
         torch.nn.CrossEntropyLoss(torch.tensor(CW), label_smoothing=0.1), (LOGITS_ND, T_ND)),
        (nn.NLLLoss(vf.tensor(CW), reduction="sum"),
         torch.nn.NLLLoss(torch.tensor(CW), reduction="sum"), (LOGITS, T)),
        (nn.BCELoss(vf.tensor(CW)), torch.nn.BCELoss(torch.tensor(CW)),
         (R.uniform(0.05, 0.95, (3, 4)), R.uniform(0, 1, (3, 4)))),
        (nn.BCEWithLogitsLoss(pos_weight=VW), torch.nn.BCEWithLogitsLoss(pos_weight=TW),
         (LOGITS, R.uniform(0, 1, (5, 4)))),
        (nn.MSELoss(), torch.nn.MSELoss(), (LOGITS, LOGITS[::-1].copy())),
        (nn.L1Loss(reduction="sum"), torch.nn.L1Loss(reduction="sum"), (LOGITS, LOGITS * 0.5)),
    ):  # fmt: skip
        check(vm, tm, *args)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy(reduction: str) -> None:
    x, y = R.uniform(0.05, 0.95, (3, 4)), R.uniform(0, 1, (3, 4))
    check(
        lambda x, y: F.binary_cross_entropy(x, y, reduction=reduction),
        lambda x, y: TF.binary_cross_entropy(x, y, reduction=reduction),
        x,
        y,
    )
    check(
        lambda x, y: F.binary_cross_entropy(x, y, VW, reduction=reduction),
        lambda x, y: TF.binary_cross_entropy(x, y, TW, reduction=reduction),
        x,
        y,
    )
    edge = np.array([0.0, 1.0, 0.5])  # logs floored at -100; input gradient as PyTorch's
    y = np.array([1.0, 0.0, 1.0])  # (its target gradient there is ±inf; ours is floored)
    check(
        lambda x: F.binary_cross_entropy(x, vf.tensor(y)),
        lambda x: TF.binary_cross_entropy(x, torch.tensor(y)),
        edge,
    )
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(vf.tensor([1.5]), vf.tensor([1.0]))
    with pytest.raises(ValueError, match="target size"):
        F.binary_cross_entropy(vf.tensor([[0.5]]), vf.tensor([1.0]))


def test_losses_refuse_what_torch_refuses() -> None:
    with pytest.raises(RuntimeError, match="must have the input's shape"):
        F.cross_entropy(vf.tensor(LOGITS), vf.tensor(np.ones((5, 3)) / 3))
    with pytest.raises(RuntimeError, match="class-index target must have shape"):
        F.cross_entropy(vf.tensor(LOGITS), vf.tensor(np.array([0, 1])))
    with pytest.raises(TypeError, match="pass reduction='sum' by name"):
        F.nll_loss(vf.tensor(LOGITS), vf.tensor(T), "sum")


def test_traced_conv1d_model_and_attention_block_equal_eager() -> None:
    vf.manual_seed(0)
    conv, head = nn.Conv1d(4, 6, 3, padding=1), nn.Linear(6, 3)
    q_proj = nn.Linear(6, 6)

    def step(x: Any, t: Any) -> Any:
        h = F.relu(conv(x))  # (N, 6, L)
        h = F.max_pool1d(h, 2)  # (N, 6, L/2)
        s = vf.swapaxes(h, 1, 2)  # (N, L/2, 6)
        q = q_proj(s)
        a = F.scaled_dot_product_attention(q, s, s, is_causal=True)
        up = F.interpolate(vf.swapaxes(a, 1, 2), scale_factor=2, mode="linear")  # (N, 6, L)
        pooled = F.adaptive_avg_pool2d(up.unsqueeze(2), (1, 1))  # (N, 6, 1, 1)
        logits = head(pooled.reshape(2, 6))
        loss = F.cross_entropy(logits, t, vf.tensor([1.0, 2.0, 0.5]), label_smoothing=0.1)
        loss.backward()
        return loss

    x = vf.tensor(R.standard_normal((2, 4, 8)))
    t = vf.tensor(np.array([0, 2]))
    params = [conv.weight, conv.bias, head.weight, q_proj.weight]
    eager = step(x, t)
    grads = [p.grad.numpy().copy() for p in params]  # type: ignore[union-attr]
    traced = vf.function(step)
    for _ in range(2):  # the first call traces, the second runs the compiled plan
        for p in params:
            p.grad = None
        np.testing.assert_allclose(traced(x, t).numpy(), eager.numpy(), rtol=1e-6)
        for p, g in zip(params, grads, strict=True):
            assert p.grad is not None
            np.testing.assert_allclose(p.grad.numpy(), g, rtol=1e-5, atol=1e-7)
