"""Sample entries for the ops of ops/neural.py and ops/updates.py (into op_samples.SAMPLES).

The registry-driven tests (test_ops.py) check each entry's forward against the numpy
reference here, its VJP against finite differences, and second order where marked.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .op_samples import Case, Sample


def _pad(x: np.ndarray, p: tuple[int, int], value: float = 0.0) -> np.ndarray:
    return np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])), constant_values=value)


def ref_conv2d(
    x: np.ndarray,
    w: np.ndarray,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
    input_grad: bool = True,
) -> np.ndarray:
    """Direct definition of cross-correlation, one output pixel at a time."""
    (s, sw), (d, dw) = stride, dilation
    xp = _pad(x, padding)
    o, cg, kh, kw = w.shape
    ho = (xp.shape[2] - d * (kh - 1) - 1) // s + 1
    wo = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((x.shape[0], o, ho, wo))
    og = o // groups
    for oc in range(o):
        c0 = (oc // og) * cg
        for i in range(ho):
            for j in range(wo):
                patch = xp[
                    :,
                    c0 : c0 + cg,
                    i * s : i * s + d * (kh - 1) + 1 : d,
                    j * sw : j * sw + dw * (kw - 1) + 1 : dw,
                ]
                out[:, oc, i, j] = (patch * w[oc]).sum(axis=(1, 2, 3))
    return out


def ref_conv_transpose2d(
    x: np.ndarray,
    w: np.ndarray,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
    output_padding: Any,
) -> np.ndarray:
    """Scatter each input pixel times the kernel into the (padded) output."""
    (s, sw), (p, pw), (d, dw) = stride, padding, dilation
    cin, cg, kh, kw = w.shape
    n, _, h, wd = x.shape
    ho = (h - 1) * s - 2 * p + d * (kh - 1) + output_padding[0] + 1
    wo = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + output_padding[1] + 1
    full = np.zeros((n, cg * groups, ho + 2 * p + s, wo + 2 * pw + sw))
    ig = cin // groups
    for ci in range(cin):
        c0 = (ci // ig) * cg
        for a in range(h):
            for b in range(wd):
                for i in range(kh):
                    for j in range(kw):
                        full[:, c0 : c0 + cg, a * s + d * i, b * sw + dw * j] += (
                            x[:, ci, a, b][:, None] * w[ci, :, i, j]
                        )
    return full[:, :, p : p + ho, pw : pw + wo]


def ref_conv2d_weight(
    x: np.ndarray,
    g: np.ndarray,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
) -> np.ndarray:
    """dw[o, c, i, j] = Σ g[n, o, h, w] · x_pad[n, c, s·h + d·i, s·w + d·j]."""
    (kh, kw), (s, sw), (d, dw) = kernel_size, stride, dilation
    xp = _pad(x, padding)
    o, ho, wo = g.shape[1], g.shape[2], g.shape[3]
    cg = x.shape[1] // groups
    og = o // groups
    out = np.zeros((o, cg, kh, kw))
    for oc in range(o):
        c0 = (oc // og) * cg
        for i in range(kh):
            for j in range(kw):
                win = xp[
                    :,
                    c0 : c0 + cg,
                    d * i : d * i + s * (ho - 1) + 1 : s,
                    dw * j : dw * j + sw * (wo - 1) + 1 : sw,
                ]
                out[oc, :, i, j] = (win * g[:, oc][:, None]).sum(axis=(0, 2, 3))
    return out


def _pool_geometry(x: np.ndarray, kernel_size: Any, stride: Any, padding: Any) -> Any:
    k = kernel_size
    s = stride if stride is not None else k
    xp = _pad(x, padding, -np.inf)
    ho = (xp.shape[2] - k[0]) // s[0] + 1
    wo = (xp.shape[3] - k[1]) // s[1] + 1
    return k, s, xp, ho, wo


def ref_max_pool2d(x: np.ndarray, kernel_size: Any, stride: Any, padding: Any) -> np.ndarray:
    """Max of each window (-inf padding)."""
    k, s, xp, ho, wo = _pool_geometry(x, kernel_size, stride, padding)
    out = np.empty((*x.shape[:2], ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = xp[:, :, i * s[0] : i * s[0] + k[0], j * s[1] : j * s[1] + k[1]].max(
                axis=(2, 3)
            )
    return out


def _same_shape_noise(x: np.ndarray) -> np.ndarray:
    """Values to read at the maxima: any array of x's shape."""
    return np.random.default_rng(x.size).uniform(-1, 1, x.shape)


def ref_max_pool2d_select(
    x: np.ndarray, u: np.ndarray, kernel_size: Any, stride: Any, padding: Any
) -> np.ndarray:
    """u at the first maximum of each window of x."""
    k, s, xp, ho, wo = _pool_geometry(x, kernel_size, stride, padding)
    up = np.pad(u, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    out = np.empty((*x.shape[:2], ho, wo))
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(ho):
                for j in range(wo):
                    rows, cols = slice(i * s[0], i * s[0] + k[0]), slice(j * s[1], j * s[1] + k[1])
                    a, b = np.unravel_index(np.argmax(xp[n, c, rows, cols]), (k[0], k[1]))
                    out[n, c, i, j] = up[n, c, i * s[0] + a, j * s[1] + b]
    return out


def ref_max_pool2d_grad(
    x: np.ndarray, g: np.ndarray, kernel_size: Any, stride: Any, padding: Any
) -> np.ndarray:
    """g added at the first maximum of each window."""
    k, s, xp, ho, wo = _pool_geometry(x, kernel_size, stride, padding)
    dx = np.zeros_like(xp)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(ho):
                for j in range(wo):
                    win = xp[n, c, i * s[0] : i * s[0] + k[0], j * s[1] : j * s[1] + k[1]]
                    a, b = np.unravel_index(np.argmax(win), win.shape)
                    dx[n, c, i * s[0] + a, j * s[1] + b] += g[n, c, i, j]
    p = padding
    return dx[:, :, p[0] : p[0] + x.shape[2], p[1] : p[1] + x.shape[3]]


def _log_softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(1, keepdims=True)
    return z - np.log(np.exp(z).sum(1, keepdims=True))


def _q(x: np.ndarray, t: np.ndarray, ls: float, ignore: int) -> tuple[np.ndarray, np.ndarray]:
    c = x.shape[1]
    valid = t != ignore
    q = np.eye(c)[np.where(valid, t, 0)] * (1 - ls) + ls / c
    return q, valid


def ref_cross_entropy(
    x: np.ndarray, t: np.ndarray, reduction: str, label_smoothing: float, ignore_index: int
) -> np.ndarray:
    """-Σ_c q log softmax(x), q the smoothed one-hot target, reduced over valid rows."""
    q, valid = _q(x, t, label_smoothing, ignore_index)
    loss = -(q * _log_softmax(x)).sum(1) * valid
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.sum() / max(valid.sum(), 1)


def ref_cross_entropy_grad(
    x: np.ndarray,
    t: np.ndarray,
    g: np.ndarray,
    reduction: str,
    label_smoothing: float,
    ignore_index: int,
) -> np.ndarray:
    """(softmax(x) - q) · g, per row (none) or over the valid count (mean)."""
    q, valid = _q(x, t, label_smoothing, ignore_index)
    d = (np.exp(_log_softmax(x)) - q) * valid[:, None]
    if reduction == "none":
        return d * g[:, None]
    return d * g / (max(valid.sum(), 1) if reduction == "mean" else 1)


@st.composite
def conv_case(draw: st.DrawFn, kind: str) -> Case:
    """A small convolution geometry (strides, padding, dilation, groups) and its inputs."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    groups = draw(st.sampled_from([1, 2]))
    cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dil = (draw(st.integers(1, 2)), 1)
    pad = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    n = draw(st.integers(1, 2))
    h = draw(st.integers(dil[0] * (k[0] - 1) + 1, 5))
    w = draw(st.integers(dil[1] * (k[1] - 1) + 1, 5))
    c, o = cg * groups, og * groups
    x = rng.uniform(-1, 1, (n, c, h, w))
    wt = rng.uniform(-1, 1, (o, cg, *k))
    params = {"stride": stride, "padding": pad, "dilation": dil, "groups": groups}
    y = ref_conv2d(x, wt, **params)
    if kind == "conv2d":
        return Case((x, wt), params)
    gy = rng.uniform(-1, 1, y.shape)
    if kind == "conv2d_weight":
        return Case((x, gy), {"kernel_size": k, **params})
    opad = tuple(
        (h, w)[i] - ((y.shape[2 + i] - 1) * stride[i] - 2 * pad[i] + dil[i] * (k[i] - 1) + 1)
        for i in range(2)
    )
    return Case((gy, wt), {**params, "output_padding": opad})


@st.composite
def pool_case(draw: st.DrawFn, with_grad: bool) -> Case:
    """Distinct values (no ties) and a window geometry, tiling or overlapping."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    k = draw(st.sampled_from([(2, 2), (3, 3), (2, 3)]))
    stride = draw(st.sampled_from([None, (1, 1), (2, 1)]))
    pad = draw(st.sampled_from([(0, 0), (1, 1), (1, 0)]))
    h, w = draw(st.integers(k[0], 6)), draw(st.integers(k[1], 6))
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    x = rng.permutation(n * c * h * w).reshape(n, c, h, w) / 7.0 - 1.0
    params = {"kernel_size": k, "stride": stride, "padding": pad}
    if not with_grad:
        return Case((x,), params)
    g = rng.uniform(-1, 1, ref_max_pool2d(x, **params).shape)
    return Case((x, g), params)


@st.composite
def linear_case(draw: st.DrawFn) -> Case:
    """x (..., in), w (out, in), b (out,)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    lead = draw(st.sampled_from([(3,), (2, 2), (1,)]))
    i, o = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return Case(
        (rng.uniform(-1, 1, (*lead, i)), rng.uniform(-1, 1, (o, i)), rng.uniform(-1, 1, (o,))), {}
    )


@st.composite
def ce_case(draw: st.DrawFn, with_grad: bool) -> Case:
    """Logits (N, C), class indices with some ignored, and the loss options."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    t = rng.integers(0, c, n)
    if n > 1 and draw(st.booleans()):
        t[0] = -100
    params = {
        "reduction": draw(st.sampled_from(["mean", "sum", "none"])),
        "label_smoothing": draw(st.sampled_from([0.0, 0.2])),
        "ignore_index": -100,
    }
    x = rng.uniform(-3, 3, (n, c))
    if not with_grad:
        return Case((x, t), params)
    g = rng.uniform(-1, 1, (n,) if params["reduction"] == "none" else ())
    return Case((x, t, g), params)


@st.composite
def update_case(draw: st.DrawFn, op: str) -> Case:
    """A parameter, its gradient, optimiser state and a learning rate."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    shape = draw(st.sampled_from([(3,), (2, 2)]))
    p, g = rng.uniform(-1, 1, shape), rng.uniform(-1, 1, shape)
    lr = np.array(draw(st.sampled_from([0.1, 0.01])))
    wd = draw(st.sampled_from([0.0, 0.1]))
    step = np.array(draw(st.integers(0, 3)), dtype=np.int64)
    if op == "assign":
        return Case((p, g), {})
    if op == "sgd_update_":
        return Case((p, g, lr), {"weight_decay": wd})
    if op == "sgd_momentum_update_":
        return Case(
            (p, g, rng.uniform(-1, 1, shape), step, lr),
            {
                "momentum": 0.9,
                "dampening": draw(st.sampled_from([0.0, 0.3])),
                "nesterov": draw(st.booleans()),
                "weight_decay": wd,
            },
        )
    return Case(
        (p, g, rng.uniform(-1, 1, shape), rng.uniform(0, 1, shape), step, lr),
        {
            "beta1": 0.9,
            "beta2": 0.99,
            "eps": 1e-8,
            "weight_decay": wd,
            "decoupled": draw(st.booleans()),
        },
    )


def ref_sgd_momentum(
    p: np.ndarray,
    g: np.ndarray,
    buf: np.ndarray,
    step: np.ndarray,
    lr: np.ndarray,
    momentum: float,
    dampening: float,
    nesterov: bool,
    weight_decay: float,
) -> np.ndarray:
    """PyTorch's SGD-with-momentum rule (first step: buffer = gradient)."""
    d = g + weight_decay * p
    buf = d if step == 0 else momentum * buf + (1 - dampening) * d
    return p - lr * (d + momentum * buf if nesterov else buf)


def ref_adam(
    p: np.ndarray,
    g: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    step: np.ndarray,
    lr: np.ndarray,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    decoupled: bool,
) -> np.ndarray:
    """PyTorch's Adam / AdamW rule with bias correction."""
    t = int(step) + 1
    if decoupled:
        p = p * (1 - lr * weight_decay)
    else:
        g = g + weight_decay * p
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return p - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)


NEURAL_SAMPLES: dict[str, Sample] = {
    "conv2d": Sample(conv_case("conv2d"), ref_conv2d),
    "conv_transpose2d": Sample(conv_case("conv_transpose2d"), ref_conv_transpose2d),
    "conv2d_weight": Sample(conv_case("conv2d_weight"), ref_conv2d_weight),
    "max_pool2d": Sample(pool_case(False), ref_max_pool2d, second_order=False),
    "max_pool2d_grad": Sample(pool_case(True), ref_max_pool2d_grad),
    "max_pool2d_select": Sample(
        pool_case(True).map(
            lambda c: Case((c.inputs[0], _same_shape_noise(c.inputs[0])), c.params)
        ),
        ref_max_pool2d_select,
    ),
    "linear": Sample(linear_case(), lambda x, w, b: x @ w.T + b),
    "cross_entropy": Sample(ce_case(False), ref_cross_entropy),
    "cross_entropy_grad": Sample(ce_case(True), ref_cross_entropy_grad),
    "assign": Sample(update_case("assign"), lambda t, v: v),
    "sgd_update_": Sample(
        update_case("sgd_update_"), lambda p, g, lr, weight_decay: p - lr * (g + weight_decay * p)
    ),
    "sgd_momentum_update_": Sample(update_case("sgd_momentum_update_"), ref_sgd_momentum),
    "adam_update_": Sample(update_case("adam_update_"), ref_adam),
}

# issue 13 (D2): scans, sorting and gather/scatter primitives
from .scan_scatter_samples import SCAN_SCATTER_SAMPLES  # noqa: E402

NEURAL_SAMPLES.update(SCAN_SCATTER_SAMPLES)
