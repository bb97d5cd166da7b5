"""Shape inference pass: recompute every value's type from the op shape rules."""

from __future__ import annotations

from typing import Any

from ...errors import ShapeError
from ...node import Node
from ..dims import infer as infer_spec
from ..errors import GraphError
from ..ir import Graph, named_spec
from ..rewrite import Rewriter


def infer_shapes(g: Graph) -> Graph:
    """A copy of g with every node's output shape/dtype re-derived (errors name the node)."""
    return _reinfer(Rewriter(g))


def specialize(g: Graph, shapes: tuple[tuple[int, ...], ...]) -> Graph:
    """A copy of g with its inputs given these concrete shapes, and everything re-inferred."""
    rw = Rewriter(g)
    for v, shp in zip(rw.g.inputs, shapes, strict=True):
        if len(v.shape) != len(shp) or any(
            isinstance(d, int) and d != s for d, s in zip(v.shape, shp, strict=True)
        ):
            raise ShapeError(
                f"input {v.name!r}", [tuple(shp)], f"expected shape {v.shape}, got {tuple(shp)}"
            )
        v.shape = tuple(shp)
    return _reinfer(rw)


def _reinfer(rw: Rewriter) -> Graph:
    def rule(r: Rewriter, node: Node) -> Any:
        ins = tuple(r.get(x) for x in node.inputs)
        try:
            spec = infer_spec(node.op, tuple(named_spec(x) for x in ins), node.params)
        except (ValueError, TypeError, IndexError) as exc:
            raise GraphError(
                node.name or node.op.name,
                f"{node.op.name}: {exc} (input shapes {[getattr(x, 'shape', ()) for x in ins]})",
            ) from None
        return r.emit(node, inputs=ins, spec=spec)

    return rw.run(rule).finish()
