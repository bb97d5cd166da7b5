"""ONNX op type -> vizflow ops: one converter per op type, attributes converted explicitly.

Each converter takes a NodeContext and returns the node's outputs as Values; it raises
Unsupported for an attribute value or dynamic input it cannot express (the node then runs as
an onnx_node fallback). Broadcasting: ONNX's multidirectional broadcasting is numpy's, which
vizflow's binary ops follow; Gemm's C and PRelu's slope broadcast one way, checked here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import ops as _ops  # noqa: F401  (registers every op)
from ..graph.ir import Value
from ..nn import functional as F
from ..registry import get_op
from .context import NodeContext, Unsupported
from .types import dtype_of

Converter = Callable[[NodeContext], Sequence[Value]]
CONVERTERS: dict[str, Converter] = {}


def _engine() -> Any:
    import vizflow_engine

    return vizflow_engine


def converts(*op_types: str) -> Callable[[Converter], Converter]:
    """Register fn as the converter of these ONNX op types."""

    def deco(fn: Converter) -> Converter:
        for t in op_types:
            CONVERTERS[t] = fn
        return fn

    return deco


def _unary(fn: Callable[[Value], Value]) -> Converter:
    return lambda cx: [fn(cx.x(0))]


def _float_only(fn: Callable[[Value], Value]) -> Callable[[Value], Value]:
    def run(x: Value) -> Value:
        if x.dtype.kind != "f":
            raise Unsupported(f"{x.dtype} input")
        return fn(x)

    return run


def _register_simple() -> None:
    e = _engine()
    unary: dict[str, Callable[[Value], Value]] = {
        "Abs": e.abs,
        "Neg": e.neg,
        "Exp": _float_only(e.exp),
        "Log": _float_only(e.log),
        "Sqrt": _float_only(e.sqrt),
        "Reciprocal": _float_only(e.reciprocal),
        "Sin": _float_only(e.sin),
        "Cos": _float_only(e.cos),
        "Tan": _float_only(e.tan),
        "Tanh": _float_only(e.tanh),
        "Asin": _float_only(e.asin),
        "Acos": _float_only(e.acos),
        "Atan": _float_only(e.atan),
        "Sinh": _float_only(e.sinh),
        "Cosh": _float_only(e.cosh),
        "Asinh": _float_only(e.asinh),
        "Acosh": _float_only(e.acosh),
        "Atanh": _float_only(e.atanh),
        "Erf": _float_only(e.erf),
        "Floor": _float_only(e.floor),
        "Ceil": _float_only(e.ceil),
        "Round": _float_only(e.round),
        "Relu": e.relu,
        "Sigmoid": _float_only(e.sigmoid),
        "Sign": e.sign,
        "Not": e.logical_not,
        "IsNaN": e.isnan,
        "Softsign": _float_only(F.softsign),
        "HardSwish": _float_only(F.hardswish),
        "Mish": _float_only(F.mish),
        "BitwiseNot": e.bitwise_not,
    }
    for name, fn in unary.items():
        CONVERTERS[name] = _unary(fn)
    binary: dict[str, Callable[[Value, Value], Value]] = {
        "Add": e.add,
        "Sub": e.sub,
        "Mul": e.mul,
        "Equal": e.eq,
        "Less": e.lt,
        "Greater": e.gt,
        "LessOrEqual": e.le,
        "GreaterOrEqual": e.ge,
        "And": e.logical_and,
        "Or": e.logical_or,
        "Xor": e.logical_xor,
        "BitwiseAnd": e.bitwise_and,
        "BitwiseOr": e.bitwise_or,
        "BitwiseXor": e.bitwise_xor,
    }
    for name, bfn in binary.items():
        CONVERTERS[name] = _binary(bfn)


def _binary(fn: Callable[[Value, Value], Value]) -> Converter:
    def conv(cx: NodeContext) -> list[Value]:
        a, b = cx.x(0), cx.x(1)
        if a.dtype != b.dtype:
            raise Unsupported(f"mixed dtypes {a.dtype} and {b.dtype}")
        return [fn(a, b)]

    return conv


def _same_dtype(out: Value, dtype: Any) -> Value:
    return out if out.dtype == dtype else _engine().cast(out, dtype)


@converts("Identity")
def _identity(cx: NodeContext) -> list[Value]:
    return [cx.x(0)]


@converts("Div")
def _div(cx: NodeContext) -> list[Value]:
    a, b = cx.x(0), cx.x(1)
    if a.dtype != b.dtype:
        raise Unsupported("mixed dtypes")
    if a.dtype.kind in "iu":
        return [_same_dtype(_engine().div(a, b, rounding_mode="trunc"), a.dtype)]
    return [_engine().div(a, b)]


@converts("Pow")
def _pow(cx: NodeContext) -> list[Value]:
    a, b = cx.x(0), cx.x(1)
    if a.dtype.kind != "f":
        raise Unsupported("integer base")
    if b.dtype != a.dtype:
        b = _engine().cast(b, a.dtype)
    return [_engine().pow(a, b)]


@converts("Mod")
def _mod(cx: NodeContext) -> list[Value]:
    a, b = cx.x(0), cx.x(1)
    e = _engine()
    return [e.fmod(a, b) if cx.a("fmod", 0) else e.remainder(a, b)]


@converts("BitShift")
def _bitshift(cx: NodeContext) -> list[Value]:
    e = _engine()
    fn = e.bitwise_left_shift if cx.a("direction") == "LEFT" else e.bitwise_right_shift
    return [fn(cx.x(0), cx.x(1))]


def _variadic(fn: Callable[[Value, Value], Value]) -> Converter:
    def conv(cx: NodeContext) -> list[Value]:
        xs = [v for v in cx.inputs if v is not None]
        if len({v.dtype for v in xs}) != 1:
            raise Unsupported("mixed dtypes")
        out = xs[0]
        for v in xs[1:]:
            out = fn(out, v)
        return [out if len(xs) > 1 else _engine().clone(out)]

    return conv


def _register_variadic() -> None:
    e = _engine()
    CONVERTERS["Sum"] = _variadic(e.add)
    CONVERTERS["Max"] = _variadic(e.maximum)
    CONVERTERS["Min"] = _variadic(e.minimum)


@converts("Mean")
def _mean(cx: NodeContext) -> list[Value]:
    xs = [v for v in cx.inputs if v is not None]
    if xs[0].dtype.kind != "f":
        raise Unsupported("integer Mean")
    out = _variadic(_engine().add)(cx)[0]
    return [out / cx.const(len(xs), out.dtype)]


@converts("Where")
def _where(cx: NodeContext) -> list[Value]:
    return [_engine().where(cx.x(0), cx.x(1), cx.x(2))]


@converts("IsInf")
def _isinf(cx: NodeContext) -> list[Value]:
    e, x = _engine(), cx.x(0)
    neg, pos = cx.a("detect_negative", 1), cx.a("detect_positive", 1)
    if neg and pos:
        return [e.isinf(x)]
    if pos:
        return [e.isposinf(x)]
    if neg:
        return [e.isneginf(x)]
    return [e.logical_and(e.isinf(x), e.isnan(x))]


@converts("Clip")
def _clip(cx: NodeContext) -> list[Value]:
    e, x = _engine(), cx.x(0)
    if cx.opset < 11:
        lo, hi = cx.a("min"), cx.a("max")
        return [e.clamp(x, lo, hi)]
    out = x
    if cx.has(1):
        out = e.maximum(out, cx.x(1))
    if cx.has(2):
        out = e.minimum(out, cx.x(2))
    return [out if out is not x else e.clone(x)]


def _floaty(cx: NodeContext) -> Value:
    x = cx.x(0)
    if x.dtype.kind != "f":
        raise Unsupported(f"{x.dtype} input")
    return x


@converts("LeakyRelu")
def _leaky(cx: NodeContext) -> list[Value]:
    return [F.leaky_relu(_floaty(cx), float(cx.a("alpha", 0.01)))]


@converts("Elu", "Celu", "Selu")
def _elu(cx: NodeContext) -> list[Value]:
    e, x = _engine(), _floaty(cx)
    op = cx.node.op_type
    default = {"Elu": 1.0, "Celu": 1.0, "Selu": 1.67326319217681884765625}[op]
    alpha = float(cx.a("alpha", default))
    gamma = float(cx.a("gamma", 1.05070102214813232421875)) if op == "Selu" else 1.0
    zero = cx.const(0, x.dtype)
    inner = x / cx.const(alpha, x.dtype) if op == "Celu" else x
    neg = cx.const(alpha, x.dtype) * (e.exp(e.minimum(inner, zero)) - cx.const(1, x.dtype))
    out = e.where(e.gt(x, zero), x, neg)
    return [out * cx.const(gamma, x.dtype) if op == "Selu" else out]


@converts("HardSigmoid")
def _hardsigmoid(cx: NodeContext) -> list[Value]:
    x = _floaty(cx)
    a, b = float(cx.a("alpha", 0.2)), float(cx.a("beta", 0.5))
    return [_engine().clamp(x * cx.const(a, x.dtype) + cx.const(b, x.dtype), 0.0, 1.0)]


@converts("ThresholdedRelu")
def _thresholded(cx: NodeContext) -> list[Value]:
    x = _floaty(cx)
    alpha = cx.const(float(cx.a("alpha", 1.0)), x.dtype)
    return [_engine().where(_engine().gt(x, alpha), x, cx.const(0, x.dtype))]


@converts("Softplus")
def _softplus(cx: NodeContext) -> list[Value]:
    e, x = _engine(), _floaty(cx)
    return [e.log1p(e.exp(x))]


@converts("PRelu")
def _prelu(cx: NodeContext) -> list[Value]:
    e, x, slope = _engine(), _floaty(cx), cx.x(1)
    _check_unidirectional(slope.shape, x.shape, "slope")
    zero = cx.const(0, x.dtype)
    return [e.where(e.lt(x, zero), x * slope, x)]


@converts("Gelu")
def _gelu(cx: NodeContext) -> list[Value]:
    return [F.gelu(_floaty(cx), approximate=cx.a("approximate", "none"))]


def _check_unidirectional(small: tuple[Any, ...], big: tuple[Any, ...], what: str) -> None:
    """ONNX unidirectional broadcasting: `small` must broadcast to `big` without changing it."""
    if len(small) > len(big):
        raise Unsupported(f"{what} has a higher rank than the input")
    for s, b in zip(reversed(small), reversed(big), strict=False):
        if isinstance(s, int) and s != 1 and isinstance(b, int) and s != b:
            raise Unsupported(f"{what} shape does not broadcast one way")


# ---- linear algebra ----------------------------------------------------------------------
@converts("MatMul")
def _matmul(cx: NodeContext) -> list[Value]:
    a, b = cx.x(0), cx.x(1)
    if a.ndim == 0 or b.ndim == 0:
        raise Unsupported("0-d MatMul input")
    return [_engine().matmul(a, b)]


@converts("Gemm")
def _gemm(cx: NodeContext) -> list[Value]:
    e = _engine()
    a, b = cx.x(0), cx.x(1)
    if a.ndim != 2 or b.ndim != 2:
        raise Unsupported("Gemm inputs must be 2-d")
    if cx.a("transA", 0):
        a = e.permute(a, (1, 0))
    if cx.a("transB", 0):
        b = e.permute(b, (1, 0))
    out = e.matmul(a, b)
    alpha, beta = float(cx.a("alpha", 1.0)), float(cx.a("beta", 1.0))
    if alpha != 1.0:
        out = out * cx.const(alpha, out.dtype)
    if cx.has(2):
        c = cx.x(2)
        _check_unidirectional(c.shape, out.shape, "C")
        out = out + (c * cx.const(beta, c.dtype) if beta != 1.0 else c)
    return [out]


@converts("Einsum")
def _einsum(cx: NodeContext) -> list[Value]:
    xs = [v for v in cx.inputs if v is not None]
    return [_engine().einsum(str(cx.a("equation")).replace(" ", ""), *xs)]


# ---- reductions --------------------------------------------------------------------------
def _reduce_axes(cx: NodeContext) -> tuple[int, ...] | None:
    """The axes to reduce (None: all), from the attribute or input 1 (opset 13/18 on)."""
    axes = cx.ints(1) if len(cx.inputs) > 1 else cx.a("axes")
    if axes is None or len(axes) == 0:
        if cx.a("noop_with_empty_axes", 0):
            return ()
        return None
    r = cx.x(0).ndim
    return tuple(sorted(int(a) % r for a in axes))


def _reducer(kind: str) -> Converter:
    def conv(cx: NodeContext) -> list[Value]:
        e, x = _engine(), cx.x(0)
        axes = _reduce_axes(cx)
        keep = bool(cx.a("keepdims", 1))
        if axes == ():
            return [e.clone(x)]
        if axes is None:
            axes = tuple(range(x.ndim))
        if x.ndim == 0:
            return [e.clone(x)]
        if kind in ("mean", "l2", "logsumexp", "logsum") and x.dtype.kind != "f":
            raise Unsupported("integer reduction to a float")
        if kind == "sum":
            return [_same_dtype(e.sum(x, axes, keep), x.dtype)]
        if kind == "mean":
            return [e.mean(x, axes, keep)]
        if kind == "max":
            return [e.amax(x, axes, keep)]
        if kind == "min":
            return [e.amin(x, axes, keep)]
        if kind == "prod":
            return [_same_dtype(e.prod(x, axes, keep), x.dtype)]
        if kind == "l1":
            return [_same_dtype(e.sum(e.abs(x), axes, keep), x.dtype)]
        if kind == "l2":
            return [e.sqrt(e.sum(x * x, axes, keep))]
        if kind == "sumsquare":
            return [_same_dtype(e.sum(x * x, axes, keep), x.dtype)]
        if kind == "logsum":
            return [e.log(e.sum(x, axes, keep))]
        return [e.logsumexp(x, axes, keep)]

    return conv


for _t, _k in {
    "ReduceSum": "sum",
    "ReduceMean": "mean",
    "ReduceMax": "max",
    "ReduceMin": "min",
    "ReduceProd": "prod",
    "ReduceL1": "l1",
    "ReduceL2": "l2",
    "ReduceSumSquare": "sumsquare",
    "ReduceLogSum": "logsum",
    "ReduceLogSumExp": "logsumexp",
}.items():
    CONVERTERS[_t] = _reducer(_k)


@converts("ArgMax", "ArgMin")
def _argmax(cx: NodeContext) -> list[Value]:
    e, x = _engine(), cx.x(0)
    axis = int(cx.a("axis", 0)) % max(x.ndim, 1)
    keep = bool(cx.a("keepdims", 1))
    fn = e.argmax if cx.node.op_type == "ArgMax" else e.argmin
    if cx.a("select_last_index", 0):
        n = x.shape[axis]
        if not isinstance(n, int):
            raise Unsupported("select_last_index on an unknown dim")
        idx = fn(e.flip(x, (axis,)), axis, keep)
        return [cx.const(n - 1, np.int64) - _same_dtype(idx, np.dtype(np.int64))]
    return [_same_dtype(fn(x, axis, keep), np.dtype(np.int64))]


# ---- shapes ------------------------------------------------------------------------------
def _apply(name: str, x: Value, **params: Any) -> Value:
    return x.graph.apply(get_op(name), (x,), params)


@converts("Reshape")
def _reshape(cx: NodeContext) -> list[Value]:
    x = cx.x(0)
    shape = cx.ints(1) or []
    allowzero = cx.a("allowzero", 0)
    out: list[int] = []
    for i, d in enumerate(shape):
        if d == 0 and not allowzero:
            src = x.shape[i]
            if not isinstance(src, int):
                if -1 in shape:
                    raise Unsupported("a copied unknown dim besides -1")
                out.append(-1)
                continue
            out.append(src)
        else:
            out.append(d)
    return [_apply("reshape", x, shape=tuple(out))]


def _known_prod(dims: Sequence[Any]) -> int:
    """The product of dims, or -1 when one is unknown."""
    return math.prod(dims) if all(isinstance(d, int) for d in dims) else -1


@converts("Flatten")
def _flatten(cx: NodeContext) -> list[Value]:
    x = cx.x(0)
    axis = int(cx.a("axis", 1))
    axis = axis % x.ndim if x.ndim and axis < 0 else axis
    head, tail = x.shape[:axis], x.shape[axis:]
    a = _known_prod(head)
    b = _known_prod(tail)
    if a == -1 and b == -1:
        raise Unsupported("unknown dims on both sides of the axis")
    return [_apply("reshape", x, shape=(a, b))]


@converts("Transpose")
def _transpose(cx: NodeContext) -> list[Value]:
    x = cx.x(0)
    perm = cx.a("perm") or list(reversed(range(x.ndim)))
    return [_apply("transpose", x, axes=tuple(int(p) for p in perm))]


@converts("Squeeze")
def _squeeze(cx: NodeContext) -> list[Value]:
    x = cx.x(0)
    axes = cx.ints(1) if len(cx.inputs) > 1 else cx.a("axes")
    if not axes:
        ones = tuple(i for i, d in enumerate(x.shape) if d == 1)
        if any(not isinstance(d, int) for d in x.shape):
            raise Unsupported("squeeze of all 1-dims with unknown dims")
        return [_apply("squeeze", x, axis=ones)]
    return [_apply("squeeze", x, axis=tuple(sorted(int(a) % x.ndim for a in axes)))]


@converts("Unsqueeze")
def _unsqueeze(cx: NodeContext) -> list[Value]:
    x = cx.x(0)
    axes = cx.ints(1) if len(cx.inputs) > 1 else cx.a("axes")
    r = x.ndim + len(axes or [])
    out = x
    for a in sorted(int(a) % r for a in axes or []):
        out = _apply("unsqueeze", out, axis=a)
    return [out if out is not x else _engine().clone(x)]


@converts("Concat")
def _concat(cx: NodeContext) -> list[Value]:
    xs = [v for v in cx.inputs if v is not None]
    axis = int(cx.a("axis", 0)) % xs[0].ndim
    if len({v.dtype for v in xs}) != 1:
        raise Unsupported("mixed dtypes")
    return [_engine().concatenate(xs, axis)]


@converts("Split")
def _split(cx: NodeContext) -> list[Value]:
    x = cx.x(0)
    axis = int(cx.a("axis", 0)) % x.ndim
    n = x.shape[axis]
    if not isinstance(n, int):
        raise Unsupported("split of an unknown dim")
    sizes = cx.ints(1) if len(cx.inputs) > 1 and cx.has(1) else cx.a("split")
    k = cx.n_outputs
    if not sizes:
        step = -(-n // k)
        sizes = [min(step, n - i * step) for i in range(k)]
    outs, start = [], 0
    for s in sizes:
        index = (slice(None),) * axis + (slice(start, start + int(s)),)
        outs.append(_engine().getitem(x, index))
        start += int(s)
    return outs


@converts("Slice")
def _slice(cx: NodeContext) -> list[Value]:
    x = cx.x(0)
    if cx.opset < 10:
        starts, ends, axes, steps = cx.a("starts"), cx.a("ends"), cx.a("axes"), None
    else:
        starts, ends = cx.ints(1), cx.ints(2)
        axes = cx.ints(3) if len(cx.inputs) > 3 else None
        steps = cx.ints(4) if len(cx.inputs) > 4 else None
    axes = axes or list(range(len(starts or [])))
    steps = steps or [1] * len(axes)
    index: list[Any] = [slice(None)] * x.ndim
    big = 2**62
    for a, s, e_, st in zip(axes, starts or [], ends or [], steps, strict=True):
        clamp = lambda v: max(-big, min(big, int(v)))  # noqa: E731
        index[int(a) % x.ndim] = slice(clamp(s), clamp(e_), int(st))
    return [_engine().getitem(x, tuple(index))]


@converts("Gather")
def _gather(cx: NodeContext) -> list[Value]:
    x = cx.x(0)
    axis = int(cx.a("axis", 0)) % x.ndim
    idx = cx.static(1)
    lead = (slice(None),) * axis
    if idx is not None and idx.ndim == 0:
        return [_engine().getitem(x, (*lead, int(idx)))]
    ind = cx.x(1)
    if ind.dtype.kind not in "iu":
        raise Unsupported("non-integer indices")
    n = x.shape[axis]
    if isinstance(n, int) and (idx is None or (idx < 0).any()):
        e = _engine()
        zero = cx.const(0, ind.dtype)
        ind = e.where(e.lt(ind, zero), ind + cx.const(n, ind.dtype), ind)
    return [_engine().getitem(x, (*lead, ind))]


@converts("GatherElements")
def _gather_elements(cx: NodeContext) -> list[Value]:
    e, x, ind = _engine(), cx.x(0), cx.x(1)
    axis = int(cx.a("axis", 0)) % x.ndim
    n = x.shape[axis]
    if not isinstance(n, int):
        raise Unsupported("unknown gather dim")
    ind = _same_dtype(ind, np.dtype(np.int64))
    zero = cx.const(0, np.int64)
    ind = e.where(e.lt(ind, zero), ind + cx.const(n, np.int64), ind)
    return [e.gather(x, axis, ind)]


@converts("ScatterElements")
def _scatter_elements(cx: NodeContext) -> list[Value]:
    e, x, ind, upd = _engine(), cx.x(0), cx.x(1), cx.x(2)
    axis = int(cx.a("axis", 0)) % x.ndim
    n = x.shape[axis]
    if not isinstance(n, int):
        raise Unsupported("unknown scatter dim")
    ind = _same_dtype(ind, np.dtype(np.int64))
    zero = cx.const(0, np.int64)
    ind = e.where(e.lt(ind, zero), ind + cx.const(n, np.int64), ind)
    red = cx.a("reduction", "none")
    if red == "none":
        return [e.scatter(x, axis, ind, upd)]
    if red == "add":
        return [e.scatter_add(x, axis, ind, upd)]
    raise Unsupported(f"reduction {red}")


def _broadcast(a: Sequence[Any], b: Sequence[int]) -> tuple[int, ...]:
    """numpy's broadcast shape of a (may hold unknown dims) and a static shape b."""
    r = max(len(a), len(b))
    pa = [1] * (r - len(a)) + list(a)
    pb = [1] * (r - len(b)) + list(b)
    out = []
    for x, y in zip(pa, pb, strict=True):
        if not isinstance(x, int):
            if y != 1:
                out.append(y)
                continue
            raise Unsupported("expand of an unknown dim")
        if x != 1 and y != 1 and x != y:
            raise Unsupported(f"shapes {tuple(a)} and {tuple(b)} do not broadcast")
        out.append(max(x, y) if x != 1 and y != 1 else (x if y == 1 else y))
    return tuple(out)


@converts("Expand")
def _expand(cx: NodeContext) -> list[Value]:
    x = cx.x(0)
    shape = _broadcast(x.shape, cx.ints(1) or [])
    return [_engine().clone(_engine().broadcast_to(x, shape))]


@converts("Tile")
def _tile(cx: NodeContext) -> list[Value]:
    return [_engine().tile(cx.x(0), tuple(cx.ints(1) or []))]


@converts("Pad")
def _pad(cx: NodeContext) -> list[Value]:
    x = cx.x(0)
    if (cx.a("mode", "constant") or "constant") != "constant":
        raise Unsupported("non-constant pad mode")
    pads = (cx.ints(1) if cx.opset >= 11 else cx.a("pads")) or []
    value = 0.0
    if cx.opset >= 11 and cx.has(2):
        value = cx.need_static(2).reshape(-1)[0].item()
    elif cx.opset < 11:
        value = float(cx.a("value", 0.0))
    r = x.ndim
    axes = (cx.ints(3) if len(cx.inputs) > 3 else None) or list(range(r))
    k = len(axes)
    pairs = [[0, 0] for _ in range(r)]
    for j, a in enumerate(axes):
        pairs[int(a) % r] = [int(pads[j]), int(pads[j + k])]
    if any(p < 0 for pair in pairs for p in pair):
        raise Unsupported("negative pads")
    return [_apply("pad", x, pad_width=tuple(tuple(p) for p in pairs), value=value)]


@converts("Shape")
def _shape(cx: NodeContext) -> list[Value]:
    x = cx.x(0)
    dims = x.shape[int(cx.a("start", 0)) : cx.a("end")]
    if any(not isinstance(d, int) for d in dims):
        raise Unsupported("shape with unknown dims")
    return [cx.const(list(dims), np.int64)]


@converts("Size")
def _size(cx: NodeContext) -> list[Value]:
    x = cx.x(0)
    n = _known_prod(x.shape)
    if n < 0:
        raise Unsupported("size with unknown dims")
    return [cx.const(n, np.int64)]


@converts("Cast")
def _cast(cx: NodeContext) -> list[Value]:
    to = dtype_of(int(cx.a("to")))
    x = cx.x(0)
    if to is None or (x.dtype.kind == "f" and to.kind in "iub"):
        raise Unsupported("cast to an unsupported type or float -> int rounding")
    return [_engine().cast(x, to) if to != x.dtype else _engine().clone(x)]


@converts("CastLike")
def _castlike(cx: NodeContext) -> list[Value]:
    x, to = cx.x(0), cx.x(1).dtype
    if x.dtype.kind == "f" and to.kind in "iub":
        raise Unsupported("float -> int rounding")
    return [_engine().cast(x, to) if to != x.dtype else _engine().clone(x)]


@converts("Dropout")
def _dropout(cx: NodeContext) -> list[Value]:
    if (cx.n_outputs > 1 and cx.node.output[1]) or cx.has(2):
        raise Unsupported("dropout mask or training mode")
    return [cx.x(0)]


@converts("Trilu")
def _trilu(cx: NodeContext) -> list[Value]:
    k = int(cx.need_static(1).reshape(-1)[0]) if cx.has(1) else 0
    e = _engine()
    return [(e.triu if cx.a("upper", 1) else e.tril)(cx.x(0), k)]


@converts("CumSum")
def _cumsum(cx: NodeContext) -> list[Value]:
    e, x = _engine(), cx.x(0)
    axis = int(cx.need_static(1).reshape(-1)[0]) % x.ndim
    rev = bool(cx.a("reverse", 0))
    y = e.flip(x, (axis,)) if rev else x
    out = _same_dtype(e.cumsum(y, axis), x.dtype)
    if cx.a("exclusive", 0):
        out = out - y
    return [e.flip(out, (axis,)) if rev else out]


@converts("TopK")
def _topk(cx: NodeContext) -> list[Value]:
    e, x = _engine(), cx.x(0)
    k = int(cx.need_static(1).reshape(-1)[0])
    axis = int(cx.a("axis", -1)) % x.ndim
    if not cx.a("sorted", 1):
        raise Unsupported("unsorted TopK")
    res = e.topk(x, k, axis, bool(cx.a("largest", 1)), True)
    return [res[0], _same_dtype(res[1], np.dtype(np.int64))]


# ---- neural network ops ------------------------------------------------------------------
def _spatial(cx: NodeContext, x: Value, kernel: Sequence[int]) -> tuple[list[int], list[int]]:
    """(pads before, pads after) per spatial dim from pads or auto_pad."""
    n = len(kernel)
    auto = cx.a("auto_pad", "NOTSET") or "NOTSET"
    strides = list(cx.a("strides") or [1] * n)
    dil = list(cx.a("dilations") or [1] * n)
    if auto in ("NOTSET",):
        pads = list(cx.a("pads") or [0] * (2 * n))
        return pads[:n], pads[n:]
    if auto == "VALID":
        return [0] * n, [0] * n
    before, after = [], []
    for i in range(n):
        d = x.shape[2 + i]
        if not isinstance(d, int):
            raise Unsupported("SAME padding of an unknown dim")
        out = -(-d // strides[i])
        total = max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - d)
        small, big = total // 2, total - total // 2
        before.append(small if auto == "SAME_UPPER" else big)
        after.append(big if auto == "SAME_UPPER" else small)
    return before, after


def _known(dims: Sequence[Any]) -> list[int]:
    """dims, which must all be known."""
    if not all(isinstance(d, int) for d in dims):
        raise Unsupported("unknown kernel size")
    return [int(d) for d in dims]


def _pad_spatial(x: Value, before: list[int], after: list[int], value: float) -> Value:
    pairs = ((0, 0), (0, 0), *zip(before, after, strict=True))
    return _apply("pad", x, pad_width=tuple(pairs), value=value)


@converts("Conv")
def _conv(cx: NodeContext) -> list[Value]:
    x, w = cx.x(0), cx.x(1)
    n = x.ndim - 2
    if n not in (1, 2, 3) or x.dtype.kind != "f":
        raise Unsupported(f"{n}-d convolution")
    kernel = [int(d) for d in (cx.a("kernel_shape") or _known(w.shape[2:]))]
    before, after = _spatial(cx, x, kernel)
    if before != after:
        x, before = _pad_spatial(x, before, after, 0.0), [0] * n
    fn = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[n]
    b = cx.x(2) if cx.has(2) else None
    out = fn(
        x,
        w,
        b,
        stride=tuple(cx.a("strides") or [1] * n),
        padding=tuple(before),
        dilation=tuple(cx.a("dilations") or [1] * n),
        groups=int(cx.a("group", 1)),
    )
    return [out]


@converts("ConvTranspose")
def _conv_transpose(cx: NodeContext) -> list[Value]:
    x, w = cx.x(0), cx.x(1)
    if x.ndim != 4 or cx.a("output_shape") or (cx.a("auto_pad", "NOTSET") or "NOTSET") != "NOTSET":
        raise Unsupported("only 2-d ConvTranspose with explicit pads")
    pads = list(cx.a("pads") or [0] * 4)
    if pads[:2] != pads[2:]:
        raise Unsupported("asymmetric pads")
    out = F.conv_transpose2d(
        x,
        w,
        cx.x(2) if cx.has(2) else None,
        stride=tuple(cx.a("strides") or [1, 1]),
        padding=tuple(pads[:2]),
        output_padding=tuple(cx.a("output_padding") or [0, 0]),
        groups=int(cx.a("group", 1)),
        dilation=tuple(cx.a("dilations") or [1, 1]),
    )
    return [out]


@converts("MaxPool")
def _maxpool(cx: NodeContext) -> list[Value]:
    x = cx.x(0)
    if cx.n_outputs > 1 and cx.node.output[1]:
        raise Unsupported("MaxPool indices output")
    n = x.ndim - 2
    if n not in (1, 2, 3) or x.dtype.kind != "f":
        raise Unsupported(f"{n}-d or integer max pooling")
    kernel = [int(k) for k in cx.a("kernel_shape")]
    before, after = _spatial(cx, x, kernel)
    ceil = bool(cx.a("ceil_mode", 0))
    if before != after:
        if ceil:
            raise Unsupported("asymmetric pads with ceil_mode")
        x, before = _pad_spatial(x, before, after, float("-inf")), [0] * n
    strides = tuple(cx.a("strides") or [1] * n)
    dil = tuple(cx.a("dilations") or [1] * n)
    if any(2 * p > k for p, k in zip(before, kernel, strict=True)):
        raise Unsupported("padding over half the kernel")
    if n == 2:
        return [F.max_pool2d(x, tuple(kernel), strides, tuple(before), dil, ceil)]
    if n == 1:
        return [F.max_pool1d(x, kernel[0], strides[0], before[0], dil[0], ceil)]
    if any(d != 1 for d in dil):
        raise Unsupported("dilated 3-d pooling")
    return [F.max_pool3d(x, tuple(kernel), strides, tuple(before), ceil_mode=ceil)]


@converts("AveragePool")
def _avgpool(cx: NodeContext) -> list[Value]:
    x = cx.x(0)
    n = x.ndim - 2
    if n not in (1, 2, 3) or any(d != 1 for d in (cx.a("dilations") or [])):
        raise Unsupported("dilated or unusual average pooling")
    kernel = tuple(int(k) for k in cx.a("kernel_shape"))
    before, after = _spatial(cx, x, kernel)
    if before != after or any(2 * p > k for p, k in zip(before, kernel, strict=True)):
        raise Unsupported("asymmetric or large pads")
    strides = tuple(cx.a("strides") or [1] * n)
    ceil, cip = bool(cx.a("ceil_mode", 0)), bool(cx.a("count_include_pad", 0))
    fn = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}[n]
    if n == 1:
        return [fn(x, kernel[0], strides[0], before[0], ceil, cip)]
    return [fn(x, kernel, strides, tuple(before), ceil, cip)]


@converts("GlobalAveragePool", "GlobalMaxPool")
def _global_pool(cx: NodeContext) -> list[Value]:
    e, x = _engine(), cx.x(0)
    axes = tuple(range(2, x.ndim))
    fn = e.mean if cx.node.op_type == "GlobalAveragePool" else e.amax
    return [fn(x, axes, True)]


def _channel(v: Value, rank: int) -> Value:
    """A per-channel vector shaped (1, C, 1, …) to broadcast over an (N, C, …) input."""
    return _apply("reshape", v, shape=(1, -1, *([1] * (rank - 2))))


@converts("BatchNormalization")
def _batchnorm(cx: NodeContext) -> list[Value]:
    e, x = _engine(), _floaty(cx)
    if cx.a("training_mode", 0) or (cx.n_outputs > 1 and any(cx.node.output[1:])):
        raise Unsupported("training-mode batch norm")
    r = x.ndim
    scale, bias, mean, var = (_channel(cx.x(i), r) for i in (1, 2, 3, 4))
    eps = cx.const(float(cx.a("epsilon", 1e-5)), var.dtype)
    return [(x - mean) / e.sqrt(var + eps) * scale + bias]


@converts("InstanceNormalization")
def _instancenorm(cx: NodeContext) -> list[Value]:
    e, x = _engine(), _floaty(cx)
    axes = tuple(range(2, x.ndim))
    m = e.mean(x, axes, True)
    d = x - m
    v = e.mean(d * d, axes, True)
    eps = cx.const(float(cx.a("epsilon", 1e-5)), x.dtype)
    return [d / e.sqrt(v + eps) * _channel(cx.x(1), x.ndim) + _channel(cx.x(2), x.ndim)]


@converts("LayerNormalization")
def _layernorm(cx: NodeContext) -> list[Value]:
    e, x = _engine(), _floaty(cx)
    extra = cx.n_outputs > 1 and any(cx.node.output[1:])
    if extra and x.dtype != np.float32:
        raise Unsupported("mean/inv-std outputs of a non-float32 input (stash_type)")
    axis = int(cx.a("axis", -1)) % x.ndim
    axes = tuple(range(axis, x.ndim))
    m = e.mean(x, axes, True)
    d = x - m
    v = e.mean(d * d, axes, True)
    eps = cx.const(float(cx.a("epsilon", 1e-5)), x.dtype)
    inv = e.rsqrt(v + eps)
    out = d * inv * cx.x(1)
    out = out + cx.x(2) if cx.has(2) else out
    return [out, m, inv][: max(1, cx.n_outputs)]


@converts("Softmax", "LogSoftmax")
def _softmax(cx: NodeContext) -> list[Value]:
    x = _floaty(cx)
    if cx.opset < 13:
        raise Unsupported("pre-13 softmax (converted by the version converter)")
    axis = int(cx.a("axis", -1))
    fn = F.softmax if cx.node.op_type == "Softmax" else F.log_softmax
    return [fn(x, axis)]


_register_simple()
_register_variadic()
