"""Registry op -> ONNX nodes: one emitter per op, its params converted to attributes or inputs."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..node import Node
from .errors import OnnxExportError

if TYPE_CHECKING:
    from .exporter import Exporter

Emitter = Callable[["Exporter", Node], str]
EMITTERS: dict[str, Emitter] = {}

_UNARY = {
    "neg": "Neg",
    "exp": "Exp",
    "log": "Log",
    "sqrt": "Sqrt",
    "reciprocal": "Reciprocal",
    "sin": "Sin",
    "cos": "Cos",
    "tan": "Tan",
    "tanh": "Tanh",
    "relu": "Relu",
    "abs": "Abs",
    "sign": "Sign",
    "erf": "Erf",
    "floor": "Floor",
    "ceil": "Ceil",
    "asin": "Asin",
    "acos": "Acos",
    "atan": "Atan",
    "sinh": "Sinh",
    "cosh": "Cosh",
    "asinh": "Asinh",
    "acosh": "Acosh",
    "atanh": "Atanh",
    "isnan": "IsNaN",
    "isinf": "IsInf",
    "logical_not": "Not",
    "bitwise_not": "BitwiseNot",
    "clone": "Identity",
    "stop_gradient": "Identity",
}
_ARITH = {
    "add": "Add",
    "sub": "Sub",
    "mul": "Mul",
    "div": "Div",
    "pow": "Pow",
    "maximum": "Max",
    "minimum": "Min",
    "bitwise_and": "BitwiseAnd",
    "bitwise_or": "BitwiseOr",
    "bitwise_xor": "BitwiseXor",
}
_COMPARE = {
    "eq": "Equal",
    "lt": "Less",
    "le": "LessOrEqual",
    "gt": "Greater",
    "ge": "GreaterOrEqual",
    "logical_and": "And",
    "logical_or": "Or",
    "logical_xor": "Xor",
}
_REDUCE = {"sum": "ReduceSum", "max": "ReduceMax", "min": "ReduceMin", "prod": "ReduceProd"}


def _unary(op_type: str) -> Emitter:
    return lambda ex, n: ex.emit(op_type, [ex.arg(n, 0)])


def _arith(op_type: str) -> Emitter:
    def emit(ex: Exporter, n: Node) -> str:
        dt = ex.out_dtype(n)
        return ex.emit(op_type, [ex.arg(n, i, dt) for i in range(len(n.inputs))])

    return emit


def _compare(op_type: str) -> Emitter:
    def emit(ex: Exporter, n: Node) -> str:
        dt = ex.common_dtype(n)
        return ex.emit(op_type, [ex.arg(n, i, dt) for i in range(len(n.inputs))])

    return emit


for _k, _t in _UNARY.items():
    EMITTERS[_k] = _unary(_t)
for _k, _t in _ARITH.items():
    EMITTERS[_k] = _arith(_t)
for _k, _t in _COMPARE.items():
    EMITTERS[_k] = _compare(_t)


def emits(*names: str) -> Callable[[Emitter], Emitter]:
    """Register fn as the emitter of these registry ops."""

    def deco(fn: Emitter) -> Emitter:
        for name in names:
            EMITTERS[name] = fn
        return fn

    return deco


@emits("ne")
def _ne(ex: Exporter, n: Node) -> str:
    return ex.emit("Not", [_compare("Equal")(ex, n)])


@emits("remainder", "fmod")
def _mod(ex: Exporter, n: Node) -> str:
    dt = ex.out_dtype(n)
    a, b = ex.arg(n, 0, dt), ex.arg(n, 1, dt)
    if n.op.name == "remainder" and dt.kind == "f":  # Python's sign rule: a - floor(a/b)*b
        q = ex.emit("Floor", [ex.emit("Div", [a, b])])
        return ex.emit("Sub", [a, ex.emit("Mul", [q, b])])
    return ex.emit("Mod", [a, b], fmod=int(n.op.name == "fmod"))


@emits("floor_divide")
def _floordiv(ex: Exporter, n: Node) -> str:
    dt = ex.out_dtype(n)
    if dt.kind != "f":
        raise OnnxExportError(f"node {n.name!r}: integer floor_divide has no ONNX op")
    return ex.emit("Floor", [ex.emit("Div", [ex.arg(n, 0, dt), ex.arg(n, 1, dt)])])


@emits("square")
def _square(ex: Exporter, n: Node) -> str:
    x = ex.arg(n, 0)
    return ex.emit("Mul", [x, x])


@emits("rsqrt")
def _rsqrt(ex: Exporter, n: Node) -> str:
    return ex.emit("Reciprocal", [ex.emit("Sqrt", [ex.arg(n, 0)])])


@emits("log1p", "expm1")
def _log1p(ex: Exporter, n: Node) -> str:
    dt = ex.out_dtype(n)
    one = ex.literal(1, dt)
    if n.op.name == "log1p":
        return ex.emit("Log", [ex.emit("Add", [ex.arg(n, 0), one])])
    return ex.emit("Sub", [ex.emit("Exp", [ex.arg(n, 0)]), one])


@emits("log2", "log10")
def _log_base(ex: Exporter, n: Node) -> str:
    base = 2.0 if n.op.name == "log2" else 10.0
    dt = ex.out_dtype(n)
    return ex.emit("Div", [ex.emit("Log", [ex.arg(n, 0)]), ex.literal(math.log(base), dt)])


@emits("exp2")
def _exp2(ex: Exporter, n: Node) -> str:
    dt = ex.out_dtype(n)
    return ex.emit("Pow", [ex.literal(2.0, dt), ex.arg(n, 0)])


@emits("isfinite")
def _isfinite(ex: Exporter, n: Node) -> str:
    x = ex.arg(n, 0)
    bad = ex.emit("Or", [ex.emit("IsNaN", [x]), ex.emit("IsInf", [x])])
    return ex.emit("Not", [bad])


@emits("round")
def _round(ex: Exporter, n: Node) -> str:
    if n.params.get("decimals", 0):
        raise OnnxExportError(f"node {n.name!r}: round to decimals has no ONNX op")
    return ex.emit("Round", [ex.arg(n, 0)])


@emits("leaky_relu")
def _leaky(ex: Exporter, n: Node) -> str:
    return ex.emit("LeakyRelu", [ex.arg(n, 0)], alpha=float(n.params.get("negative_slope", 0.01)))


@emits("clamp")
def _clamp(ex: Exporter, n: Node) -> str:
    dt = ex.out_dtype(n)
    lo, hi = n.params.get("min"), n.params.get("max")
    ins = [
        ex.arg(n, 0, dt),
        ex.literal(lo, dt) if lo is not None else "",
        ex.literal(hi, dt) if hi is not None else "",
    ]
    while ins[-1] == "":
        ins.pop()
    return ex.emit("Clip", ins)


@emits("where")
def _where(ex: Exporter, n: Node) -> str:
    dt = ex.out_dtype(n)
    return ex.emit("Where", [ex.arg(n, 0, np.dtype(bool)), ex.arg(n, 1, dt), ex.arg(n, 2, dt)])


@emits("cast")
def _cast(ex: Exporter, n: Node) -> str:
    from .types import elem_of

    return ex.emit("Cast", [ex.arg(n, 0)], to=elem_of(n.params["dtype"]))


@emits("reshape")
def _reshape(ex: Exporter, n: Node) -> str:
    shape = ex.literal(np.asarray(n.params["shape"], np.int64), None)
    return ex.emit("Reshape", [ex.arg(n, 0), shape])


@emits("transpose")
def _transpose(ex: Exporter, n: Node) -> str:
    return ex.emit("Transpose", [ex.arg(n, 0)], perm=[int(a) for a in n.params["axes"]])


@emits("expand")
def _expand(ex: Exporter, n: Node) -> str:
    shape = ex.literal(np.asarray(n.params["shape"], np.int64), None)
    return ex.emit("Expand", [ex.arg(n, 0), shape])


def _axes_of(axis: Any, rank: int) -> list[int]:
    if axis is None:
        return list(range(rank))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return sorted(int(a) % rank for a in axes) if rank else []


@emits("squeeze")
def _squeeze(ex: Exporter, n: Node) -> str:
    x = n.inputs[0]
    axis = n.params.get("axis")
    if axis is None:
        axes = [i for i, d in enumerate(x.shape) if d == 1]
    else:
        axes = [a for a in _axes_of(axis, len(x.shape)) if x.shape[a] == 1]
    if not axes:
        return ex.emit("Identity", [ex.arg(n, 0)])
    return ex.emit("Squeeze", [ex.arg(n, 0), ex.literal(np.asarray(axes, np.int64), None)])


@emits("unsqueeze")
def _unsqueeze(ex: Exporter, n: Node) -> str:
    axes = np.asarray([int(n.params["axis"])], np.int64)
    return ex.emit("Unsqueeze", [ex.arg(n, 0), ex.literal(axes, None)])


@emits("concatenate")
def _concat(ex: Exporter, n: Node) -> str:
    dt = ex.out_dtype(n)
    return ex.emit(
        "Concat",
        [ex.arg(n, i, dt) for i in range(len(n.inputs))],
        axis=int(n.params.get("axis", 0)),
    )


@emits("stack")
def _stack(ex: Exporter, n: Node) -> str:
    dt = ex.out_dtype(n)
    axis = int(n.params.get("axis", 0)) % len(ex.value(n).shape)
    ax = ex.literal(np.asarray([axis], np.int64), None)
    parts = [ex.emit("Unsqueeze", [ex.arg(n, i, dt), ax]) for i in range(len(n.inputs))]
    return ex.emit("Concat", parts, axis=axis)


@emits("pad")
def _pad(ex: Exporter, n: Node) -> str:
    pw = n.params["pad_width"]
    pads = [int(p[0]) for p in pw] + [int(p[1]) for p in pw]
    dt = ex.out_dtype(n)
    value = ex.literal(n.params.get("value", 0.0), dt)
    return ex.emit("Pad", [ex.arg(n, 0), ex.literal(np.asarray(pads, np.int64), None), value])


@emits("getitem")
def _getitem(ex: Exporter, n: Node) -> str:
    """Basic indexing (ints, slices, None, Ellipsis) as Slice, Squeeze and Unsqueeze."""
    index = n.params["index"]
    index = index if isinstance(index, tuple) else (index,)
    if len(n.inputs) != 1:
        return _gather_index(ex, n, index)
    x = n.inputs[0]
    rank = len(x.shape)
    used = sum(1 for i in index if i is not None and i is not Ellipsis)
    expanded: list[Any] = []
    for i in index:
        if i is Ellipsis:
            expanded.extend([slice(None)] * (rank - used))
        else:
            expanded.append(i)
    expanded.extend([slice(None)] * (rank - sum(1 for i in expanded if i is not None)))
    starts, ends, axes, steps, drop, new = [], [], [], [], [], []
    dim, out_dim = 0, 0
    for i in expanded:
        if i is None:
            new.append(out_dim)
            out_dim += 1
            continue
        if isinstance(i, slice):
            if i != slice(None):
                step = 1 if i.step is None else int(i.step)
                big = 2**62
                lo = (0 if step > 0 else -1) if i.start is None else int(i.start)
                hi = (big if step > 0 else -big) if i.stop is None else int(i.stop)
                starts.append(lo)
                ends.append(hi)
                axes.append(dim)
                steps.append(step)
            out_dim += 1
        elif isinstance(i, (int, np.integer)):
            k = int(i)
            starts.append(k)
            ends.append(k + 1 if k != -1 else 2**62)
            axes.append(dim)
            steps.append(1)
            drop.append(dim)
        else:
            raise OnnxExportError(f"node {n.name!r}: index {i!r} is not exported")
        dim += 1
    out = ex.arg(n, 0)
    if axes:
        arrs = [ex.literal(np.asarray(v, np.int64), None) for v in (starts, ends, axes, steps)]
        out = ex.emit("Slice", [out, *arrs])
    if drop:
        out = ex.emit("Squeeze", [out, ex.literal(np.asarray(drop, np.int64), None)])
    if new:
        out = ex.emit("Unsqueeze", [out, ex.literal(np.asarray(new, np.int64), None)])
    return out if out != ex.arg(n, 0) else ex.emit("Identity", [out])


def _gather_index(ex: Exporter, n: Node, index: tuple[Any, ...]) -> str:
    """x[:, …, idx] with one integer index tensor and full slices elsewhere: a Gather."""
    from ..ops.indexing import INPUT

    k = next((i for i, e in enumerate(index) if e == INPUT), -1)
    rest = [e for i, e in enumerate(index) if i != k]
    idx = n.inputs[1]
    ok = len(n.inputs) == 2 and k >= 0 and all(e == slice(None) for e in rest)
    if not ok or np.dtype(idx.dtype).kind not in "iu":
        raise OnnxExportError(
            f"node {n.name!r}: only indexing with one integer tensor (x[:, idx]) is exported"
        )
    return ex.emit("Gather", [ex.arg(n, 0), ex.arg(n, 1, np.dtype(np.int64))], axis=k)


@emits("flip")
def _flip(ex: Exporter, n: Node) -> str:
    rank = len(n.inputs[0].shape)
    axes = _axes_of(n.params["axis"], rank)
    k = len(axes)
    arrs = [
        np.full(k, -1, np.int64),
        np.full(k, -(2**62), np.int64),
        np.asarray(axes, np.int64),
        np.full(k, -1, np.int64),
    ]
    return ex.emit("Slice", [ex.arg(n, 0), *(ex.literal(a, None) for a in arrs)])


@emits("matmul")
def _matmul(ex: Exporter, n: Node) -> str:
    dt = ex.out_dtype(n)
    return ex.emit("MatMul", [ex.arg(n, 0, dt), ex.arg(n, 1, dt)])


@emits("einsum")
def _einsum(ex: Exporter, n: Node) -> str:
    dt = ex.out_dtype(n)
    ins = [ex.arg(n, i, dt) for i in range(len(n.inputs))]
    return ex.emit("Einsum", ins, equation=str(n.params["subscripts"]))


def _reduce(op_type: str) -> Emitter:
    def emit(ex: Exporter, n: Node) -> str:
        rank = len(n.inputs[0].shape)
        axes = _axes_of(n.params.get("axis"), rank)
        keep = int(bool(n.params.get("keepdims", False)))
        ins = [ex.arg(n, 0, ex.out_dtype(n))]
        if not axes:
            return ex.emit("Identity", ins)
        ins.append(ex.literal(np.asarray(axes, np.int64), None))
        return ex.emit(op_type, ins, keepdims=keep)

    return emit


for _k, _t in _REDUCE.items():
    EMITTERS[_k] = _reduce(_t)


@emits("argmax", "argmin")
def _argmax(ex: Exporter, n: Node) -> str:
    axis = n.params.get("axis")
    x = ex.arg(n, 0)
    if axis is None:
        x = ex.emit("Reshape", [x, ex.literal(np.asarray([-1], np.int64), None)])
        axis = 0
    op_type = "ArgMax" if n.op.name == "argmax" else "ArgMin"
    out = ex.emit(op_type, [x], axis=int(axis), keepdims=int(bool(n.params.get("keepdims"))))
    return ex.cast_to(out, np.dtype(np.int64), ex.out_dtype(n))


@emits("cumsum")
def _cumsum(ex: Exporter, n: Node) -> str:
    axis = ex.literal(np.asarray(int(n.params["axis"]), np.int64), None)
    return ex.emit("CumSum", [ex.arg(n, 0, ex.out_dtype(n)), axis])


def _dim_of(ex: Exporter, n: Node, k: int) -> str:
    """[x.shape[k]] (int64) as the model reads it when it runs."""
    return ex.emit("Shape", [ex.arg(n, 0)], start=k, end=k + 1)


@emits("full_dims")
def _full_dims(ex: Exporter, n: Node) -> str:
    """fill_value in a shape of sizes and x's dims read at run time: ConstantOfShape."""
    from onnx import numpy_helper

    dims = n.params.get("dims")
    if dims is None:
        shape = ex.emit("Shape", [ex.arg(n, 0)])
    else:
        parts = [
            _dim_of(ex, n, int(d[0]))
            if isinstance(d, tuple)
            else ex.literal(np.asarray([d], np.int64), None)
            for d in dims
        ]
        shape = (
            ex.emit("Concat", parts, axis=0) if parts else ex.literal(np.zeros(0, np.int64), None)
        )
    fill = np.asarray([n.params["fill_value"]], dtype=n.params["dtype"])
    return ex.emit("ConstantOfShape", [shape], value=numpy_helper.from_array(fill, "value"))


@emits("arange_dim")
def _arange_dim(ex: Exporter, n: Node) -> str:
    """0 … x.shape[axis] - 1: Range in int64 up to that dim read at run time, then cast."""
    size = _dim_of(ex, n, int(n.params["axis"]))
    limit = ex.emit("Squeeze", [size, ex.literal(np.asarray([0], np.int64), None)])
    zero, one = ex.literal(np.asarray(0, np.int64), None), ex.literal(np.asarray(1, np.int64), None)
    out = ex.emit("Range", [zero, limit, one])
    return ex.cast_to(out, np.dtype(np.int64), ex.out_dtype(n))


@emits("gather")
def _gather(ex: Exporter, n: Node) -> str:
    ind = ex.arg(n, 1, np.dtype(np.int64))
    return ex.emit("GatherElements", [ex.arg(n, 0), ind], axis=int(n.params["axis"]))


def _conv_attrs(n: Node) -> dict[str, Any]:
    p = n.params
    pad = [int(v) for v in p.get("padding", (0, 0))]
    return {
        "strides": [int(v) for v in p.get("stride", (1, 1))],
        "pads": pad + pad,
        "dilations": [int(v) for v in p.get("dilation", (1, 1))],
        "group": int(p.get("groups", 1)),
    }


@emits("conv2d")
def _conv2d(ex: Exporter, n: Node) -> str:
    w = n.inputs[1]
    attrs = _conv_attrs(n)
    return ex.emit("Conv", [ex.arg(n, 0), ex.arg(n, 1)], kernel_shape=list(w.shape[2:]), **attrs)


@emits("conv_transpose2d")
def _conv_t(ex: Exporter, n: Node) -> str:
    w = n.inputs[1]
    attrs = _conv_attrs(n)
    attrs["output_padding"] = [int(v) for v in n.params.get("output_padding", (0, 0))]
    ins = [ex.arg(n, 0), ex.arg(n, 1)]
    return ex.emit("ConvTranspose", ins, kernel_shape=list(w.shape[2:]), **attrs)


@emits("max_pool2d")
def _maxpool(ex: Exporter, n: Node) -> str:
    p = n.params
    k = [int(v) for v in p["kernel_size"]]
    stride = p.get("stride")
    pad = [int(v) for v in p.get("padding", (0, 0))]
    return ex.emit(
        "MaxPool",
        [ex.arg(n, 0)],
        kernel_shape=k,
        strides=[int(v) for v in stride] if stride else k,
        pads=pad + pad,
        dilations=[int(v) for v in p.get("dilation", (1, 1))],
        ceil_mode=int(bool(p.get("ceil_mode", False))),
    )


@emits("linear")
def _linear(ex: Exporter, n: Node) -> str:
    x, w = ex.arg(n, 0), ex.arg(n, 1)
    has_b = len(n.inputs) > 2 and n.inputs[2] is not None
    if len(n.inputs[0].shape) == 2:
        ins = [x, w, ex.arg(n, 2)] if has_b else [x, w]
        return ex.emit("Gemm", ins, transB=1)
    out = ex.emit("MatMul", [x, ex.emit("Transpose", [w], perm=[1, 0])])
    return ex.emit("Add", [out, ex.arg(n, 2)]) if has_b else out


@emits("onnx_node")
def _onnx_node(ex: Exporter, n: Node) -> str:
    """The imported ONNX node itself, its inputs renamed to this graph's values."""
    import onnx

    model = onnx.load_from_string(np.asarray(n.params["model"], np.uint8).tobytes())
    names = [i.name for i in model.graph.input]
    rename = {old: ex.arg(n, i) for i, old in enumerate(names)}
    node = onnx.NodeProto()
    node.CopyFrom(model.graph.node[0])
    node.ClearField("name")
    outs = [ex.fresh() if o else "" for o in node.output]
    del node.input[:]
    node.input.extend(rename.get(i, i) if i else "" for i in model.graph.node[0].input)
    del node.output[:]
    node.output.extend(outs)
    ex.add_node(node, model)
    return [o for o in outs if o][int(n.params["output"])]
