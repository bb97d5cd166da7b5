"""Algebraic simplification: x*1, x+0, x-0, x/1, double transpose, reshape chains."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...node import Node
from ...ops.shape import RESHAPE, TRANSPOSE
from ..ir import Graph, Value
from ..rewrite import Rewriter


def _is_const(x: Any, c: float) -> bool:
    """x is the literal c, or a constant array whose elements all equal c."""
    if isinstance(x, Value):
        return (
            x.kind == "constant"
            and x.value is not None
            and x.value.size > 0
            and bool(np.all(np.asarray(x.value) == c))
        )
    return type(x) in (int, float) and x == c


def _keeps_type(x: Any, out: Value) -> bool:
    return isinstance(x, Value) and x.shape == out.shape and x.dtype == out.dtype


def simplify(g: Graph) -> Graph:
    """A copy of g with identities removed and transpose/reshape chains collapsed."""

    def rule(r: Rewriter, node: Node) -> Any:
        name = node.op.name
        ins = tuple(r.get(x) for x in node.inputs)
        out = g.out[node]
        if name in ("mul", "add", "sub", "div"):
            a, b = ins
            unit = 1.0 if name in ("mul", "div") else 0.0
            if _is_const(b, unit) and _keeps_type(a, out):
                return a
            if name in ("mul", "add") and _is_const(a, unit) and _keeps_type(b, out):
                return b
        if name == "transpose" and isinstance(ins[0], Value):
            axes = tuple(a % max(len(out.shape), 1) for a in node.params["axes"])
            if axes == tuple(range(len(axes))):
                return ins[0]
            src = ins[0].node
            if src is not None and src.op is TRANSPOSE and isinstance(src.inputs[0], Value):
                inner = tuple(a % len(axes) for a in src.params["axes"])
                comp = tuple(inner[a] for a in axes)
                if comp == tuple(range(len(comp))):
                    return src.inputs[0]
                return r.emit(node, params={"axes": comp}, inputs=(src.inputs[0],))
        if name == "reshape" and isinstance(ins[0], Value):
            if ins[0].shape == out.shape:
                return ins[0]
            src = ins[0].node
            if src is not None and src.op is RESHAPE and isinstance(src.inputs[0], Value):
                base = src.inputs[0]
                if base.shape == out.shape:
                    return base
                return r.emit(node, params={"shape": tuple(out.shape)}, inputs=(base,))
        return None

    return Rewriter(g).run(rule).finish()
