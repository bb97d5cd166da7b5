"""The editable graph: nodes, wires, groups, outputs and updates, held as plain records.

A Document is what the editor edits; it may be incomplete (a free input port, a missing
param), which a vf.Graph cannot be. Ids are short strings the kernel chooses ('n3', 'e7',
'g2'); names are the graph's value names (unique among nodes). Params are engine values
(tuples, numpy dtypes), converted to JSON only at the edges (params.py).
"""

from __future__ import annotations

import heapq
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import EditError

NODE_KINDS = ("op", "placeholder", "variable", "constant")
PHASES = ("forward", "backward", "update")
ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
MAX_NAME = 4096


@dataclass(slots=True)
class NodeRec:
    """One node: an op application or a leaf (placeholder, variable, constant)."""

    id: str
    name: str
    kind: str
    op: str | None
    params: dict[str, Any]
    group: str | None = None
    x: float = 0.0
    y: float = 0.0
    phase: str = "forward"
    forward_of: str | None = None  # a backward node's forward node id
    literals: dict[int, Any] = field(default_factory=dict)  # port -> a Python number input
    no_grad: bool = False  # made with gradient recording off (a traced step's backward)
    requires_grad: bool = False  # output marked as needing grad where the op rule says not
    seq: int = -1  # creation order (kept through delete and undo): orders nodes everywhere


@dataclass(slots=True)
class EdgeRec:
    """A wire from source's output to target's input `target_port`."""

    id: str
    source: str
    source_port: int
    target: str
    target_port: int


@dataclass(slots=True)
class GroupRec:
    """A named scope; `type` is 'scope' or the vf.nn layer class it was made from."""

    id: str
    name: str
    type: str = "scope"
    parent: str | None = None
    collapsed: bool = False


@dataclass
class Document:
    """The editable graph and the arrays of its variables and constants (by node id)."""

    name: str = "graph"
    nodes: dict[str, NodeRec] = field(default_factory=dict)
    edges: dict[str, EdgeRec] = field(default_factory=dict)
    groups: dict[str, GroupRec] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    updates: list[tuple[str, str]] = field(default_factory=list)  # (variable id, value id)
    arrays: dict[str, Any] = field(default_factory=dict)  # node id -> ndarray or live Tensor
    # arrays of deleted or re-shaped variables, so an undo gives the same values back
    kept: dict[tuple[str, str], Any] = field(default_factory=dict)
    next_seq: int = 0
    stamps: dict[str, int] = field(default_factory=dict)  # node id -> array writes so far
    version: int = 0
    _counter: Any = field(default_factory=lambda: itertools.count(1), repr=False)

    # ---- ids and names ---------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        """An id not used by any node, edge or group."""
        while True:
            candidate = f"{prefix}{next(self._counter)}"
            if not self.id_used(candidate):
                return candidate

    def id_used(self, ident: str) -> bool:
        return ident in self.nodes or ident in self.edges or ident in self.groups

    def claim_id(self, proposed: Any, prefix: str) -> str:
        """The proposed id when well-formed and free, a fresh one when None."""
        if proposed is None:
            return self.new_id(prefix)
        if not isinstance(proposed, str) or not ID_PATTERN.fullmatch(proposed):
            raise EditError(f"id {str(proposed)[:70]!r} is not 1-64 letters, digits or _.:-")
        if self.id_used(proposed):
            raise EditError(f"id {proposed!r} is already in use")
        return proposed

    def name_taken(self, name: str, but: str | None = None) -> bool:
        return any(n.name == name and n.id != but for n in self.nodes.values())

    def unique_name(self, base: str) -> str:
        """base, or base_1, base_2, … : the first not used by a node."""
        used = {n.name for n in self.nodes.values()}
        if base not in used:
            return base
        k = 1
        while f"{base}_{k}" in used:
            k += 1
        return f"{base}_{k}"

    def insert(self, node: NodeRec, seq: int | None = None) -> NodeRec:
        """Add a node, numbered after every other unless `seq` gives its old place."""
        node.seq = self.next_seq if seq is None else seq
        self.next_seq = max(self.next_seq, node.seq + 1)
        self.nodes[node.id] = node
        return node

    def ordered(self) -> list[NodeRec]:
        """The nodes in creation order."""
        return sorted(self.nodes.values(), key=lambda n: n.seq)

    def set_array(self, ident: str, value: Any) -> None:
        """Give a variable or constant a new value (its stamp marks later runs stale)."""
        self.arrays[ident] = value
        self.stamps[ident] = self.stamps.get(ident, 0) + 1

    # ---- lookups ---------------------------------------------------------------------------
    def node(self, ident: Any) -> NodeRec:
        rec = self.nodes.get(ident) if isinstance(ident, str) else None
        if rec is None:
            raise EditError(f"no node {str(ident)[:70]!r} in the document")
        return rec

    def group(self, ident: Any) -> GroupRec:
        rec = self.groups.get(ident) if isinstance(ident, str) else None
        if rec is None:
            raise EditError(f"no group {str(ident)[:70]!r} in the document")
        return rec

    def edge(self, ident: Any) -> EdgeRec:
        rec = self.edges.get(ident) if isinstance(ident, str) else None
        if rec is None:
            raise EditError(f"no edge {str(ident)[:70]!r} in the document")
        return rec

    def by_name(self, name: str) -> NodeRec:
        for n in self.nodes.values():
            if n.name == name:
                return n
        raise EditError(f"no node named {name[:70]!r} in the document")

    def incoming(self) -> dict[str, dict[int, EdgeRec]]:
        """node id -> its input port -> the wire into it."""
        into: dict[str, dict[int, EdgeRec]] = {}
        for e in self.edges.values():
            into.setdefault(e.target, {})[e.target_port] = e
        return into

    def outgoing(self) -> dict[str, list[EdgeRec]]:
        """node id -> the wires leaving it."""
        out: dict[str, list[EdgeRec]] = {}
        for e in self.edges.values():
            out.setdefault(e.source, []).append(e)
        return out

    def scope_of(self, group: str | None) -> str:
        """The slash path of a group's names ('' for none)."""
        names: list[str] = []
        seen: set[str] = set()
        while group is not None and group not in seen:
            seen.add(group)
            rec = self.groups[group]
            names.append(rec.name)
            group = rec.parent
        return "/".join(reversed(names))

    def groups_within(self, group: str) -> set[str]:
        """The group and every group nested in it (iteratively)."""
        children: dict[str | None, list[str]] = {}
        for g in self.groups.values():
            children.setdefault(g.parent, []).append(g.id)
        found, todo = {group}, [group]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    def downstream(self, start: str) -> set[str]:
        """Node ids reachable from `start` along wires (itself included)."""
        out = self.outgoing()
        seen, todo = {start}, [start]
        while todo:
            for e in out.get(todo.pop(), []):
                if e.target not in seen:
                    seen.add(e.target)
                    todo.append(e.target)
        return seen

    def upstream(self, start: str) -> set[str]:
        """Node ids `start` reads from, directly or not (itself included)."""
        into = self.incoming()
        seen, todo = {start}, [start]
        while todo:
            for e in into.get(todo.pop(), {}).values():
                if e.source not in seen:
                    seen.add(e.source)
                    todo.append(e.source)
        return seen

    def topological(self) -> list[str]:
        """Node ids with every node after the ones it reads, otherwise in insertion order
        (Kahn's algorithm over a heap; a node on a cycle is left out)."""
        return self._kahn([n.id for n in self.ordered()], self.outgoing())

    def cone(self, starts: set[str]) -> tuple[list[str], set[str]]:
        """The existing `starts` and every node downstream of them (what an edit to `starts`
        can change): in topological order (a node on a cycle left out), and as a set."""
        out = self.outgoing()
        seen = {i for i in starts if i in self.nodes}
        todo = list(seen)
        while todo:
            for e in out.get(todo.pop(), []):
                if e.target not in seen:
                    seen.add(e.target)
                    todo.append(e.target)
        ids = sorted(seen, key=lambda i: self.nodes[i].seq)
        return self._kahn(ids, out), seen

    def _kahn(self, ids: list[str], out: dict[str, list[EdgeRec]]) -> list[str]:
        """`ids` (closed downstream) ordered by Kahn's algorithm, ties in the given order."""
        rank = {i: k for k, i in enumerate(ids)}
        indegree = dict.fromkeys(ids, 0)
        for i in ids:
            for e in out.get(i, []):
                indegree[e.target] += 1
        ready = [rank[i] for i, d in indegree.items() if d == 0]
        heapq.heapify(ready)
        order: list[str] = []
        while ready:
            i = ids[heapq.heappop(ready)]
            order.append(i)
            for e in out.get(i, []):
                indegree[e.target] -= 1
                if indegree[e.target] == 0:
                    heapq.heappush(ready, rank[e.target])
        return order
