"""Common-subexpression elimination: one node for equal (op, params, inputs)."""

from __future__ import annotations

from typing import Any

from ...node import Node
from ..graph_ops import mutates
from ..ir import Graph, Value
from ..rewrite import Rewriter
from .util import RANDOM_OPS, params_key


def cse(g: Graph) -> Graph:
    """A copy of g where repeated computations are computed once."""
    seen: dict[Any, Value] = {}

    def rule(r: Rewriter, node: Node) -> Any:
        if node.op.name in RANDOM_OPS or mutates(node.op):
            return None
        ins = tuple(r.get(x) for x in node.inputs)
        key = (
            node.op.name,
            params_key(node.params),
            tuple(
                ("v", x.uid) if isinstance(x, Value) else ("l", type(x).__name__, x) for x in ins
            ),
        )
        hit = seen.get(key)
        if hit is not None:
            return hit
        v = r.emit(node)
        seen[key] = v
        return v

    return Rewriter(g).run(rule).finish()
