"""Kernels for the executor: direct ufunc/matmul calls with out= where numpy allows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...node import Node
from ..ir import Graph, Value
from ..op_sets import BOOL_OUT, REDUCE_OUT, UFUNC_NAMES


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


def call_expr(node: Node, fn: str, args: list[str], out: str | None) -> str:
    """Python source calling an out=-capable kernel named fn on arg expressions."""
    name = node.op.name
    o = f", out={out}" if out else ""
    if name == "relu":
        return f"{fn}({args[0]}, 0{o})"
    if name in REDUCE_OUT:
        axis = node.params.get("axis")
        keep = node.params.get("keepdims", False)
        return f"{fn}({args[0]}, axis={axis!r}, keepdims={keep!r}{o})"
    return f"{fn}({', '.join(args)}{o})"


def view_expr(node: Node, out: Value) -> str | None:
    """An inline expression for a view op on input {0} (no kernel call), or None."""
    name = node.op.name
    shape = tuple(out.shape)
    if name == "stop_gradient":
        return "{0}"
    if name == "transpose":
        axes = tuple(a % max(len(shape), 1) for a in node.params["axes"])
        if axes == tuple(range(len(axes) - 1, -1, -1)):
            return "{0}.T"
        return f"{{0}}.transpose({axes!r})"
    if name in ("reshape", "squeeze", "unsqueeze") and all(isinstance(d, int) for d in shape):
        return f"{{0}}.reshape({shape!r})"
    if name == "expand" and all(isinstance(d, int) for d in shape):
        return f"broadcast_to({{0}}, {shape!r})"
    return None
