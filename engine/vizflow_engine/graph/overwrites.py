"""Copies that keep every read seeing the value it names, however memory is overwritten.

A Value names one version of an array. Two kinds of write can change the memory under a
version that is still to be read:

- an in-place node (an optimiser step) writes a variable, or a view of it, that a later node,
  output or update still reads in its old version. Traced code never does this, but passes
  can: `x * 1 -> x` makes one parameter's gradient the other parameter itself, read after
  the step has updated it;
- variable updates are written one after another after the run, so an update whose value
  shares memory with another updated variable would see that variable's new value.

protect_overwrites puts a `clone` of each such version before the first write that would
change it (before the in-place node; for updates, after the last node) and points the later
readers at the clone. A graph with no such read is returned as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..node import Node
from ..registry import TensorSpec
from .aliasing import alias_roots, written_inputs
from .graph_ops import lookup
from .ir import Graph, Value
from .rewrite import Rewriter


def protect_overwrites(g: Graph, can_out: Callable[[Node], bool]) -> Graph:
    """g, or a copy of g with a clone wherever a read would see a later write (see above)."""
    roots = alias_roots(g, can_out)

    def rts(v: Value) -> tuple[int, ...]:
        return roots.get(v.uid, (v.uid,))

    before = _overwritten_reads(g, rts)
    written = {var.uid for var, _ in g.updates}
    seen = {x.uid for xs in before.values() for x in xs}
    late = [
        j
        for j, (var, new) in enumerate(g.updates)
        if new.uid != var.uid and new.uid not in seen and written.intersection(rts(new))
    ]
    if not before and not late:
        return g
    rw = Rewriter(g)
    first: dict[int, Any] = {}  # a snapshotted value's own memory, for the writes into it

    def rule(r: Rewriter, node: Node) -> Any:
        snaps = before.get(node, [])
        writes = written_inputs(node)
        if not snaps and not writes:
            return None
        copies = [(x, _clone(r.g, r.get(x), node)) for x in snaps]
        ins = tuple(
            first.get(x.uid, r.get(x)) if k in writes and isinstance(x, Value) else r.get(x)
            for k, x in enumerate(node.inputs)
        )
        v = r.emit(node, inputs=ins, spec=_spec(g.out[node]))
        for x, c in copies:
            first.setdefault(x.uid, r.get(x))
            r.map[x.uid] = c
        return v

    out = rw.run(rule).finish()
    for j in late:
        var, new = out.updates[j]
        out.updates[j] = (var, _clone(out, new, None))
    return out


def _overwritten_reads(
    g: Graph, rts: Callable[[Value], tuple[int, ...]]
) -> dict[Node, list[Value]]:
    """For each in-place node, the values to copy before it runs: versions made before it,
    sharing memory it writes, and read after it (by a node, an output or an update)."""
    pos = {n: i for i, n in enumerate(g.nodes)}
    end = len(g.nodes)
    writes: dict[int, list[int]] = {}  # root uid -> positions of the nodes writing into it
    last_read: dict[int, int] = {}
    values: dict[int, Value] = {}
    for i, n in enumerate(g.nodes):
        ws = written_inputs(n)
        for k, x in enumerate(n.inputs):
            if not isinstance(x, Value):
                continue
            if k in ws:
                for r in rts(x):
                    writes.setdefault(r, []).append(i)
            else:
                last_read[x.uid] = i
                values[x.uid] = x
    for v in [*g.outputs, *(new for _, new in g.updates)]:
        last_read[v.uid] = end
        values[v.uid] = v
    before: dict[Node, list[Value]] = {}
    for uid, q in last_read.items():
        x = values[uid]
        made = pos[x.node] if x.node is not None else -1
        w = min((i for r in rts(x) for i in writes.get(r, ()) if i > made), default=None)
        if w is not None and q > w:
            before.setdefault(g.nodes[w], []).append(x)
    return before


def _clone(g: Graph, x: Value, at: Node | None) -> Value:
    """A `clone` node of x added to g: in the scope and phase of the node it runs before, or
    (at None: before the updates) in x's scope and the update phase."""
    node = x.node if at is None else at
    scope = node.scope if node is not None else ""
    phase = at.phase if at is not None else "update"
    return g.add_node(
        lookup("clone"),
        {},
        (x,),
        _spec(x),
        x.device,
        f"{x.name}_before_write",
        scope,
        phase,
    )


def _spec(v: Value) -> TensorSpec:
    """v's type as a TensorSpec (named dims kept)."""
    return TensorSpec(v.shape, v.dtype)  # type: ignore[arg-type]
