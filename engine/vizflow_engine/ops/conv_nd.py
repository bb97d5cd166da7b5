"""1-D and 3-D convolutions and their transposes, as composites of the 2-D primitives
(conv2d, conv_transpose2d): 1-D adds a unit height; 3-D sums one 2-D convolution per kernel
depth, depth folded into the batch. Arguments in PyTorch's order, bias included."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import functional as F
from ..errors import ShapeError
from ..registry import composite
from . import neural as N


def _tuple(v: Any, n: int, what: str) -> tuple[int, ...]:
    """An int or an n-sequence of ints as an n-tuple."""
    if isinstance(v, int):
        return (int(v),) * n
    t = tuple(int(a) for a in v)
    if len(t) != n:
        raise ValueError(f"{what} must be an int or {n} ints, not {v!r}")
    return t


def _batched(x: Any, nd: int, op: str) -> tuple[Any, bool]:
    """x with a batch dim (an unbatched (C, *spatial) input gets one), and whether it had one."""
    r = len(tuple(x.shape))
    if r == nd + 2:
        return x, True
    if r == nd + 1:
        return F.unsqueeze(x, 0), False
    raise ShapeError(
        op, [tuple(x.shape)], f"expected a {nd + 1}-d (unbatched) or {nd + 2}-d (batched) input"
    )


def check_fits(op: str, x: Any, w: Any, padding: Any, dilation: Any) -> None:
    """Refuse a dilated kernel larger than the padded input in any spatial dim, as PyTorch."""
    if isinstance(padding, str):  # 'same' always fits; 'valid' pads nothing
        padding = 0
    xs, ks = tuple(x.shape)[2:], tuple(w.shape)[2:]
    nd = len(ks)
    p, d = _tuple(padding, nd, "padding"), _tuple(dilation, nd, "dilation")
    for n, k, pi, di in zip(xs[-nd:], ks, p, d, strict=True):
        if isinstance(n, int) and isinstance(k, int) and di * (k - 1) + 1 > n + 2 * pi:
            kernel = tuple(dj * (kj - 1) + 1 for kj, dj in zip(ks, d, strict=True))
            padded = tuple(a + 2 * b for a, b in zip(xs[-nd:], p, strict=True))
            raise ShapeError(
                op,
                [tuple(x.shape), tuple(w.shape)],
                f"the dilated kernel {kernel} is larger than the padded input {padded}",
            )


def _unbatch(y: Any, batched: bool) -> Any:
    return y if batched else F.squeeze(y, 0)


def _bias(y: Any, bias: Any, nd: int) -> Any:
    """y plus a per-channel bias (dim 1)."""
    if bias is None:
        return y
    return y + F.reshape(bias, (1, -1) + (1,) * nd)


def _same_pad(k: Sequence[int], d: Sequence[int]) -> list[tuple[int, int]]:
    """PyTorch's 'same' padding per dim: d·(k-1) in all, the odd one at the end."""
    return [
        (di * (ki - 1) // 2, di * (ki - 1) - di * (ki - 1) // 2)
        for ki, di in zip(k, d, strict=True)
    ]


def _known(shape: Sequence[Any], op: str, what: str) -> tuple[int, ...]:
    if not all(isinstance(s, int) for s in shape):
        raise ValueError(f"{op} needs {what} known when tracing, not {tuple(shape)}")
    return tuple(shape)


@composite("conv1d", "neural", "z[n,o,i] = b[o] + Σ_{c,k} x[n,c,i·s+k·d-p] w[o,c,k]")
def conv1d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Any:
    """1-D convolution of (N, C, L) or (C, L) with weight (O, C/groups, K) (torch's conv1d)."""
    x, batched = _batched(input, 1, "conv1d")
    check_fits("conv1d", x, weight, padding, dilation)
    (s,), (d,) = _tuple(stride, 1, "stride"), _tuple(dilation, 1, "dilation")
    pad: Any = padding if isinstance(padding, str) else (0, _tuple(padding, 1, "padding")[0])
    y = N.conv2d(F.unsqueeze(x, 2), F.unsqueeze(weight, 2), (1, s), pad, (1, d), groups)
    return _unbatch(_bias(F.squeeze(y, 2), bias, 1), batched)


@composite("conv3d", "neural", "z[n,o,i,j,k] = b[o] + Σ x[n,c,…] w[o,c,a,b,e] (sum of conv2d)")
def conv3d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Any:
    """3-D convolution of (N, C, D, H, W) or (C, D, H, W) with weight (O, C/groups, kd, kh, kw)."""
    x, batched = _batched(input, 3, "conv3d")
    s, d = _tuple(stride, 3, "stride"), _tuple(dilation, 3, "dilation")
    k = _known(tuple(weight.shape)[2:], "conv3d", "the kernel size")
    if isinstance(padding, str):
        N.check_padding_mode(padding, 1 if s == (1, 1, 1) else 2)
        if padding == "same":
            x = F.pad(x, [(0, 0), (0, 0), *_same_pad(k, d)])
        p: tuple[int, ...] = (0, 0, 0)
    else:
        p = _tuple(padding, 3, "padding")
    n, c, depth, h, w = _known(tuple(x.shape), "conv3d", "the input shape")
    check_fits("conv3d", x, weight, p, d)
    out_d = (depth + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    if p[0]:
        x = F.pad(x, [(0, 0), (0, 0), (p[0], p[0]), (0, 0), (0, 0)])
    total: Any = None
    for i in range(k[0]):
        start = i * d[0]
        xs = F.getitem(
            x, (slice(None), slice(None), slice(start, start + (out_d - 1) * s[0] + 1, s[0]))
        )
        xs = F.reshape(F.permute(xs, (0, 2, 1, 3, 4)), (n * out_d, c, h, w))
        wi = F.getitem(weight, (slice(None), slice(None), i))
        yi = N.conv2d(xs, wi, s[1:], p[1:], d[1:], groups)
        total = yi if total is None else total + yi
    o, ho, wo = tuple(total.shape)[1:]
    y = F.permute(F.reshape(total, (n, out_d, o, ho, wo)), (0, 2, 1, 3, 4))
    return _unbatch(_bias(y, bias, 3), batched)


def _check_output_padding(op: Any, s: Sequence[int], d: Sequence[int], name: str) -> None:
    """PyTorch's rule: output padding must be smaller than the stride or the dilation."""
    for a, si, di in zip(op, s, d, strict=True):
        if a >= max(si, di):
            raise ValueError(
                f"{name}: output_padding {tuple(op)} must be smaller than the stride {tuple(s)} "
                f"or the dilation {tuple(d)}"
            )


@composite(
    "conv_transpose1d", "neural", "the gradient of conv1d w.r.t. its input, applied to x (+ b)"
)
def conv_transpose1d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Any:
    """Transposed 1-D convolution of (N, C_in, L) or (C_in, L), weight (C_in, C_out/groups, K)."""
    x, batched = _batched(input, 1, "conv_transpose1d")
    (s,), (p,) = _tuple(stride, 1, "stride"), _tuple(padding, 1, "padding")
    (op,), (d,) = _tuple(output_padding, 1, "output_padding"), _tuple(dilation, 1, "dilation")
    _check_output_padding((op,), (s,), (d,), "conv_transpose1d")
    y = N.conv_transpose2d(
        F.unsqueeze(x, 2), F.unsqueeze(weight, 2), (1, s), (0, p), (1, d), groups, (0, op)
    )
    return _unbatch(_bias(F.squeeze(y, 2), bias, 1), batched)


def conv_transpose2d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Any:
    """Transposed 2-D convolution of (N, C_in, H, W) or (C_in, H, W) (torch's argument order)."""
    x, batched = _batched(input, 2, "conv_transpose2d")
    s, d = _tuple(stride, 2, "stride"), _tuple(dilation, 2, "dilation")
    op = _tuple(output_padding, 2, "output_padding")
    _check_output_padding(op, s, d, "conv_transpose2d")
    y = N.conv_transpose2d(x, weight, s, _tuple(padding, 2, "padding"), d, groups, op)
    return _unbatch(_bias(y, bias, 2), batched)


def _spread(y: Any, axis: int, step: int) -> Any:
    """y with step-1 zeros between consecutive entries along axis (length (n-1)·step+1)."""
    if step == 1:
        return y
    zero = F.where(False, y, 0)
    stacked = F.stack([y] + [zero] * (step - 1), axis + 1)
    shape = list(y.shape)
    n = shape[axis]
    shape[axis] = n * step
    return F.getitem(
        F.reshape(stacked, tuple(shape)), (slice(None),) * axis + (slice(0, (n - 1) * step + 1),)
    )


@composite(
    "conv_transpose3d", "neural", "the gradient of conv3d w.r.t. its input, applied to x (+ b)"
)
def conv_transpose3d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Any:
    """Transposed 3-D convolution of (N, C_in, D, H, W), weight (C_in, C_out/groups, kd, kh, kw):
    one 2-D transposed convolution per kernel depth, spread by the stride and summed."""
    x, batched = _batched(input, 3, "conv_transpose3d")
    s, d = _tuple(stride, 3, "stride"), _tuple(dilation, 3, "dilation")
    p, op = _tuple(padding, 3, "padding"), _tuple(output_padding, 3, "output_padding")
    _check_output_padding(op, s, d, "conv_transpose3d")
    n, c, depth, h, w = _known(tuple(x.shape), "conv_transpose3d", "the input shape")
    kd = _known(tuple(weight.shape)[2:3], "conv_transpose3d", "the kernel depth")[0]
    full = (depth - 1) * s[0] + d[0] * (kd - 1) + 1 + op[0]
    out_d = full - 2 * p[0]
    if out_d < 1:
        raise ShapeError(
            "conv_transpose3d", [tuple(x.shape)], f"padding {p} leaves no output depth ({out_d})"
        )
    flat = F.reshape(F.permute(x, (0, 2, 1, 3, 4)), (n * depth, c, h, w))
    total: Any = None
    spread_len = (depth - 1) * s[0] + 1
    for i in range(kd):
        wi = F.getitem(weight, (slice(None), slice(None), i))
        yi = N.conv_transpose2d(flat, wi, s[1:], p[1:], d[1:], groups, op[1:])
        co, ho, wo = tuple(yi.shape)[1:]
        yi = _spread(F.reshape(yi, (n, depth, co, ho, wo)), 1, s[0])
        before = i * d[0]
        yi = F.pad(yi, [(0, 0), (before, full - spread_len - before), (0, 0), (0, 0), (0, 0)])
        total = yi if total is None else total + yi
    y = F.getitem(total, (slice(None), slice(p[0], p[0] + out_d)))
    return _unbatch(_bias(F.permute(y, (0, 2, 1, 3, 4)), bias, 3), batched)


__all__ = ["conv1d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]
