"""Constant folding: nodes whose inputs are all constants become constants."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...node import Node
from ..graph_ops import mutates
from ..ir import Graph, Value
from ..rewrite import Rewriter
from .util import RANDOM_OPS

MAX_FOLD_BYTES = 1 << 24


def fold_constants(g: Graph) -> Graph:
    """A copy of g with constant subgraphs evaluated once at compile time."""

    def rule(r: Rewriter, node: Node) -> Any:
        if node.op.name in RANDOM_OPS or mutates(node.op):
            return None
        ins = tuple(r.get(x) for x in node.inputs)
        if not all(not isinstance(x, Value) or x.kind == "constant" for x in ins):
            return None
        out = g.out[node]
        if (
            out.dtype.itemsize * int(np.prod([d if isinstance(d, int) else 0 for d in out.shape]))
            > MAX_FOLD_BYTES
        ):
            return None
        xp = out.device.xp
        arrays = [x.value if isinstance(x, Value) else x for x in ins]
        res = xp.asarray(node.op.forward(xp, *arrays, **node.params), dtype=out.dtype)
        return r.constant(res, node.name or node.op.name)

    return Rewriter(g).run(rule).finish()
