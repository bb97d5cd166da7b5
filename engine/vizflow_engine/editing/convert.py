"""A Document to a vf.Graph and back.

to_graph builds the graph the document describes (every node must be valid); from_graph
turns any Graph (traced, built, loaded) into a Document: scopes become groups, variables and
constants keep their arrays (a traced model's live tensors stay live), and nodes get a
layered layout. Both are iterative over the graph's order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..backend import CPU
from ..creation import zeros
from ..graph.ir import Graph, Value
from ..graph.verify import verify
from ..nn import init as nn_init
from ..registry import TensorSpec
from ..scope import scope_types
from .errors import EditError
from .infer import NodeType, infer_all
from .model import Document, EdgeRec, GroupRec, NodeRec
from .params import HELD
from .records import is_held

COLUMN = 240.0
ROW = 110.0


def initial_value(node: NodeRec) -> np.ndarray[Any, Any]:
    """A new variable's array from its shape, dtype and vf.nn.init initialiser."""
    t = zeros(*node.params["shape"], dtype=node.params["dtype"])
    getattr(nn_init, node.params["init"] + "_")(t)
    return np.asarray(t.array)


def sinks(doc: Document) -> list[str]:
    """The op nodes nobody reads, in document order (the outputs when none are set)."""
    read = {e.source for e in doc.edges.values()}
    return [i for i, n in doc.nodes.items() if n.kind == "op" and i not in read]


def to_graph(
    doc: Document, keep: set[str] | None = None, types: dict[str, NodeType] | None = None
) -> tuple[Graph, dict[str, Value]]:
    """The vf.Graph of the document (`keep`: only these nodes) and each node id's Value;
    EditError naming the first node in error."""
    types = infer_all(doc) if types is None else types
    g = Graph(doc.name)
    values: dict[str, Value] = {}
    into = doc.incoming()
    nodes: dict[str, Any] = {}
    for ident in doc.topological():
        if keep is not None and ident not in keep:
            continue
        node, t = doc.nodes[ident], types[ident]
        if t.error is not None:
            raise EditError(f"node {node.name!r}: {t.error}")
        if node.kind == "op":
            values[ident] = _op_value(doc, g, node, t, into.get(ident, {}), values, nodes)
            nodes[ident] = g.nodes[-1]
        else:
            values[ident] = _leaf_value(doc, g, node)
    wanted = doc.outputs or sinks(doc)
    g.outputs = [values[i] for i in wanted if i in values]
    g.updates = [(values[a], values[b]) for a, b in doc.updates if a in values and b in values]
    return verify(g), values


def _leaf_value(doc: Document, g: Graph, node: NodeRec) -> Value:
    p = node.params
    if node.kind == "placeholder":
        return g.placeholder(node.name, p["shape"], p["dtype"])
    if node.kind == "constant":
        held = doc.arrays[node.id] if is_held(node) else np.asarray(p["value"], p["dtype"])
        return g.constant(held, node.name)
    if node.id not in doc.arrays:
        doc.arrays[node.id] = initial_value(node)
    v = g.variable(node.name, doc.arrays[node.id], p["requires_grad"])
    return v


def _op_value(
    doc: Document,
    g: Graph,
    node: NodeRec,
    t: NodeType,
    wired: dict[int, Any],
    values: dict[str, Value],
    nodes: dict[str, Any],
) -> Value:
    from .params import op_def

    op = op_def(node.op)
    count = max([*wired, *node.literals], default=-1) + 1
    ins = tuple(values[wired[k].source] if k in wired else node.literals[k] for k in range(count))
    device = next((x.device for x in ins if isinstance(x, Value)), CPU)
    spec = TensorSpec(t.shape, t.dtype)  # type: ignore[arg-type]  # named dims kept
    fwd = nodes.get(node.forward_of) if node.forward_of is not None else None
    v = g.add_node(
        op,
        dict(node.params),
        ins,
        spec,
        device,
        node.name,
        doc.scope_of(node.group),
        node.phase,
        fwd,
    )
    v.requires_grad = node.requires_grad or (not node.no_grad and records_grad(op, t.dtype, ins))
    return v


def records_grad(op: Any, dtype: Any, ins: tuple[Any, ...]) -> bool:
    """Whether Graph.apply would mark an output as needing grad (with recording on)."""
    return (
        op.differentiable
        and np.dtype(dtype).kind == "f"
        and any(isinstance(x, Value) and x.requires_grad for x in ins)
    )


# ---- Graph -> Document ---------------------------------------------------------------------------
def from_graph(g: Graph) -> Document:
    """A Document of graph g: names, params, scopes (as groups), phases and arrays kept."""
    doc = Document(name=g.name)
    ids: dict[int, str] = {}  # value uid -> node id
    level: dict[str, int] = {}
    for v in [*g.inputs, *g.variables, *g.constants]:
        ids[v.uid] = _add_leaf(doc, v)
        level[ids[v.uid]] = 0
    node_ids: dict[Any, str] = {}
    scopes: dict[str, str | None] = {"": None}
    types = scope_types(n.scope for n in g.nodes)  # the module class owning each scope path
    for n in g.nodes:
        out = g.out[n]
        ident = doc.new_id("n")
        ids[out.uid] = node_ids[n] = ident
        literals = {k: x for k, x in enumerate(n.inputs) if not isinstance(x, Value)}
        doc.insert(
            NodeRec(
                ident,
                out.name,
                "op",
                n.op.name,
                dict(n.params),
                _group_of(doc, n.scope, scopes, types),
                phase=n.phase,
                forward_of=node_ids.get(n.forward_of),
                literals=literals,
                no_grad=records_grad(n.op, out.dtype, n.inputs) and not out.requires_grad,
                requires_grad=out.requires_grad and not records_grad(n.op, out.dtype, n.inputs),
            )
        )
        depth = 0
        for k, x in enumerate(n.inputs):
            if isinstance(x, Value):
                src = ids[x.uid]
                eid = doc.new_id("e")
                doc.edges[eid] = EdgeRec(eid, src, 0, ident, k)
                depth = max(depth, level[src] + 1)
        level[ident] = depth
    doc.outputs = [ids[v.uid] for v in g.outputs]
    doc.updates = [(ids[a.uid], ids[b.uid]) for a, b in g.updates]
    _layout(doc, level)
    return doc


def _add_leaf(doc: Document, v: Value) -> str:
    ident = doc.new_id("n")
    if v.kind == "input":
        params: dict[str, Any] = {"shape": tuple(v.shape), "dtype": np.dtype(v.dtype)}
        doc.insert(NodeRec(ident, v.name, "placeholder", None, params))
        return ident
    held: Any = v.tensor if v.tensor is not None else v.value
    doc.arrays[ident] = held
    if v.kind == "variable":
        params = {"init": HELD, "requires_grad": bool(v.requires_grad)}
        doc.insert(NodeRec(ident, v.name, "variable", None, params))
    else:
        doc.insert(NodeRec(ident, v.name, "constant", None, {}))
    return ident


def _group_of(
    doc: Document, scope: str, scopes: dict[str, str | None], types: dict[str, str]
) -> str | None:
    """The group of a scope path, made (with its parents, typed by `types`) when new;
    `scopes` caches paths."""
    if scope in scopes:
        return scopes[scope]
    parent: str | None = None
    path = ""
    for part in scope.split("/"):
        path = f"{path}/{part}" if path else part
        found = scopes.get(path)
        if found is None:
            found = doc.new_id("g")
            doc.groups[found] = GroupRec(found, part, types.get(path, "scope"), parent)
            scopes[path] = found
        parent = found
    return parent


def _layout(doc: Document, level: dict[str, int]) -> None:
    """Columns by depth from the leaves, rows in document order."""
    rows: dict[int, int] = {}
    for ident, node in doc.nodes.items():
        col = level.get(ident, 0)
        row = rows.get(col, 0)
        rows[col] = row + 1
        node.x, node.y = col * COLUMN, row * ROW
