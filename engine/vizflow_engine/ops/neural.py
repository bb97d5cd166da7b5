"""Neural-network primitives: linear, conv2d and its adjoints, pooling, cross-entropy.

Each op is one `defop` block. Kernels are written against `xp` (numpy or cupy); VJPs are
written with Tensor ops, so second-order gradients exist for the smooth ones. The in-place
update ops vf.optim uses live in ops/updates.py.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, NamedTuple, overload

import numpy as np

from .. import dtypes
from .. import functional as F
from .._state import STATE
from ..dispatch import dispatch
from ..registry import Param, TensorSpec, defop
from . import shape as _shape
from ._rules import same

Pair = tuple[int, int]


def _pair(v: Any) -> Pair:
    """An int or a 2-sequence as a pair of ints."""
    if isinstance(v, int):
        return (v, v)
    a, b = v
    return (int(a), int(b))


def _conv_geometry(stride: Any, padding: Any, dilation: Any, groups: int) -> dict[str, Any]:
    """The params every convolution op shares, normalised (pairs of ints, int groups)."""
    return {
        "stride": _pair(stride),
        "padding": _pair(padding),
        "dilation": _pair(dilation),
        "groups": int(groups),
    }


def _needs(t: Any) -> bool:
    """Whether input `t` wants a cotangent (symbolic inputs always do)."""
    return bool(getattr(t, "requires_grad", True))


@overload
def _out_len(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool = False) -> int: ...
@overload
def _out_len(
    n: int | None, k: int, s: int, p: int, d: int, ceil_mode: bool = False
) -> int | None: ...
def _out_len(n: int | None, k: int, s: int, p: int, d: int, ceil_mode: bool = False) -> int | None:
    """Output length of a convolution/pool along one dim (None when unknown).

    ceil_mode (pooling) rounds up, as PyTorch does, but drops a last window that would start
    past the input and its left padding (it would hold padding only).
    """
    if n is None:
        return None
    span = n + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


# ---- convolution --------------------------------------------------------------------------

_INPUT_GRAD = Param("input_grad", True, "compute dx (set False when x needs no gradient)")
_CONV_PARAMS = [
    Param("stride", (1, 1), "step between windows (sh, sw)"),
    Param("padding", (0, 0), "zeros added on each side (ph, pw)"),
    Param("dilation", (1, 1), "spacing between kernel taps (dh, dw)"),
    Param("groups", 1, "input/output channels split into this many groups"),
]


def _windows(
    xp: Any, x: Any, kh: int, kw: int, stride: Pair, padding: Pair, dilation: Pair, groups: int
) -> tuple[Any, int, int]:
    """im2col: (G, C/G·kh·kw, N·Ho·Wo) columns of x (one copy via a strided view), Ho, Wo."""
    n, c, h, w = x.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    if ph or pw:
        xp_ = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
        xp_[:, :, ph : ph + h, pw : pw + w] = x
        x = xp_
    else:
        x = xp.ascontiguousarray(x)
    ho = (x.shape[2] - dh * (kh - 1) - 1) // sh + 1
    wo = (x.shape[3] - dw * (kw - 1) - 1) // sw + 1
    s0, s1, s2, s3 = x.strides
    cg = c // groups
    view = xp.lib.stride_tricks.as_strided(
        x, (groups, cg, kh, kw, n, ho, wo), (cg * s1, s1, dh * s2, dw * s3, s0, sh * s2, sw * s3)
    )
    return view.reshape(groups, cg * kh * kw, n * ho * wo), ho, wo


# im2col columns made by a recording forward, kept for the weight gradient of the same input
# array (saves one im2col per conv layer per step). Each entry holds its input array, so its
# id cannot be reused while cached; a hit is consumed (popped); oldest entries are dropped
# beyond _COLS_BYTES. The columns are those of the forward, i.e. exactly what the VJP needs.
_COLS: OrderedDict[tuple[Any, ...], tuple[Any, Any]] = OrderedDict()
_COLS_BYTES = 128 << 20


def _cols_put(key: tuple[Any, ...], x: Any, cols: Any) -> None:
    """Remember the columns of x for its weight gradient (bounded, oldest dropped first)."""
    _COLS[key] = (x, cols)
    total = sum(c.nbytes for _, c in _COLS.values())
    while total > _COLS_BYTES and _COLS:
        _, (_, old) = _COLS.popitem(last=False)
        total -= old.nbytes


def _cols_take(key: tuple[Any, ...], x: Any) -> Any:
    """The cached columns of exactly this array x, removed from the cache, or None."""
    hit = _COLS.pop(key, None)
    return hit[1] if hit is not None and hit[0] is x else None


def _conv2d_fwd(
    xp: Any,
    x: Any,
    w: Any,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    groups: int,
    input_grad: bool = True,
) -> Any:
    o, cg, kh, kw = w.shape
    cols, ho, wo = _windows(xp, x, kh, kw, stride, padding, dilation, groups)
    if STATE.grad_enabled:  # a recording forward: its weight gradient will want these columns
        _cols_put((id(x), kh, kw, stride, padding, dilation, groups), x, cols)
    wg = w.reshape(groups, o // groups, cg * kh * kw)
    out = xp.matmul(wg[0], cols[0]) if groups == 1 else xp.matmul(wg, cols)
    # (O, N, Ho, Wo) in memory, shown as NCHW: elementwise ops downstream keep this layout,
    # so the backward's (O, N·Ho·Wo) view of the gradient is free.
    return out.reshape(o, x.shape[0], ho, wo).transpose(1, 0, 2, 3)


def _conv_rule(
    specs: tuple[TensorSpec, ...],
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    groups: int,
    input_grad: bool = True,
) -> TensorSpec:
    x, w = specs
    if len(x.shape) != 4 or len(w.shape) != 4:
        raise ValueError(
            f"conv2d needs x (N, C, H, W) and w (O, C/groups, kh, kw), got "
            f"{tuple(x.shape)} and {tuple(w.shape)}"
        )
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    if c is not None and cg is not None and c != cg * groups:
        raise ValueError(f"input has {c} channels but weight expects {cg} x {groups} groups")
    if o is not None and o % groups:
        raise ValueError(f"{o} output channels do not split into {groups} groups")
    ho = _out_len(h, kh or 1, stride[0], padding[0], dilation[0])
    wo = _out_len(wd, kw or 1, stride[1], padding[1], dilation[1])
    if (ho is not None and ho < 1) or (wo is not None and wo < 1):
        raise ValueError(f"kernel {kh}x{kw} does not fit input {h}x{wd} with padding {padding}")
    return TensorSpec((n, o, ho, wo), dtypes.result_type(x.dtype, w.dtype))


def _out_padding(
    x_hw: tuple[int, int],
    g_hw: tuple[int, int],
    k: Pair,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
) -> Pair:
    """output_padding that makes conv_transpose2d give back the input's spatial size."""
    return tuple(
        x_hw[i]
        - (
            (g_hw[i] - 1) * stride[i]
            - 2 * padding[i]  # type: ignore[return-value]
            + dilation[i] * (k[i] - 1)
            + 1
        )
        for i in range(2)
    )


def _conv2d_vjp(
    g: Any,
    ins: Any,
    out: Any,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    groups: int,
    input_grad: bool = True,
) -> tuple[Any, Any]:
    x, w = ins
    k = (w.shape[2], w.shape[3])
    gx = gw = None
    if input_grad and _needs(x):
        op = _out_padding(x.shape[2:], g.shape[2:], k, stride, padding, dilation)
        gx = conv_transpose2d(g, w, stride, padding, dilation, groups, op)
    if _needs(w):
        gw = conv2d_weight(x, g, k, stride, padding, dilation, groups)
    return gx, gw


CONV2D = defop(
    "conv2d",
    "neural",
    inputs=("x", "w"),
    params=[*_CONV_PARAMS, _INPUT_GRAD],
    forward=_conv2d_fwd,
    shape_rule=_conv_rule,
    vjp=_conv2d_vjp,
    formula="z[n,o] = Σ_c,i,j w[o,c,i,j] · x[n,c,s·h+d·i-p, s·w+d·j-p]",
    grad_formula="dx = conv_transpose2d(g, w); dw = conv2d_weight(x, g)",
    doc="2-D cross-correlation (PyTorch's conv2d without bias) via im2col and one GEMM.",
)


def _convT_fwd(
    xp: Any,
    x: Any,
    w: Any,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    groups: int,
    output_padding: Pair,
) -> Any:
    cin, cg_out, kh, kw = w.shape
    n, _, hi, wi = x.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    ho = (hi - 1) * sh - 2 * ph + dh * (kh - 1) + output_padding[0] + 1
    wo = (wi - 1) * sw - 2 * pw + dw * (kw - 1) + output_padding[1] + 1
    og = cin // groups
    x2 = x.transpose(1, 0, 2, 3).reshape(groups, og, n * hi * wi)
    wg = w.reshape(groups, og, cg_out * kh * kw)
    cols = xp.matmul(wg.transpose(0, 2, 1), x2).reshape(cg_out * groups, kh, kw, n, hi, wi)
    hp, wp = ho + 2 * ph, wo + 2 * pw
    buf = xp.zeros((cg_out * groups, n, hp, wp), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            r0, c0 = i * dh, j * dw
            buf[:, :, r0 : r0 + sh * (hi - 1) + 1 : sh, c0 : c0 + sw * (wi - 1) + 1 : sw] += cols[
                :, i, j
            ]
    return buf[:, :, ph : ph + ho, pw : pw + wo].transpose(1, 0, 2, 3)


def _convT_rule(
    specs: tuple[TensorSpec, ...],
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    groups: int,
    output_padding: Pair,
) -> TensorSpec:
    x, w = specs
    if len(x.shape) != 4 or len(w.shape) != 4:
        raise ValueError(
            "conv_transpose2d needs x (N, C_in, H, W) and w (C_in, C_out/groups, "
            f"kh, kw), got {tuple(x.shape)} and {tuple(w.shape)}"
        )
    n, c, h, wd = x.shape
    cin, cg, kh, kw = w.shape
    if c is not None and cin is not None and c != cin:
        raise ValueError(f"input has {c} channels but weight expects {cin}")
    dims = []
    for i, size in enumerate((h, wd)):
        k = (kh, kw)[i]
        dims.append(
            None
            if size is None or k is None
            else (size - 1) * stride[i]
            - 2 * padding[i]
            + dilation[i] * (k - 1)
            + output_padding[i]
            + 1
        )
    cout = None if cg is None else cg * groups
    return TensorSpec((n, cout, dims[0], dims[1]), dtypes.result_type(x.dtype, w.dtype))


def _convT_vjp(
    g: Any,
    ins: Any,
    out: Any,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    groups: int,
    output_padding: Pair,
) -> tuple[Any, Any]:
    x, w = ins
    k = (w.shape[2], w.shape[3])
    gx = conv2d(g, w, stride, padding, dilation, groups) if _needs(x) else None
    gw = conv2d_weight(g, x, k, stride, padding, dilation, groups) if _needs(w) else None
    return gx, gw


CONV_TRANSPOSE2D = defop(
    "conv_transpose2d",
    "neural",
    inputs=("x", "w"),
    params=[*_CONV_PARAMS, Param("output_padding", (0, 0), "extra rows/cols at the end")],
    forward=_convT_fwd,
    shape_rule=_convT_rule,
    vjp=_convT_vjp,
    formula="z = conv2dᵀ_w(x): the adjoint of conv2d in its input (col2im of wᵀ x)",
    grad_formula="dx = conv2d(g, w); dw = conv2d_weight(g, x)",
    doc="Transposed convolution (PyTorch's conv_transpose2d without bias); conv2d's input grad.",
)


def _conv_w_fwd(
    xp: Any,
    x: Any,
    g: Any,
    kernel_size: Pair,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    groups: int,
) -> Any:
    kh, kw = kernel_size
    cols = _cols_take((id(x), kh, kw, stride, padding, dilation, groups), x)
    if cols is None:
        cols, _, _ = _windows(xp, x, kh, kw, stride, padding, dilation, groups)
    o = g.shape[1]
    g2 = g.transpose(1, 0, 2, 3).reshape(groups, o // groups, -1)
    dw = xp.matmul(g2, cols.transpose(0, 2, 1))
    return dw.reshape(o, x.shape[1] // groups, kh, kw)


def _conv_w_rule(
    specs: tuple[TensorSpec, ...],
    kernel_size: Pair,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    groups: int,
) -> TensorSpec:
    x, g = specs
    if len(x.shape) != 4 or len(g.shape) != 4:
        raise ValueError(f"conv2d_weight needs 4-d x and g, got {tuple(x.shape)}, {tuple(g.shape)}")
    geo = _conv_geometry(stride, padding, dilation, groups)
    hw = [
        _out_len(n, k, s, p, d)
        for n, k, s, p, d in zip(
            x.shape[2:], _pair(kernel_size), geo["stride"], geo["padding"], geo["dilation"],
            strict=True,
        )
    ]  # fmt: skip
    _fits("the gradient g", g.shape, (x.shape[0], g.shape[1], *hw))
    c = x.shape[1]
    return TensorSpec(
        (g.shape[1], None if c is None else c // groups, *kernel_size),
        dtypes.result_type(x.dtype, g.dtype),
    )


def _conv_w_vjp(
    gw: Any,
    ins: Any,
    out: Any,
    kernel_size: Pair,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    groups: int,
) -> tuple[Any, Any]:
    x, g = ins
    gx = gg = None
    if _needs(x):
        op = _out_padding(x.shape[2:], g.shape[2:], kernel_size, stride, padding, dilation)
        gx = conv_transpose2d(g, gw, stride, padding, dilation, groups, op)
    if _needs(g):
        gg = conv2d(x, gw, stride, padding, dilation, groups)
    return gx, gg


CONV2D_WEIGHT = defop(
    "conv2d_weight",
    "neural",
    inputs=("x", "g"),
    params=[Param("kernel_size", doc="(kh, kw) of the weight"), *_CONV_PARAMS],
    forward=_conv_w_fwd,
    shape_rule=_conv_w_rule,
    vjp=_conv_w_vjp,
    formula="z[o,c,i,j] = Σ_n,h,w g[n,o,h,w] · x[n,c,s·h+d·i-p, s·w+d·j-p]",
    grad_formula="dx = conv_transpose2d(g, gz); dg = conv2d(x, gz)",
    doc="Correlation of input and output gradient: conv2d's weight gradient, one GEMM.",
)


# ---- pooling ------------------------------------------------------------------------------

_POOL_PARAMS = [
    Param("kernel_size", doc="window (kh, kw)"),
    Param("stride", None, "step (default: kernel_size)"),
    Param("padding", (0, 0), "-inf padding on each side"),
    Param("dilation", (1, 1), "spacing between window taps (dh, dw)"),
    Param("ceil_mode", False, "round the output size up (a last, partial window)"),
]


class PoolGeometry(NamedTuple):
    """A pooling window as (h, w) pairs (the stride defaults to the kernel) and ceil_mode."""

    k: Pair
    s: Pair
    p: Pair
    d: Pair
    ceil_mode: bool

    @overload
    def out_size(self, h: int, w: int) -> tuple[int, int]: ...
    @overload
    def out_size(self, h: int | None, w: int | None) -> tuple[int | None, int | None]: ...
    def out_size(self, h: int | None, w: int | None) -> tuple[int | None, int | None]:
        """Output (Ho, Wo) for an input of (h, w)."""
        return tuple(  # type: ignore[return-value]
            _out_len(n, self.k[i], self.s[i], self.p[i], self.d[i], self.ceil_mode)
            for i, n in enumerate((h, w))
        )

    def end_pad(self, h: int, w: int) -> Pair:
        """Padding after (h, w): p, or more when a ceil_mode window runs past it."""
        k, s, p, d = self.k, self.s, self.p, self.d
        return tuple(  # type: ignore[return-value]
            max(
                p[i],
                (_out_len(n, k[i], s[i], p[i], d[i], self.ceil_mode) - 1) * s[i]
                + d[i] * (k[i] - 1)
                + 1
                - n
                - p[i],
            )
            for i, n in enumerate((h, w))
        )


def pool_geometry(
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> PoolGeometry:
    """Pooling params normalised (pairs of ints); the stride defaults to the kernel."""
    k = _pair(kernel_size)
    return PoolGeometry(
        k, k if stride is None else _pair(stride), _pair(padding), _pair(dilation), bool(ceil_mode)
    )


def check_pool_padding(geo: PoolGeometry) -> None:
    """Refuse padding over half the (dilated) window, as PyTorch does: a window of padding only
    would have no maximum and nothing to average."""
    for i in range(2):
        if geo.p[i] * 2 > geo.d[i] * (geo.k[i] - 1) + 1:
            raise ValueError(
                f"pooling padding {geo.p} must be at most half the kernel {geo.k} "
                f"(dilation {geo.d})"
            )


def _pool_padded(xp: Any, x: Any, geo: PoolGeometry, fill: float) -> tuple[Any, int, int]:
    """x padded with fill on every side its windows reach past (a copy when any), Ho, Wo."""
    n, c, h, w = x.shape
    ho, wo = geo.out_size(h, w)
    (ph, pw), (eh, ew) = geo.p, geo.end_pad(h, w)
    if ph or pw or eh or ew:
        buf = xp.full((n, c, ph + h + eh, pw + w + ew), fill, dtype=x.dtype)
        buf[:, :, ph : ph + h, pw : pw + w] = x
        x = buf
    return x, ho, wo


def _pool_windows(xp: Any, x: Any, geo: PoolGeometry) -> Any:
    """(N, C, Ho, Wo, kh·kw) windows of x padded with -inf (a copy)."""
    x, ho, wo = _pool_padded(xp, x, geo, -xp.inf)
    (kh, kw), (sh, sw), (dh, dw) = geo.k, geo.s, geo.d
    s0, s1, s2, s3 = x.strides
    view = xp.lib.stride_tricks.as_strided(
        x, (x.shape[0], x.shape[1], ho, wo, kh, kw), (s0, s1, sh * s2, sw * s3, dh * s2, dw * s3)
    )
    return view.reshape(x.shape[0], x.shape[1], ho, wo, kh * kw)


def _window_argmax(xp: Any, x: Any, geo: PoolGeometry) -> Any:
    """(N, C, Ho, Wo): where in its window (flat, row-major) each window's first maximum is."""
    return _pool_windows(xp, x, geo).argmax(axis=-1)


def _tiles(x: Any, geo: PoolGeometry) -> Any:
    """x as (N, C, Ho, kh, Wo, kw) when windows tile it exactly (a free view), else None."""
    n, c, h, w = x.shape
    k = geo.k
    if k != geo.s or geo.p != (0, 0) or geo.d != (1, 1) or h % k[0] or w % k[1]:
        return None
    return x.reshape(n, c, h // k[0], k[0], w // k[1], k[1])


def _maxpool_fwd(xp: Any, x: Any, **geometry: Any) -> Any:
    geo = pool_geometry(**geometry)
    t = _tiles(x, geo)
    if t is not None:
        return t.max(axis=(3, 5))
    return _pool_windows(xp, x, geo).max(axis=-1)


def _pool_rule(specs: tuple[TensorSpec, ...], **geometry: Any) -> TensorSpec:
    (x,) = specs
    if len(x.shape) != 4:
        raise ValueError(f"pooling needs (N, C, H, W) input, got {tuple(x.shape)}")
    geo = pool_geometry(**geometry)
    check_pool_padding(geo)
    n, c, h, w = x.shape
    ho, wo = geo.out_size(h, w)
    if (ho is not None and ho < 1) or (wo is not None and wo < 1):
        raise ValueError(f"pooling window {geo.k} (dilation {geo.d}) does not fit input {h}x{w}")
    return TensorSpec((n, c, ho, wo), dtypes.as_dtype(x.dtype))


def _maxpool_vjp(g: Any, ins: Any, out: Any, **geometry: Any) -> tuple[Any]:
    return (dispatch(MAX_POOL2D_GRAD, (ins[0], g), geometry),)


MAX_POOL2D = defop(
    "max_pool2d",
    "neural",
    params=_POOL_PARAMS,
    forward=_maxpool_fwd,
    shape_rule=_pool_rule,
    vjp=_maxpool_vjp,
    formula="z[n,c,h,w] = max over the window of x at (s·h, s·w)",
    grad_formula="dx = g routed to each window's (first) maximum",
    doc="2-D max pooling (windows tile x without copying when stride = kernel).",
)


def _maxpool_grad_fwd(xp: Any, x: Any, g: Any, **geometry: Any) -> Any:
    geo = pool_geometry(**geometry)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = geo.k, geo.s, geo.p, geo.d
    n, c, h, w = x.shape
    t = _tiles(x, geo)
    if t is not None:  # non-overlapping windows: scatter through the same free view
        ho, wo = h // kh, w // kw
        win = t.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, ho, wo, kh * kw)
        arg = win.argmax(axis=-1)
        hit = arg[..., None] == xp.arange(kh * kw)
        dx = xp.where(hit, g[..., None], 0).astype(g.dtype, copy=False)
        return dx.reshape(n, c, ho, wo, kh, kw).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h, w)
    arg = _window_argmax(xp, x, geo)
    ho, wo = arg.shape[2:]
    buf, _, _ = _pool_padded(xp, xp.zeros((n, c, h, w), dtype=g.dtype), geo, 0.0)
    for i in range(kh):
        for j in range(kw):
            sel = xp.where(arg == i * kw + j, g, 0)
            r, q = i * dh, j * dw
            buf[:, :, r : r + sh * (ho - 1) + 1 : sh, q : q + sw * (wo - 1) + 1 : sw] += sel
    return buf[:, :, ph : ph + h, pw : pw + w]


def _maxpool_grad_vjp(gz: Any, ins: Any, out: Any, **geometry: Any) -> tuple[Any, Any]:
    return (None, dispatch(MAX_POOL2D_SELECT, (ins[0], gz), geometry))


def _fits(what: str, got: Any, want: Any) -> None:
    """Refuse a gradient input whose shape is not the one its kernel indexes (None: unknown)."""
    if len(got) != len(want) or any(
        a is not None and b is not None and a != b for a, b in zip(got, want, strict=True)
    ):
        raise ValueError(f"{what} has shape {tuple(got)}, expected {tuple(want)}")


def _maxpool_grad_rule(specs: tuple[TensorSpec, ...], **geometry: Any) -> TensorSpec:
    _fits("the gradient g", specs[1].shape, _pool_rule(specs[:1], **geometry).shape)
    return same(specs[:1])


def _maxpool_select_rule(specs: tuple[TensorSpec, ...], **geometry: Any) -> TensorSpec:
    _fits("u", specs[1].shape, specs[0].shape)
    return _pool_rule(specs[:1], **geometry)


MAX_POOL2D_GRAD = defop(
    "max_pool2d_grad",
    "neural",
    inputs=("x", "g"),
    params=_POOL_PARAMS,
    forward=_maxpool_grad_fwd,
    shape_rule=_maxpool_grad_rule,
    vjp=_maxpool_grad_vjp,
    differentiable_inputs=(1,),
    formula="z = g scattered to the argmax of each window of x",
    grad_formula="dg = gz read at the argmax of each window (max_pool2d_select); x: none",
    doc="max_pool2d's input gradient (ties go to the first maximum, like PyTorch).",
)


def _maxpool_select_fwd(xp: Any, x: Any, u: Any, **geometry: Any) -> Any:
    geo = pool_geometry(**geometry)
    arg = _window_argmax(xp, x, geo)
    picked = xp.take_along_axis(_pool_windows(xp, u, geo), arg[..., None], axis=-1)
    return picked[..., 0]


MAX_POOL2D_SELECT = defop(
    "max_pool2d_select",
    "neural",
    inputs=("x", "u"),
    params=_POOL_PARAMS,
    forward=_maxpool_select_fwd,
    shape_rule=_maxpool_select_rule,
    vjp=lambda g, ins, out, **p: (None, dispatch(MAX_POOL2D_GRAD, (ins[0], g), p)),
    differentiable_inputs=(1,),
    formula="z[n,c,h,w] = u at the (first) maximum of x's window (h, w)",
    grad_formula="du = max_pool2d_grad(x, g); x: none",
    doc="max_pool2d_grad's transpose: gives max pooling gradients of any order.",
)


# ---- linear -------------------------------------------------------------------------------


def _linear_fwd(xp: Any, x: Any, w: Any, b: Any, input_grad: bool = True) -> Any:
    out = xp.matmul(x, w.T)
    out += b
    return out


def _linear_rule(specs: tuple[TensorSpec, ...], input_grad: bool = True) -> TensorSpec:
    x, w, b = specs
    if len(w.shape) != 2 or not x.shape:
        raise ValueError(
            f"linear needs x (..., in) and w (out, in), got {tuple(x.shape)} and {tuple(w.shape)}"
        )
    if x.shape[-1] is not None and w.shape[1] is not None and x.shape[-1] != w.shape[1]:
        raise ValueError(f"x has {x.shape[-1]} features but w expects {w.shape[1]}")
    if tuple(b.shape) not in ((w.shape[0],), ()):
        raise ValueError(f"bias shape {tuple(b.shape)} does not match {w.shape[0]} outputs")
    return TensorSpec((*x.shape[:-1], w.shape[0]), dtypes.result_type(x.dtype, w.dtype))


def _linear_vjp(g: Any, ins: Any, out: Any, input_grad: bool = True) -> tuple[Any, Any, Any]:
    x, w, b = ins
    g2, x2 = g, x
    if g.ndim != 2:
        g2 = F.reshape(g, (-1, g.shape[-1]))
        x2 = F.reshape(x, (-1, x.shape[-1]))
    gx = F.matmul(g, w) if input_grad and _needs(x) else None
    gw = F.matmul(F.permute(g2, (1, 0)), x2) if _needs(w) else None
    gb = F.sum(g2, 0) if _needs(b) else None
    return gx, gw, gb


LINEAR = defop(
    "linear",
    "neural",
    inputs=("x", "w", "b"),
    params=[_INPUT_GRAD],
    forward=_linear_fwd,
    shape_rule=_linear_rule,
    vjp=_linear_vjp,
    formula="z = x wᵀ + b",
    grad_formula="dx = g w; dw = gᵀ x; db = Σ_rows g",
    doc="Affine map of the last dim (one GEMM, bias added in place): nn.Linear's op.",
)


# ---- class / row indices ------------------------------------------------------------------


def concrete_array(x: Any) -> Any:
    """x's numpy or cupy array when it has one (a Tensor or an array), else None (symbolic)."""
    a = getattr(x, "array", x)
    if isinstance(a, np.ndarray) or type(a).__module__.startswith("cupy"):
        return a
    return None


def check_indices(
    a: Any, n: int | None, op: str, what: str, ignore_index: int | None = None
) -> None:
    """Raise IndexError when an integer index in array a lies outside [0, n).

    PyTorch refuses such indices; unchecked, numpy wraps negatives round to the last rows and
    a one-hot match counts an unknown class as zero loss, silently. ignore_index is allowed.
    Cost: a few elementwise passes over the indices (and one device sync on a GPU).
    """
    if n is None or a.size == 0:
        return
    bad = (a < 0) | (a >= n)
    if ignore_index is not None:
        bad &= a != ignore_index
    if not bad.any():
        return
    value = int(a[bad].ravel()[0])
    also = "" if ignore_index is None else f" (ignore_index={ignore_index} is also allowed)"
    raise IndexError(f"{op}: {what} {value} is out of range [0, {n}){also}")


# ---- cross-entropy ------------------------------------------------------------------------

_CE_PARAMS = [
    Param("reduction", "mean", "'mean', 'sum' or 'none'"),
    Param("label_smoothing", 0.0, "mass spread evenly over all classes"),
    Param("ignore_index", -100, "target value that contributes nothing"),
]


def _ce_parts(xp: Any, x: Any, t: Any, ignore_index: int) -> tuple[Any, Any, Any, Any, int]:
    """Shifted logits z, row sums of e^z, safe targets, valid mask (None: all) and #valid."""
    z = x - x.max(axis=1, keepdims=True)
    se = xp.exp(z).sum(axis=1)
    valid = t != ignore_index
    nvalid = int(xp.count_nonzero(valid))
    if nvalid == t.shape[0]:
        return z, se, t, None, nvalid
    return z, se, xp.where(valid, t, 0), valid, nvalid


def _ce_fwd(
    xp: Any, x: Any, t: Any, reduction: str, label_smoothing: float, ignore_index: int
) -> Any:
    check_indices(t, x.shape[1], "cross_entropy", "class index", ignore_index)
    z, se, ts, valid, nvalid = _ce_parts(xp, x, t, ignore_index)
    lse = xp.log(se)
    loss = lse - z[xp.arange(z.shape[0]), ts]
    if label_smoothing:  # ε · mean_c(-log p) = ε (lse - Σ_c z / C)
        loss *= 1.0 - label_smoothing
        loss += (lse - z.sum(axis=1) / z.shape[1]) * label_smoothing
    if valid is not None:
        loss *= valid
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    if not nvalid:  # every target ignored: PyTorch's mean is 0/0, nan (its gradient zeros)
        return xp.asarray(xp.nan, dtype=x.dtype)
    return (total / nvalid).astype(x.dtype)


def _ce_rule(
    specs: tuple[TensorSpec, ...], reduction: str, label_smoothing: float, ignore_index: int
) -> TensorSpec:
    x, t = specs
    if len(x.shape) != 2 or len(t.shape) != 1:
        raise ValueError(
            f"cross_entropy needs logits (N, C) and class indices (N,), got "
            f"{tuple(x.shape)} and {tuple(t.shape)}"
        )
    if dtypes.as_dtype(t.dtype).kind not in "iu":
        raise ValueError(f"class-index targets must be integers, not {t.dtype}")
    if None not in (x.shape[0], t.shape[0]) and x.shape[0] != t.shape[0]:
        raise ValueError(f"{x.shape[0]} rows of logits but {t.shape[0]} targets")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', not {reduction!r}")
    return TensorSpec((x.shape[0],) if reduction == "none" else (), dtypes.as_dtype(x.dtype))


def _ce_vjp(
    g: Any, ins: Any, out: Any, reduction: str, label_smoothing: float, ignore_index: int
) -> tuple[Any, None]:
    params = {
        "reduction": reduction,
        "label_smoothing": label_smoothing,
        "ignore_index": ignore_index,
    }
    return dispatch(CROSS_ENTROPY_GRAD, (ins[0], ins[1], g), params), None


CROSS_ENTROPY = defop(
    "cross_entropy",
    "neural",
    inputs=("logits", "target"),
    params=_CE_PARAMS,
    forward=_ce_fwd,
    shape_rule=_ce_rule,
    vjp=_ce_vjp,
    differentiable_inputs=(0,),
    formula="ℓₙ = -(1-ε) log softmax(x)ₙ,tₙ - ε mean_c log softmax(x)ₙ,c; mean over valid n",
    grad_formula="dx = (softmax(x) - q) g / n, q = (1-ε) onehot(t) + ε/C",
    doc="Softmax cross-entropy with class-index targets, fused and numerically stable.",
)


def _ce_grad_fwd(
    xp: Any, x: Any, t: Any, g: Any, reduction: str, label_smoothing: float, ignore_index: int
) -> Any:
    z, se, ts, valid, nvalid = _ce_parts(xp, x, t, ignore_index)
    d = xp.exp(z, out=z)
    d /= se[:, None]
    n, c = x.shape
    if label_smoothing:
        d -= label_smoothing / c
    d[xp.arange(n), ts] -= 1.0 - label_smoothing
    if reduction == "none":  # per-row weights g, 0 on ignored rows
        d *= (g if valid is None else g * valid)[:, None]
        return d
    d *= (g / max(nvalid, 1) if reduction == "mean" else g).astype(d.dtype, copy=False)
    if valid is not None:
        d *= valid[:, None]
    return d


def _onehot_q(x: Any, t: Any, label_smoothing: float, ignore_index: int) -> tuple[Any, Any]:
    """Target distribution q (N, C) and the valid-row mask (N, 1), as Tensor ops."""
    from ..backend import device_of_array
    from ..creation import arange
    from ..tensor import Tensor

    c = x.shape[1]
    tt = F.unsqueeze(t, 1)
    classes = (
        arange(c, device=x.device) if isinstance(x, Tensor) else device_of_array(x).xp.arange(c)
    )
    q = F.cast(F.eq(tt, classes), x.dtype)
    if label_smoothing:
        q = q * (1.0 - label_smoothing) + label_smoothing / c
    return q, F.cast(F.ne(tt, ignore_index), x.dtype)


def _ce_grad_vjp(
    gz: Any, ins: Any, out: Any, reduction: str, label_smoothing: float, ignore_index: int
) -> tuple[Any, None, Any]:
    x, t, g = ins
    e = F.exp(
        x - F.max(x, axis=1, keepdims=True)
    )  # the max's gradient cancels: softmax is shift-invariant
    s = e / F.sum(e, 1, True)
    q, valid = _onehot_q(x, t, label_smoothing, ignore_index)
    scale = valid / F.maximum(F.sum(valid), 1.0) if reduction == "mean" else valid
    gcol = F.unsqueeze(g, 1) if reduction == "none" else g
    gx = gg = None
    if _needs(x):
        sg = s * gz
        gx = (sg - s * F.sum(sg, 1, True)) * scale * gcol
    if _needs(g):
        rows = F.sum((s - q) * gz * scale, 1)
        gg = rows if reduction == "none" else F.sum(rows)
    return gx, None, gg


def _ce_grad_rule(specs: tuple[TensorSpec, ...], **kw: Any) -> TensorSpec:
    _fits("the gradient g", specs[2].shape, _ce_rule(specs[:2], **kw).shape)
    return same(specs[:1])


CROSS_ENTROPY_GRAD = defop(
    "cross_entropy_grad",
    "neural",
    inputs=("logits", "target", "g"),
    params=_CE_PARAMS,
    forward=_ce_grad_fwd,
    shape_rule=_ce_grad_rule,
    vjp=_ce_grad_vjp,
    differentiable_inputs=(0, 2),
    formula="z = (softmax(x) - q) · g / n",
    grad_formula="dx = (s·gz - s Σ s·gz) g / n; dg = Σ (s - q)·gz / n",
    doc="cross_entropy's logits gradient as one kernel (its own VJP gives second order).",
)


# ---- public functions ---------------------------------------------------------------------


def check_padding_mode(padding: Any, stride: Any) -> None:
    """Refuse a padding string other than 'same'/'valid', and 'same' with a stride above 1.

    With a stride, no padding keeps the output the input's size (PyTorch refuses it too).
    """
    if not isinstance(padding, str):
        return
    if padding not in ("same", "valid"):
        raise ValueError(f"conv2d padding must be 'same', 'valid' or ints, not {padding!r}")
    if padding == "same" and _pair(stride) != (1, 1):
        raise ValueError(
            f"conv2d padding='same' needs stride 1 (got {stride}): a strided convolution "
            "cannot keep the input's size; give the padding as ints instead"
        )


def _resolve_padding(x: Any, w: Any, stride: Any, padding: Any, dilation: Any) -> tuple[Any, Any]:
    """(x, padding ints) for a padding string: 'valid' is 0; 'same' keeps H and W (stride 1).

    'same' pads d·(k-1) in total per dim, half before and the rest after, like PyTorch: an
    odd total puts its extra zero at the end, added here to x since conv2d pads symmetrically.
    """
    check_padding_mode(padding, stride)
    if padding == "valid":
        return x, 0
    kh, kw = w.shape[2], w.shape[3]
    if not isinstance(kh, int) or not isinstance(kw, int):
        raise ValueError("conv2d padding='same' needs the kernel size known (w's last dims)")
    dh, dw = _pair(dilation)
    th, tw = dh * (kh - 1), dw * (kw - 1)
    if th % 2 or tw % 2:
        x = _shape.pad(x, ((0, 0), (0, 0), (0, th % 2), (0, tw % 2)))
    return x, (th // 2, tw // 2)


def conv2d(
    x: Any, w: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1
) -> Any:
    """2-D convolution of x (N, C, H, W) with w (O, C/groups, kh, kw), no bias.

    padding is ints (each side), or PyTorch's 'valid' (none) or 'same' (output H, W = input's;
    stride 1 only).
    """
    if isinstance(padding, str):
        x, padding = _resolve_padding(x, w, stride, padding, dilation)
    return dispatch(
        CONV2D,
        (x, w),
        {
            **_conv_geometry(stride, padding, dilation, groups),
            "input_grad": _needs(x),
        },
    )


def conv_transpose2d(
    x: Any,
    w: Any,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
    output_padding: Any = 0,
) -> Any:
    """Transposed 2-D convolution of x (N, C_in, H, W) with w (C_in, C_out/groups, kh, kw)."""
    return dispatch(
        CONV_TRANSPOSE2D,
        (x, w),
        {
            **_conv_geometry(stride, padding, dilation, groups),
            "output_padding": _pair(output_padding),
        },
    )


def conv2d_weight(
    x: Any,
    g: Any,
    kernel_size: Any,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Any:
    """The weight gradient of conv2d given its input x and output gradient g."""
    return dispatch(
        CONV2D_WEIGHT,
        (x, g),
        {
            "kernel_size": _pair(kernel_size),
            **_conv_geometry(stride, padding, dilation, groups),
        },
    )


def max_pool2d(
    x: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> Any:
    """2-D max pooling as PyTorch's (stride defaults to kernel_size; -inf padding)."""
    geo = pool_geometry(kernel_size, stride, padding, dilation, ceil_mode)
    check_pool_padding(geo)  # eager dispatch skips the shape rule, which also checks it
    params = {
        "kernel_size": geo.k,
        "stride": None if stride is None else geo.s,
        "padding": geo.p,
        "dilation": geo.d,
        "ceil_mode": geo.ceil_mode,
    }
    return dispatch(MAX_POOL2D, (x,), params)


def linear(x: Any, w: Any, b: Any) -> Any:
    """x @ w.T + b as one op (dx is skipped in backward when x needs no gradient)."""
    return dispatch(LINEAR, (x, w, b), {"input_grad": _needs(x)})


def cross_entropy_indices(
    x: Any, t: Any, reduction: str = "mean", label_smoothing: float = 0.0, ignore_index: int = -100
) -> Any:
    """Fused softmax cross-entropy of logits x (N, C) with class indices t (N,)."""
    return dispatch(
        CROSS_ENTROPY,
        (x, t),
        {
            "reduction": reduction,
            "label_smoothing": float(label_smoothing),
            "ignore_index": int(ignore_index),
        },
    )


__all__ = [
    "conv2d",
    "conv2d_weight",
    "conv_transpose2d",
    "cross_entropy_indices",
    "linear",
    "max_pool2d",
]
