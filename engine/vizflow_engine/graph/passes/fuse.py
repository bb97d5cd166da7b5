"""Elementwise fusion: chains of same-shaped elementwise ops become one `fused` node."""

from __future__ import annotations

from typing import Any

from ...node import Node
from ..graph_ops import FUSED
from ..ir import Graph, Value
from ..op_sets import FUSIBLE
from ..rewrite import Rewriter


def _fusible(g: Graph, n: Node) -> bool:
    out = g.out[n]
    return (
        out.shape != ()
        and n.op.name in FUSIBLE
        and out.dtype.kind == "f"
        and all(not isinstance(x, Value) or x.dtype == out.dtype for x in n.inputs)
    )


def fuse_elementwise(g: Graph) -> Graph:
    """A copy of g where each linear chain of fusible ops (one consumer each) is one node.

    Each step reads the previous step's result at most once plus outside inputs, so the
    executor can run the whole chain in a single buffer.
    """
    users = g.consumers()
    pinned = {v.uid for v in g.outputs} | {new.uid for _, new in g.updates}
    chain_next: dict[Node, Node] = {}
    taken: set[Node] = set()
    for n in g.nodes:
        if not _fusible(g, n):
            continue
        out = g.out[n]
        us = users.get(out.uid, [])
        if len(us) != 1 or out.uid in pinned:
            continue
        m = us[0]
        if (
            _fusible(g, m)
            and g.out[m].shape == out.shape
            and sum(1 for x in m.inputs if isinstance(x, Value) and x.uid == out.uid) == 1
        ) and m not in taken:  # m continues one chain only
            chain_next[n] = m
            taken.add(m)
    heads = [n for n in g.nodes if n in chain_next and n not in chain_next.values()]
    chains: dict[Node, list[Node]] = {}
    member: dict[Node, Node] = {}
    for h in heads:
        c = [h]
        while c[-1] in chain_next:
            c.append(chain_next[c[-1]])
        if len(c) >= 2:
            chains[c[-1]] = c
            for m in c:
                member[m] = c[-1]

    def rule(r: Rewriter, node: Node) -> Any:
        tail = member.get(node)
        if tail is None:
            return None
        if node is not tail:
            return 0.0  # interior of a chain: computed inside the fused node
        chain = chains[tail]
        ext: list[Any] = []
        ext_idx: dict[int, int] = {}
        program = []
        prev: Value | None = None
        for j, m in enumerate(chain):
            refs: list[Any] = []
            for x in m.inputs:
                if isinstance(x, Value) and prev is not None and x.uid == prev.uid:
                    refs.append(("tmp", j - 1))
                elif isinstance(x, Value):
                    nx = r.get(x)
                    if nx.uid not in ext_idx:
                        ext_idx[nx.uid] = len(ext)
                        ext.append(nx)
                    refs.append(("in", ext_idx[nx.uid]))
                else:
                    refs.append(x)
            program.append((m.op.name, tuple(sorted(m.params.items())), tuple(refs)))
            prev = g.out[m]
        return r.emit(tail, op=FUSED, params={"program": tuple(program)}, inputs=tuple(ext))

    return Rewriter(g).run(rule).finish()
