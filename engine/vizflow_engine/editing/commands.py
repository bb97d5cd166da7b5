"""Edits as commands with exact inverses: a step applies all its commands or none.

Each command is a JSON object ({"cmd": "connect", ...}, EditorCommand in the protocol). Applying
one returns the commands that undo it and the command as applied (with the ids the kernel
chose), so the browser's undo sends `inverse` and its redo sends `redo`. A failing command
rolls the step back by applying the inverses gathered so far, then raises EditError naming it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import EditError
from .infer import port_count
from .layers import layer_document, merge_layer
from .model import Document, EdgeRec, GroupRec, NodeRec
from .params import (
    editable_values,
    edited_values,
    leaf_array,
    leaf_param,
    leaf_params,
    op_def,
    op_param,
    op_params,
    to_json,
)
from .records import (
    check_name,
    edge_record,
    group_record,
    is_held,
    node_from_record,
    node_record,
    position,
)

Command = dict[str, Any]
MAX_COMMANDS = 100_000


@dataclass
class Step:
    """What applying commands did: how to undo it, how to redo it, what it created."""

    inverse: list[Command] = field(default_factory=list)
    redo: list[Command] = field(default_factory=list)
    created: dict[str, list[str]] = field(
        default_factory=lambda: {"nodes": [], "edges": [], "groups": []}
    )


def apply_step(doc: Document, commands: Any) -> Step:
    """Apply commands in order as one step (the document's version goes up by one); on any
    error the document is left as it was and EditError says which command failed and why."""
    if not isinstance(commands, list) or not commands or len(commands) > MAX_COMMANDS:
        raise EditError(f"a step is a list of 1 to {MAX_COMMANDS:,} commands")
    step = Step()
    undo: list[list[Command]] = []
    for k, cmd in enumerate(commands):
        try:
            inverse, redo = apply_one(doc, cmd, step)
        except EditError as exc:
            for inverse in reversed(undo):
                for c in inverse:
                    apply_one(doc, c, Step())
            kind = cmd.get("cmd") if isinstance(cmd, dict) else None
            raise EditError(f"command {k} ({str(kind)[:40]}): {exc}") from None
        undo.append(inverse)
        step.redo.append(redo)
    step.inverse = [c for inverse in reversed(undo) for c in inverse]
    doc.version += 1
    return step


def apply_one(doc: Document, cmd: Any, step: Step) -> tuple[list[Command], Command]:
    """Apply one command; return its inverse commands and the command as applied."""
    if not isinstance(cmd, dict):
        raise EditError("a command is an object with a 'cmd' field")
    kind = cmd.get("cmd")
    handler = HANDLERS.get(kind) if isinstance(kind, str) else None
    if handler is None:
        raise EditError(
            f"unknown command {str(cmd.get('cmd'))[:40]!r}; known: {', '.join(HANDLERS)}"
        )
    return handler(doc, cmd, step)


# ---- nodes -------------------------------------------------------------------------------------
def _group_ref(doc: Document, value: Any) -> str | None:
    return None if value is None else doc.group(value).id


def _add_node(doc: Document, cmd: Command, step: Step) -> tuple[list[Command], Command]:
    kind = cmd.get("kind")
    if kind == "op":
        op = op_def(cmd.get("op"))
        params = op_params(op, cmd.get("params", {}))
        base = op.name
    elif kind in ("placeholder", "variable", "constant"):
        params = leaf_params(kind, cmd.get("params", {}))
        base = kind if kind != "placeholder" else "x"
    else:
        raise EditError(
            f"node kind must be op, placeholder, variable or constant, not {str(kind)[:40]!r}"
        )
    if "name" in cmd:
        name = check_name(cmd["name"])
        if doc.name_taken(name):
            raise EditError(f"the name {name[:70]!r} is taken")
    else:
        name = doc.unique_name(base)
    x, y = position(cmd.get("position"))
    group = _group_ref(doc, cmd.get("group"))
    ident = doc.claim_id(cmd.get("id"), "n")
    node = NodeRec(ident, name, kind, op.name if kind == "op" else None, params, group, x, y)
    doc.insert(node)
    _restore_array(doc, node)
    step.created["nodes"].append(ident)
    redo = {
        "cmd": "add_node",
        **{
            k: v
            for k, v in node_record(doc, node).items()
            if k in ("id", "name", "kind", "op", "params", "group", "position")
        },
    }
    return [{"cmd": "delete", "nodes": [ident]}], redo


def _array_key(node: NodeRec) -> tuple[str, str]:
    """Where a node's array waits while the node is deleted or its params differ."""
    return node.id, json.dumps({k: to_json(v) for k, v in node.params.items()}, sort_keys=True)


def _restore_array(doc: Document, node: NodeRec) -> None:
    kept = doc.kept.pop(_array_key(node), None)
    if kept is not None:
        doc.arrays[node.id] = kept


def _keep_array(doc: Document, node: NodeRec) -> None:
    arr = doc.arrays.pop(node.id, None)
    if arr is not None:
        doc.kept[_array_key(node)] = arr


def _set_param(doc: Document, cmd: Command, _step: Step) -> tuple[list[Command], Command]:
    node = doc.node(cmd.get("node"))
    name, value = cmd.get("param"), cmd.get("value")
    if not isinstance(name, str):
        raise EditError("set_param needs param: a param name")
    if node.kind == "constant" and is_held(node) and name == "value":
        return _set_held_values(doc, node, value)
    if node.kind == "op":
        native = op_param(op_def(node.op), name, value)
    else:
        native = leaf_param(node.kind, name, value, held=is_held(node))
    inverse: Command = (
        {"cmd": "set_param", "node": node.id, "param": name, "value": to_json(node.params[name])}
        if name in node.params
        else {"cmd": "unset_param", "node": node.id, "param": name}
    )
    variable = node.kind == "variable" and not is_held(node)
    if variable:  # its value waits under the old params, should an undo bring them back
        _keep_array(doc, node)
    node.params[name] = native
    if variable:
        _restore_array(doc, node)
    return [inverse], {"cmd": "set_param", "node": node.id, "param": name, "value": to_json(native)}


def _set_held_values(doc: Document, node: NodeRec, value: Any) -> tuple[list[Command], Command]:
    """New values for a small constant holding an array (the inspector's edit): same shape and
    dtype; the step's inverse carries the old values (few: at most MAX_EDITABLE_VALUES)."""
    old = doc.arrays[node.id]
    new = edited_values(value, old, node.name)
    doc.set_array(node.id, new)

    def command(values: Any) -> Command:
        return {"cmd": "set_param", "node": node.id, "param": "value", "value": values}

    return [command(editable_values(old))], command(new.tolist())


def _unset_param(doc: Document, cmd: Command, _step: Step) -> tuple[list[Command], Command]:
    node = doc.node(cmd.get("node"))
    name = cmd.get("param")
    if node.kind != "op" or not isinstance(name, str) or name not in node.params:
        raise EditError(f"{node.name!r} has no op param {str(name)[:60]!r} set")
    old = node.params.pop(name)
    inverse = {"cmd": "set_param", "node": node.id, "param": name, "value": to_json(old)}
    return [inverse], {"cmd": "unset_param", "node": node.id, "param": name}


def _rename(doc: Document, cmd: Command, _step: Step) -> tuple[list[Command], Command]:
    node = doc.node(cmd.get("node"))
    name = check_name(cmd.get("name"))
    if doc.name_taken(name, but=node.id):
        raise EditError(f"the name {name[:70]!r} is taken")
    old, node.name = node.name, name
    return [{"cmd": "rename", "node": node.id, "name": old}], {
        "cmd": "rename",
        "node": node.id,
        "name": name,
    }


def _move(doc: Document, cmd: Command, _step: Step) -> tuple[list[Command], Command]:
    positions = cmd.get("positions")
    if not isinstance(positions, dict):
        raise EditError("move needs positions: {node id: {x, y}}")
    moves = {doc.node(i).id: position(p) for i, p in positions.items()}
    old = {i: {"x": doc.nodes[i].x, "y": doc.nodes[i].y} for i in moves}
    for i, (x, y) in moves.items():
        doc.nodes[i].x, doc.nodes[i].y = x, y
    new = {i: {"x": x, "y": y} for i, (x, y) in moves.items()}
    return [{"cmd": "move", "positions": old}], {"cmd": "move", "positions": new}


# ---- wires -------------------------------------------------------------------------------------
def _port(value: Any, what: str) -> int:
    if type(value) is not int or value < 0:
        raise EditError(f"{what} is an int >= 0")
    return value


def _connect(doc: Document, cmd: Command, step: Step) -> tuple[list[Command], Command]:
    source = doc.node(cmd.get("source"))
    target = doc.node(cmd.get("target"))
    if _port(cmd.get("source_port"), "source_port") != 0:
        raise EditError(f"{source.name!r} has one output, port 0")
    port = _port(cmd.get("target_port"), "target_port")
    if target.kind != "op":
        raise EditError(f"{target.name!r} is a {target.kind}: it has no inputs")
    wired = doc.incoming().get(target.id, {})
    op = op_def(target.op)
    n = port_count(op, target, wired)
    if port >= n:
        raise EditError(f"{op.name} has input ports 0..{n - 1}, not {port}")
    if port in target.literals:
        raise EditError(f"{target.name!r}'s port {port} holds the number {target.literals[port]}")
    if source.id in doc.downstream(target.id):
        raise EditError(f"would make a cycle: {source.name!r} already reads {target.name!r}")
    inverse: list[Command] = []
    old = wired.get(port)
    if old is not None:  # taking a connected port replaces its wire
        del doc.edges[old.id]
    ident = doc.claim_id(cmd.get("id"), "e")
    edge = EdgeRec(ident, source.id, 0, target.id, port)
    doc.edges[ident] = edge
    step.created["edges"].append(ident)
    inverse.append({"cmd": "disconnect", "edge": ident})
    if old is not None:
        inverse.append({"cmd": "connect", **edge_record(old)})
    return inverse, {"cmd": "connect", **edge_record(edge)}


def _disconnect(doc: Document, cmd: Command, _step: Step) -> tuple[list[Command], Command]:
    edge = doc.edge(cmd.get("edge"))
    del doc.edges[edge.id]
    return [{"cmd": "connect", **edge_record(edge)}], {"cmd": "disconnect", "edge": edge.id}


# ---- delete and paste --------------------------------------------------------------------------
def _ids(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise EditError(f"{what} is a list of ids")
    return value


def _delete(doc: Document, cmd: Command, _step: Step) -> tuple[list[Command], Command]:
    nodes = {doc.node(i).id for i in _ids(cmd.get("nodes"), "nodes")}
    groups: set[str] = set()
    for g in _ids(cmd.get("groups", []), "groups"):
        groups |= doc.groups_within(doc.group(g).id)
    nodes |= {n.id for n in doc.nodes.values() if n.group in groups}
    fragment = {
        "groups": [group_record(doc.groups[g]) for g in _parents_first(doc, groups)],
        "nodes": [node_record(doc, doc.nodes[i]) for i in doc.nodes if i in nodes],
        "edges": [
            edge_record(e) for e in doc.edges.values() if e.source in nodes or e.target in nodes
        ],
    }
    old_outputs, old_updates = list(doc.outputs), list(doc.updates)
    for e in fragment["edges"]:
        del doc.edges[e["id"]]
    for i in [i for i in doc.nodes if i in nodes]:
        _keep_array(doc, doc.nodes[i])
        del doc.nodes[i]
    for g in groups:
        del doc.groups[g]
    # numbering resumes after the nodes left, so undoing an add and redoing it is exact
    doc.next_seq = max((n.seq for n in doc.nodes.values()), default=-1) + 1
    doc.outputs = [o for o in doc.outputs if o not in nodes]
    doc.updates = [(a, b) for a, b in doc.updates if a not in nodes and b not in nodes]
    inverse: list[Command] = [{"cmd": "paste", "fragment": fragment, "keep_ids": True}]
    if doc.outputs != old_outputs:
        inverse.append({"cmd": "set_outputs", "outputs": old_outputs})
    if doc.updates != old_updates:
        inverse.append({"cmd": "set_updates", "updates": _updates_json(old_updates)})
    redo = {"cmd": "delete", "nodes": sorted(nodes), "groups": sorted(groups)}
    return inverse, redo


def _parents_first(doc: Document, groups: set[str]) -> list[str]:
    depth = {g: doc.scope_of(g).count("/") for g in groups}
    return sorted(groups, key=lambda g: (depth[g], g))


def _paste(doc: Document, cmd: Command, step: Step) -> tuple[list[Command], Command]:
    fragment = cmd.get("fragment")
    if not isinstance(fragment, dict) or not all(
        isinstance(fragment.get(k), list) for k in ("nodes", "edges", "groups")
    ):
        raise EditError("a fragment is {nodes: [...], edges: [...], groups: [...]}")
    keep = cmd.get("keep_ids", False)
    if type(keep) is not bool:
        raise EditError("keep_ids is true or false")
    dx, dy = position(cmd.get("offset", {"x": 0.0, "y": 0.0}))
    ids: dict[str, str] = {}
    made_groups: list[str] = []
    made_nodes: list[str] = []
    try:
        for rec in _group_order(fragment["groups"]):
            made_groups.append(_paste_group(doc, rec, ids, keep))
        for rec in fragment["nodes"]:
            made_nodes.append(_paste_node(doc, rec, ids, keep, dx, dy))
        for rec in fragment["edges"]:
            _paste_edge(doc, rec, ids, keep, step)
    except EditError:
        _delete(doc, {"nodes": made_nodes, "groups": made_groups}, Step())
        raise
    step.created["nodes"] += made_nodes
    step.created["groups"] += made_groups
    applied = {
        "groups": [group_record(doc.groups[g]) for g in made_groups],
        "nodes": [node_record(doc, doc.nodes[i]) for i in made_nodes],
        "edges": [
            edge_record(e)
            for e in doc.edges.values()
            if e.target in made_nodes or e.source in made_nodes
        ],
    }
    inverse = [{"cmd": "delete", "nodes": made_nodes, "groups": made_groups}]
    return inverse, {"cmd": "paste", "fragment": applied, "keep_ids": True}


def _group_order(records: list[Any]) -> list[dict[str, Any]]:
    """Group records with each after its parent when the parent is among them."""
    if not all(isinstance(r, dict) for r in records):
        raise EditError("a fragment's groups are objects")
    ids = {r.get("id") for r in records}
    placed: set[Any] = set()
    order: list[dict[str, Any]] = []
    todo = list(records)
    while todo:
        ready = [r for r in todo if r.get("parent") not in ids or r.get("parent") in placed]
        if not ready:
            raise EditError("a fragment's groups nest in a cycle")
        for r in ready:
            placed.add(r.get("id"))
            order.append(r)
        todo = [r for r in todo if r.get("id") not in placed]
    return order


def _mapped(doc: Document, ref: Any, ids: dict[str, str], keep: bool, what: str) -> str | None:
    """A fragment's reference: to something pasted, else (keep_ids only) to the document."""
    if ref is None:
        return None
    if isinstance(ref, str) and ref in ids:
        return ids[ref]
    if keep:
        return doc.group(ref).id if what == "group" else doc.node(ref).id
    return None


def _paste_group(doc: Document, rec: dict[str, Any], ids: dict[str, str], keep: bool) -> str:
    name = _group_name(rec.get("name"))
    gtype = rec.get("type", "scope")
    if not isinstance(gtype, str) or not gtype or len(gtype) > 200:
        raise EditError("a group's type is a short string")
    collapsed = rec.get("collapsed", False)
    if type(collapsed) is not bool:
        raise EditError("a group's collapsed is true or false")
    parent = _mapped(doc, rec.get("parent"), ids, keep, "group")
    ident = doc.claim_id(rec.get("id") if keep else None, "g")
    if isinstance(rec.get("id"), str):
        ids[rec["id"]] = ident
    doc.groups[ident] = GroupRec(ident, name, gtype, parent, collapsed)
    return ident


def _paste_node(
    doc: Document, rec: Any, ids: dict[str, str], keep: bool, dx: float, dy: float
) -> str:
    node = node_from_record(rec)
    held = None if keep else _copied_array(node, rec)
    original = node.id
    node.id = doc.claim_id(original if keep else None, "n")
    if isinstance(original, str) and original:
        ids[original] = node.id
    if doc.name_taken(node.name):
        if keep:
            raise EditError(f"the name {node.name[:70]!r} is taken")
        node.name = doc.unique_name(node.name)
    node.group = _mapped(doc, node.group, ids, keep, "group")
    node.forward_of = (
        ids.get(node.forward_of, node.forward_of if keep else None) if node.forward_of else None
    )
    node.x, node.y = node.x + dx, node.y + dy
    doc.insert(node, node.seq if keep and node.seq >= 0 else None)
    if keep:
        _restore_array(doc, node)
    elif held is not None:
        doc.arrays[node.id] = held
    if is_held(node) and node.id not in doc.arrays:
        del doc.nodes[node.id]
        raise EditError(f"{node.name[:70]!r} holds an array the kernel does not have")
    return node.id


def _copied_array(node: NodeRec, rec: dict[str, Any]) -> Any:
    """The pasted copy's own array, from the content the copy refers to (never the copied
    node's id): a held leaf's, or the values of a variable made by an initialiser (none when
    it never ran: the paste initialises it at its first run, as the copy would have)."""
    ref = rec.get("array")
    if is_held(node):
        return leaf_array(ref, node.name)
    if node.kind != "variable" or ref is None:
        return None
    values = leaf_array(ref, node.name)
    shape, dtype = node.params["shape"], node.params["dtype"]
    if values.shape != tuple(shape) or values.dtype != dtype:
        raise EditError(
            f"cannot paste {node.name[:70]!r}: its values are {values.shape} {values.dtype}, "
            f"not the {tuple(shape)} {dtype} it declares"
        )
    return values


def _paste_edge(doc: Document, rec: Any, ids: dict[str, str], keep: bool, step: Step) -> None:
    if not isinstance(rec, dict):
        raise EditError("a fragment's edges are objects")
    source = _mapped(doc, rec.get("source"), ids, keep, "node")
    target = _mapped(doc, rec.get("target"), ids, keep, "node")
    if source is None or target is None:
        return  # a wire to something not copied stays behind
    if doc.incoming().get(target, {}).get(rec.get("target_port")) is not None:  # type: ignore[arg-type]
        raise EditError(f"port {rec.get('target_port')} of {doc.nodes[target].name!r} is taken")
    cmd = {
        "source": source,
        "source_port": rec.get("source_port"),
        "target": target,
        "target_port": rec.get("target_port"),
        "id": rec.get("id") if keep else None,
    }
    _connect(doc, cmd, step)


# ---- groups ------------------------------------------------------------------------------------
def _group_name(value: Any) -> str:
    name = check_name(value, "a group's name")
    if "/" in name:
        raise EditError("a group's name cannot hold '/' (it separates scopes)")
    return name


def _group(doc: Document, cmd: Command, step: Step) -> tuple[list[Command], Command]:
    nodes = [doc.node(i) for i in _ids(cmd.get("nodes"), "nodes")]
    children = [doc.group(g) for g in _ids(cmd.get("groups", []), "groups")]
    name = _group_name(cmd.get("name"))
    if "parent" in cmd:
        parent = _group_ref(doc, cmd["parent"])
    else:
        homes = {n.group for n in nodes} | {g.parent for g in children}
        parent = homes.pop() if len(homes) == 1 else None
    for child in children:
        if parent is not None and parent in doc.groups_within(child.id):
            raise EditError(f"group {child.name!r} cannot be nested in itself")
    gtype = cmd.get("type", "scope")
    collapsed = cmd.get("collapsed", False)
    if not isinstance(gtype, str) or not gtype or len(gtype) > 200 or type(collapsed) is not bool:
        raise EditError("a group's type is a short string and collapsed is true or false")
    ident = doc.claim_id(cmd.get("id"), "g")
    doc.groups[ident] = GroupRec(ident, name, gtype, parent, collapsed)
    step.created["groups"].append(ident)
    inverse: list[Command] = [{"cmd": "ungroup", "group": ident}]
    for old, members in _by_group(n for n in nodes if n.group != parent).items():
        inverse.append({"cmd": "set_node_group", "nodes": members, "group": old})
    for child in children:
        if child.parent != parent:
            inverse.append({"cmd": "set_group_parent", "group": child.id, "parent": child.parent})
        child.parent = ident
    for n in nodes:
        n.group = ident
    redo = {
        "cmd": "group",
        "nodes": [n.id for n in nodes],
        "groups": [g.id for g in children],
        "name": name,
        "parent": parent,
        "id": ident,
        "type": gtype,
        "collapsed": collapsed,
    }
    return inverse, redo


def _by_group(nodes: Any) -> dict[str | None, list[str]]:
    found: dict[str | None, list[str]] = {}
    for n in nodes:
        found.setdefault(n.group, []).append(n.id)
    return found


def _ungroup(doc: Document, cmd: Command, _step: Step) -> tuple[list[Command], Command]:
    group = doc.group(cmd.get("group"))
    members = [n for n in doc.nodes.values() if n.group == group.id]
    children = [g for g in doc.groups.values() if g.parent == group.id]
    for n in members:
        n.group = group.parent
    for g in children:
        g.parent = group.parent
    del doc.groups[group.id]
    inverse = {
        "cmd": "group",
        "nodes": [n.id for n in members],
        "groups": [g.id for g in children],
        "name": group.name,
        "parent": group.parent,
        "id": group.id,
        "type": group.type,
        "collapsed": group.collapsed,
    }
    return [inverse], {"cmd": "ungroup", "group": group.id}


def _set_group_parent(doc: Document, cmd: Command, _step: Step) -> tuple[list[Command], Command]:
    group = doc.group(cmd.get("group"))
    parent = _group_ref(doc, cmd.get("parent"))
    if parent is not None and parent in doc.groups_within(group.id):
        raise EditError(f"group {group.name!r} cannot be nested in itself")
    old, group.parent = group.parent, parent
    inverse = {"cmd": "set_group_parent", "group": group.id, "parent": old}
    return [inverse], {"cmd": "set_group_parent", "group": group.id, "parent": parent}


def _set_node_group(doc: Document, cmd: Command, _step: Step) -> tuple[list[Command], Command]:
    nodes = [doc.node(i) for i in _ids(cmd.get("nodes"), "nodes")]
    group = _group_ref(doc, cmd.get("group"))
    inverse = [
        {"cmd": "set_node_group", "nodes": members, "group": old}
        for old, members in _by_group(nodes).items()
    ]
    for n in nodes:
        n.group = group
    return inverse, {"cmd": "set_node_group", "nodes": [n.id for n in nodes], "group": group}


def _rename_group(doc: Document, cmd: Command, _step: Step) -> tuple[list[Command], Command]:
    group = doc.group(cmd.get("group"))
    name = _group_name(cmd.get("name"))
    old, group.name = group.name, name
    return [{"cmd": "rename_group", "group": group.id, "name": old}], {
        "cmd": "rename_group",
        "group": group.id,
        "name": name,
    }


def _set_collapsed(doc: Document, cmd: Command, _step: Step) -> tuple[list[Command], Command]:
    group = doc.group(cmd.get("group"))
    collapsed = cmd.get("collapsed")
    if type(collapsed) is not bool:
        raise EditError("collapsed is true or false")
    old, group.collapsed = group.collapsed, collapsed
    return [{"cmd": "set_collapsed", "group": group.id, "collapsed": old}], {
        "cmd": "set_collapsed",
        "group": group.id,
        "collapsed": collapsed,
    }


# ---- outputs and updates -----------------------------------------------------------------------
def _updates_json(updates: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"variable": a, "value": b} for a, b in updates]


def _set_outputs(doc: Document, cmd: Command, _step: Step) -> tuple[list[Command], Command]:
    outputs = [doc.node(i).id for i in _ids(cmd.get("outputs"), "outputs")]
    old, doc.outputs = doc.outputs, outputs
    return [{"cmd": "set_outputs", "outputs": old}], {"cmd": "set_outputs", "outputs": outputs}


def _set_updates(doc: Document, cmd: Command, _step: Step) -> tuple[list[Command], Command]:
    updates: list[tuple[str, str]] = []
    for u in _ids(cmd.get("updates"), "updates"):
        if not isinstance(u, dict):
            raise EditError("an update is {variable, value}")
        var, value = doc.node(u.get("variable")), doc.node(u.get("value"))
        if var.kind != "variable":
            raise EditError(f"update target {var.name!r} is not a variable")
        updates.append((var.id, value.id))
    old, doc.updates = doc.updates, updates
    return [{"cmd": "set_updates", "updates": _updates_json(old)}], {
        "cmd": "set_updates",
        "updates": _updates_json(updates),
    }


def _add_layer(doc: Document, cmd: Command, step: Step) -> tuple[list[Command], Command]:
    d, sub = layer_document(cmd.get("layer"), cmd.get("args", {}))
    x, y = position(cmd.get("position"))
    name = _group_name(cmd.get("name", d.name.lower()))
    nodes, groups = merge_layer(doc, d, sub, name, x, y, cmd.get("id"))
    step.created["nodes"] += nodes
    step.created["groups"] += groups
    fragment = {
        "groups": [group_record(doc.groups[g]) for g in groups],
        "nodes": [node_record(doc, doc.nodes[i]) for i in nodes],
        "edges": [edge_record(e) for e in doc.edges.values() if e.target in nodes],
    }
    inverse = [{"cmd": "delete", "nodes": nodes, "groups": groups}]
    return inverse, {"cmd": "paste", "fragment": fragment, "keep_ids": True}


Handler = Callable[[Document, Command, Step], tuple[list[Command], Command]]
HANDLERS: dict[str, Handler] = {
    "add_node": _add_node,
    "connect": _connect,
    "disconnect": _disconnect,
    "set_param": _set_param,
    "unset_param": _unset_param,
    "rename": _rename,
    "rename_group": _rename_group,
    "delete": _delete,
    "move": _move,
    "group": _group,
    "ungroup": _ungroup,
    "set_group_parent": _set_group_parent,
    "set_node_group": _set_node_group,
    "set_collapsed": _set_collapsed,
    "paste": _paste,
    "add_layer": _add_layer,
    "set_outputs": _set_outputs,
    "set_updates": _set_updates,
}
