"""Convert an eager tensor's recorded history (its Nodes) into a Graph for the same tools."""

from __future__ import annotations

from typing import Any

from ..node import Node
from ..tensor import Tensor
from .ir import LITERALS, Graph, Value


def from_tensor(t: Tensor, name: str = "eager") -> Graph:
    """A Graph whose output is t: recorded ops become nodes, leaf tensors live variables.

    Leaves that require grad become variables bound to the live tensor, other leaves
    constants holding their current data. Scopes, phases and source locations are kept.
    """
    g = Graph(name)
    done: dict[int, Any] = {}
    node_map: dict[Node, Node] = {}
    order: list[Tensor] = []
    seen: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(t, False)]
    while stack:
        x, expanded = stack.pop()
        if expanded:
            order.append(x)
            continue
        if id(x) in seen:
            continue
        seen.add(id(x))
        stack.append((x, True))
        if x.node is not None:
            for y in reversed(x.node.inputs):
                if isinstance(y, Tensor) and id(y) not in seen:
                    stack.append((y, False))
    for x in order:
        n = x.node
        if n is None:
            done[id(x)] = (
                g.variable(x.name or "param", x)
                if x.requires_grad
                else g.constant(x, x.name or "const")
            )
            continue
        ins = []
        for y in n.inputs:
            if isinstance(y, Tensor):
                ins.append(done[id(y)])
            elif type(y) in LITERALS:
                ins.append(y)
            else:
                ins.append(g.constant(y))
        fwd = node_map.get(n.forward_of) if n.forward_of is not None else None
        v = g.add_node(
            n.op,
            dict(n.params),
            tuple(ins),
            _spec(x),
            x.device,
            n.name or n.op.name,
            n.scope,
            n.phase,
            fwd,
            n.source,
        )
        v.requires_grad = x.requires_grad
        assert v.node is not None
        node_map[n] = v.node
        done[id(x)] = v
    out = done[id(t)]
    g.output(out if isinstance(out, Value) else g.constant(out))
    return g


def _spec(x: Tensor) -> Any:
    from ..registry import TensorSpec

    return TensorSpec(tuple(x.array.shape), x.array.dtype)
