"""Kernels for the executor: direct ufunc/matmul calls with out= where numpy allows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...node import Node
from ..ir import Graph, Value
from ..op_sets import BOOL_OUT, REDUCE_OUT, UFUNC_NAMES
from .source import Code, Hole, Name, Namespace, call


def out_capable(g: Graph, node: Node) -> bool:
    """True when the node can run as one xp call writing into a given buffer."""
    name = node.op.name
    out = g.out[node]
    if name == "fused":
        return all(out_capable_step(s, out) for s in node.params["program"])
    if name in REDUCE_OUT:
        return all(x.dtype == out.dtype for x in node.inputs if isinstance(x, Value))
    if name not in UFUNC_NAMES:
        return False
    if name in BOOL_OUT:
        return True
    return all(
        x.dtype == out.dtype or x.dtype.kind == "b" for x in node.inputs if isinstance(x, Value)
    )


def out_capable_step(step: Any, out: Value) -> bool:
    """A fused program step can use out= (a float ufunc on the output's dtype)."""
    return step[0] in UFUNC_NAMES and step[0] not in BOOL_OUT and step[0] != "matmul"


def generic(node: Node, out: Value, xp: Any) -> Callable[..., Any]:
    """An allocating kernel from the op's forward, fixing the dtype to the inferred one."""
    fwd = node.op.forward
    params = node.params
    dt = out.dtype
    asarray = xp.asarray

    def kernel(*arrays: Any) -> Any:
        r = fwd(xp, *arrays, **params)
        if not hasattr(r, "dtype") or r.dtype != dt or not hasattr(r, "shape"):
            r = asarray(r, dtype=dt)
        return r

    return kernel


def call_expr(node: Node, fn: Name, args: list[Code], out: Code | None, ns: Namespace) -> Code:
    """Code calling an out=-capable kernel fn on args; params are namespace objects, not text."""
    name = node.op.name
    if name == "relu":
        return call(fn, [args[0], Code(ns.bind("c", 0))], out)
    if name in REDUCE_OUT:
        axis = Code("axis=", ns.bind("c", node.params.get("axis")))
        keep = Code("keepdims=", ns.bind("c", node.params.get("keepdims", False)))
        return call(fn, [args[0], axis, keep], out)
    return call(fn, args, out)


def view_expr(node: Node, out: Value, ns: Namespace) -> Code | None:
    """Code for a view op on argument 0 (no kernel call), or None; shapes are namespace objects."""
    name = node.op.name
    shape = tuple(out.shape)
    if name == "stop_gradient":
        return Code(Hole(0))
    if name == "transpose":
        axes = tuple(a % max(len(shape), 1) for a in node.params["axes"])
        if axes == tuple(range(len(axes) - 1, -1, -1)):
            return Code(Hole(0), ".T")
        return Code(Hole(0), ".transpose(", ns.bind("c", axes), ")")
    if name in ("reshape", "squeeze", "unsqueeze") and all(isinstance(d, int) for d in shape):
        return Code(Hole(0), ".reshape(", ns.bind("c", shape), ")")
    if name == "expand" and all(isinstance(d, int) for d in shape):
        return call("broadcast_to", [Code(Hole(0)), Code(ns.bind("c", shape))])
    return None
