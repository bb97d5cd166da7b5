"""Algebraic simplification: x*1, x+0, x-0, x/1, -(-x), double transpose, reshape chains."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...node import Node
from ...ops._rules import broadcast_shapes
from ...ops.elementwise import NEG
from ...ops.reduction import SUM
from ...ops.shape import EXPAND, RESHAPE, TRANSPOSE
from ..ir import Graph, Value, concrete
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


BROADCASTING = frozenset({"add", "sub", "mul", "div", "maximum", "minimum", "pow", "where"})


def _drop_expands(ins: tuple[Any, ...], out: Value) -> tuple[Any, ...] | None:
    """Inputs with explicit expand nodes bypassed where broadcasting gives the same shape."""
    new = list(ins)
    changed = False
    for k, x in enumerate(ins):
        if isinstance(x, Value) and x.node is not None and x.node.op is EXPAND:
            src = x.node.inputs[0]
            if not isinstance(src, Value):
                continue
            trial = [*new[:k], src, *new[k + 1 :]]
            shapes = [concrete(y.shape) for y in trial if isinstance(y, Value)]
            try:
                if broadcast_shapes(*shapes) == concrete(out.shape):
                    new, changed = trial, True
            except ValueError:
                continue
    return tuple(new) if changed else None


def simplify(g: Graph) -> Graph:
    """A copy of g with identities removed, needless expands bypassed, chains collapsed."""

    def rule(r: Rewriter, node: Node) -> Any:
        name = node.op.name
        ins = tuple(r.get(x) for x in node.inputs)
        out = g.out[node]
        if name in BROADCASTING:
            dropped = _drop_expands(ins, out)
            if dropped is not None:
                ins = dropped
                if name not in ("add", "sub", "mul", "div"):
                    return r.emit(node, inputs=ins)
        if name in ("mul", "add", "sub", "div"):
            a, b = ins
            unit = 1.0 if name in ("mul", "div") else 0.0
            if _is_const(b, unit) and _keeps_type(a, out):
                return a
            if name in ("mul", "add") and _is_const(a, unit) and _keeps_type(b, out):
                return b
        if name == "neg" and isinstance(ins[0], Value):
            src = ins[0].node
            if src is not None and src.op is NEG and _keeps_type(src.inputs[0], out):
                return src.inputs[0]
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
            if src is not None and src.op is SUM and src.params.get("keepdims"):
                flat = dict(src.params, keepdims=False)
                if SUM.infer((src.inputs[0].spec,), **flat).shape == out.shape:
                    return r.emit(node, op=SUM, params=flat, inputs=(src.inputs[0],))
            if src is not None and src.op is RESHAPE and isinstance(src.inputs[0], Value):
                base = src.inputs[0]
                if base.shape == out.shape:
                    return base
                return r.emit(node, params={"shape": tuple(out.shape)}, inputs=(base,))
        if any(a is not r.get(b) for a, b in zip(ins, node.inputs, strict=True)):
            return r.emit(node, inputs=ins)
        return None

    return Rewriter(g).run(rule).finish()
