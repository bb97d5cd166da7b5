"""The fallback op: one ONNX node vizflow has no op for, run by onnx's ReferenceEvaluator.

Its params carry the node as a one-node ONNX model (uint8 bytes, stored in a graph file's
.npz like any array), the op type (for display), which output this vizflow node gives, and
that output's shape and dtype (from ONNX shape inference), so the graph stays typed.
Loading such a graph file runs no code: the bytes are parsed by onnx only when the node runs.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Any

import numpy as np

from ..registry import PARAM_KIND_OF_OP, OpDef, TensorSpec
from .errors import require_onnx

OP_NAME = "onnx_node"
MAX_MODEL_BYTES = 2**31
_OP_TYPE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,127}")


@lru_cache(maxsize=256)
def _evaluator(digest: str, model: bytes) -> Any:
    """A ReferenceEvaluator for the one-node model (cached: a stepped loop reuses it)."""
    onnx = require_onnx()
    from onnx.reference import ReferenceEvaluator

    return ReferenceEvaluator(onnx.load_from_string(model))


def _host(a: Any) -> Any:
    """A numpy array for the evaluator (a cupy array is copied to the host)."""
    get = getattr(a, "get", None)
    return np.asarray(a.get() if callable(get) and not isinstance(a, np.ndarray) else a)


def _forward(
    xp: Any,
    *arrays: Any,
    model: Any,
    op_type: str,
    output: int,
    out_shape: tuple[Any, ...],
    in_shapes: tuple[tuple[Any, ...], ...],
    dtype: Any,
) -> Any:
    data = np.asarray(model, dtype=np.uint8).tobytes()
    sess = _evaluator(hashlib.sha256(data).hexdigest(), data)
    feeds = {name: _host(a) for name, a in zip(sess.input_names, arrays, strict=True)}
    res = np.asarray(sess.run(None, feeds)[output])
    if res.dtype != dtype:
        res = res.astype(dtype)
    want = _rule((), out_shape=out_shape, dtype=dtype).shape
    if len(res.shape) != len(want) or any(
        isinstance(d, int) and d != r for d, r in zip(want, res.shape, strict=True)
    ):
        raise ValueError(
            f"ONNX {op_type} gave shape {res.shape}; shape inference said {want} (feed inputs "
            "with the shapes the model declares)"
        )
    return xp.asarray(res)


def _rule(
    specs: tuple[TensorSpec, ...],
    model: Any = None,
    op_type: str = "",
    output: int = 0,
    out_shape: tuple[Any, ...] = (),
    in_shapes: tuple[tuple[Any, ...], ...] = (),
    dtype: Any = None,
) -> TensorSpec:
    """out_shape with each named dim bound to the size the same name has in the inputs."""
    sizes: dict[str, int] = {}
    for named, spec in zip(in_shapes, specs, strict=False):
        for n, d in zip(named, spec.shape, strict=False):
            if isinstance(n, str) and isinstance(d, int):
                sizes.setdefault(n, d)
    shape = tuple(
        d if isinstance(d, int) else sizes.get(d) if isinstance(d, str) else None for d in out_shape
    )
    return TensorSpec(shape, np.dtype(dtype))


ONNX_NODE = OpDef(
    name=OP_NAME,
    category="foreign",  # drawn distinctly: it runs outside vizflow
    inputs=("*x",),
    forward=_forward,
    shape_rule=_rule,
    vjp=None,
    formula="z = onnx(op_type)(x…)[output]",
    grad_formula="none (runs outside vizflow)",
    doc="An ONNX node vizflow has no op for, run by onnx.reference.ReferenceEvaluator.",
    variadic=True,
    differentiable=False,
    param_names=frozenset({"model", "op_type", "output", "out_shape", "in_shapes", "dtype"}),
)

PARAM_KIND_OF_OP.update(
    {
        (OP_NAME, "model"): "onnx_model",
        (OP_NAME, "op_type"): "onnx_op_type",
        (OP_NAME, "output"): "count",
        (OP_NAME, "out_shape"): "onnx_shape",
        (OP_NAME, "in_shapes"): "onnx_shapes",
    }
)


def check_model_bytes(v: Any, path: str, ctx: Any) -> None:
    """A fallback node's model: a 1-d uint8 array (parsed by onnx only when the node runs)."""
    from ..graph.errors import GraphFormatError

    if not isinstance(v, np.ndarray) or v.dtype != np.uint8 or v.ndim != 1:
        raise GraphFormatError(path, "must be an array of uint8 (a serialized ONNX model)")
    if not 0 < v.size <= MAX_MODEL_BYTES:
        raise GraphFormatError(path, f"must hold 1 to {MAX_MODEL_BYTES} bytes, not {v.size}")


def check_op_type(v: Any, path: str, ctx: Any) -> None:
    """An ONNX op type name: letters, digits, '_' and '.', at most 128 characters."""
    from ..graph.errors import GraphFormatError

    if not isinstance(v, str) or not _OP_TYPE.fullmatch(v):
        raise GraphFormatError(path, "must be an ONNX op type (letters, digits, '_', '.')")


def check_shape(v: Any, path: str, ctx: Any) -> None:
    """An output shape: a tuple of dims, each an int >= 0, None or a short name."""
    from ..graph.errors import GraphFormatError
    from ..graph.limits import MAX_ELEMENTS, MAX_RANK

    if not isinstance(v, tuple) or len(v) > MAX_RANK:
        raise GraphFormatError(path, f"must be a shape (a tuple of at most {MAX_RANK} dims)")
    for i, d in enumerate(v):
        ok = (
            d is None
            or (type(d) is int and 0 <= d <= MAX_ELEMENTS)
            or (isinstance(d, str) and 0 < len(d) <= 64)
        )
        if not ok:
            raise GraphFormatError(
                f"{path}.tuple[{i}]", "must be a dim: an int >= 0, null or a name"
            )


def check_shapes(v: Any, path: str, ctx: Any) -> None:
    """The inputs' shapes as imported: a tuple of shapes, one per input."""
    from ..graph.errors import GraphFormatError

    if not isinstance(v, tuple) or len(v) != ctx.n_inputs:
        raise GraphFormatError(path, "must be a tuple of shapes, one per input")
    for i, s in enumerate(v):
        check_shape(s, f"{path}.tuple[{i}]", ctx)


PARAM_CHECKS = {
    "onnx_shapes": check_shapes,
    "onnx_model": check_model_bytes,
    "onnx_op_type": check_op_type,
    "onnx_shape": check_shape,
}
"""Param kinds of the fallback op, merged into graph/param_check.py's KINDS."""
