"""Nodes, wires and groups as JSON records (fragments, files) and back, checked on the way in.

A record is the editable part of a node (no inferred ports or state): id, name, kind, op,
params, group, position, and for traced graphs phase, forward_of and literal inputs.
"""

from __future__ import annotations

import math
from typing import Any

from .errors import EditError
from .model import MAX_NAME, NODE_KINDS, PHASES, Document, EdgeRec, GroupRec, NodeRec
from .params import HELD, leaf_array_key, leaf_params, op_def, op_params, to_json


def position(value: Any) -> tuple[float, float]:
    """A {x, y} position of finite numbers."""
    if not isinstance(value, dict) or set(value) - {"x", "y"}:
        raise EditError("a position is {x: number, y: number}")
    x, y = value.get("x", 0.0), value.get("y", 0.0)
    for v in (x, y):
        if type(v) not in (int, float) or not math.isfinite(v) or abs(v) > 1e9:
            raise EditError(f"a position's x and y are finite numbers, not {str(v)[:40]!r}")
    return float(x), float(y)


def check_name(name: Any, what: str = "a node's name") -> str:
    if not isinstance(name, str) or not name or len(name) > MAX_NAME:
        raise EditError(f"{what} is a non-empty string of at most {MAX_NAME} characters")
    return name


def node_fields(node: NodeRec) -> dict[str, Any]:
    """The fields of a node that a file, a fragment and the browser's document all carry."""
    return {
        "id": node.id,
        "name": node.name,
        "kind": node.kind,
        "op": node.op,
        "params": {k: to_json(v) for k, v in node.params.items()},
        "group": node.group,
        "position": {"x": node.x, "y": node.y},
        "phase": node.phase,
    }


def held_array_ref(doc: Document, node: NodeRec) -> dict[str, Any]:
    """{"array": key} naming the content of the array a variable or constant holds (what the
    browser's document and a copy of the node refer to), else {}. A variable made by an
    initialiser has one once it has values (a run initialised it, training changed them), so
    a copy keeps them instead of initialising afresh."""
    if not has_values(node) or node.id not in doc.arrays:
        return {}
    return {"array": leaf_array_key(doc.arrays[node.id], doc.stamps.get(node.id, 0))}


def node_record(doc: Document, node: NodeRec) -> dict[str, Any]:
    """A node as JSON (what a fragment or a file holds)."""
    rec = {**node_fields(node), "seq": node.seq}
    if node.forward_of is not None:
        rec["forward_of"] = node.forward_of
    if node.no_grad:
        rec["no_grad"] = True
    if node.requires_grad:
        rec["requires_grad"] = True
    if node.literals:
        rec["literals"] = {str(k): to_json(v) for k, v in node.literals.items()}
    return rec


def node_from_record(rec: Any) -> NodeRec:
    """A NodeRec from a record, params checked (a held leaf's array is the caller's to find)."""
    if not isinstance(rec, dict):
        raise EditError("a node record is an object")
    kind = rec.get("kind")
    raw = rec.get("params", {})
    held = isinstance(raw, dict) and (
        (kind == "variable" and raw.get("init") == HELD)
        or (kind == "constant" and "value" not in raw)
    )
    if kind not in NODE_KINDS:
        raise EditError(f"node kind must be one of {', '.join(NODE_KINDS)}, not {str(kind)[:40]!r}")
    if kind == "op":
        op = op_def(rec.get("op"))
        params = op_params(op, rec.get("params", {}))
        op_name: str | None = op.name
    else:
        params = leaf_params(kind, raw, held)
        op_name = None
    x, y = position(rec.get("position", {"x": 0.0, "y": 0.0}))
    phase = rec.get("phase", "forward")
    if phase not in PHASES:
        raise EditError(f"phase must be one of {', '.join(PHASES)}")
    literals = rec.get("literals", {})
    if not isinstance(literals, dict) or any(
        not k.isdigit() or type(v) not in (int, float, bool) for k, v in literals.items()
    ):
        raise EditError("literals map port numbers to numbers")
    seq = rec.get("seq", -1)
    if type(seq) is not int or not -1 <= seq < 2**53:
        raise EditError("seq is an int >= 0")
    fwd = rec.get("forward_of")
    if fwd is not None and not isinstance(fwd, str):
        raise EditError("forward_of is a node id")
    no_grad = rec.get("no_grad", False)
    forced = rec.get("requires_grad", False)
    if type(no_grad) is not bool or type(forced) is not bool:
        raise EditError("no_grad and requires_grad are true or false")
    group = rec.get("group")
    if group is not None and not isinstance(group, str):
        raise EditError("a node's group is a group id or null")
    return NodeRec(
        id=rec.get("id", ""),
        name=check_name(rec.get("name", op_name or kind)),
        kind=kind,
        op=op_name,
        params=params,
        group=group,
        x=x,
        y=y,
        phase=phase,
        forward_of=fwd,
        literals={int(k): v for k, v in literals.items()},
        no_grad=no_grad,
        requires_grad=forced,
        seq=seq,
    )


def is_held(node: NodeRec) -> bool:
    """The node's value is an array the kernel holds (not made from its params)."""
    return (node.kind == "variable" and node.params.get("init") == HELD) or (
        node.kind == "constant" and "value" not in node.params
    )


def has_values(node: NodeRec) -> bool:
    """The node's value is an array the kernel may hold: a held leaf's, or a variable's made
    by its initialiser (held from its first run on)."""
    return node.kind == "variable" or is_held(node)


def edge_record(edge: EdgeRec) -> dict[str, Any]:
    return {
        "id": edge.id,
        "source": edge.source,
        "source_port": edge.source_port,
        "target": edge.target,
        "target_port": edge.target_port,
    }


def group_record(group: GroupRec) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "type": group.type,
        "parent": group.parent,
        "collapsed": group.collapsed,
    }
