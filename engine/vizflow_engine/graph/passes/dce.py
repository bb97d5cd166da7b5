"""Dead-code elimination: drop nodes that no output or variable update needs."""

from __future__ import annotations

from typing import Any

from ...node import Node
from ..graph_ops import mutates
from ..ir import Graph, Value
from ..rewrite import Rewriter


def live_nodes(g: Graph) -> set[Node]:
    """Nodes reachable backwards from the outputs and the updates."""
    live: set[Node] = set()
    stack = [*g.outputs, *(new for _, new in g.updates)]
    stack += [g.out[n] for n in g.nodes if mutates(n.op)]  # side effects stay
    while stack:
        v = stack.pop()
        n = v.node
        if n is None or n in live:
            continue
        live.add(n)
        stack.extend(x for x in n.inputs if isinstance(x, Value))
    return live


def dce(g: Graph) -> Graph:
    """A copy of g without dead nodes and unused constants."""
    live = live_nodes(g)
    rw = Rewriter(g)

    def rule(r: Rewriter, node: Node) -> Any:
        return 0.0 if node not in live else None  # a dead node maps to a placeholder literal

    out = rw.run(rule).finish()
    used = {x.uid for n in out.nodes for x in n.inputs if isinstance(x, Value)}
    used |= {v.uid for v in out.outputs} | {new.uid for _, new in out.updates}
    out.constants = [c for c in out.constants if c.uid in used]
    return out
