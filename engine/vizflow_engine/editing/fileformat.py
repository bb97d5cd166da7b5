"""The editor's graph file, `name.vfg.json` (+ `name.npz` beside it for arrays; no pickle).

The JSON holds the editable graph whole: nodes (ids, names, ops, params, groups, positions,
phases), wires, groups, outputs and updates, so a half-built graph saves too. The .npz holds
the arrays of variables and constants (by node id, listed in `arrays`) and of array-valued op
params (by key, listed in `param_arrays`; a param refers to one as {"array": key}). Opening checks
everything (the format, every record with the same checks an edit gets, wire ends and ports,
cycles, the .npz's members) before anything is returned: a bad file is one EditorFileError
naming the JSON path and the reason. Opening runs no code.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..graph.errors import GraphFormatError
from ..graph.limits import MAX_FILE_BYTES
from ..graph.npz_read import Want, check_arrays, read_npz
from .errors import EditError, EditorFileError
from .infer import port_count
from .model import ID_PATTERN, Document, EdgeRec, GroupRec
from .params import (
    PARAM_ARRAY_PREFIX,
    collecting_param_arrays,
    op_def,
    reading_param_arrays,
)
from .records import edge_record, group_record, is_held, node_from_record, node_record

FORMAT = "vizflow.editor"
VERSION = 1
SUFFIX = ".vfg.json"
TOP_KEYS = {"format", "version", "name", "nodes", "edges", "groups", "outputs", "updates", "arrays"}
OPTIONAL_KEYS = {"param_arrays"}


def sidecar(path: str) -> str:
    """The .npz path beside a graph file (model.vfg.json -> model.npz)."""
    stem = path[: -len(SUFFIX)] if path.endswith(SUFFIX) else path
    return stem + ".npz"


def dumps(doc: Document) -> tuple[str, dict[str, np.ndarray[Any, Any]]]:
    """The file's text and the arrays for its .npz (keyed by node id, or param array key)."""
    with collecting_param_arrays() as params:
        nodes = [node_record(doc, n) for n in doc.ordered()]
    body: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "name": doc.name,
        "nodes": nodes,
        "edges": [edge_record(doc.edges[i]) for i in sorted(doc.edges)],
        "groups": [group_record(doc.groups[i]) for i in sorted(doc.groups)],
        "outputs": list(doc.outputs),
        "updates": [{"variable": a, "value": b} for a, b in doc.updates],
    }
    arrays = {i: _host(doc.arrays[i]) for i in sorted(doc.arrays) if i in doc.nodes}
    body["arrays"] = list(arrays)  # the nodes whose values the .npz holds
    if params:
        body["param_arrays"] = sorted(params)
        arrays.update({k: np.asarray(params[k]) for k in body["param_arrays"]})
    return json.dumps(body, indent=1, ensure_ascii=False) + "\n", arrays


def _host(value: Any) -> np.ndarray[Any, Any]:
    array = getattr(value, "array", value)
    return np.asarray(getattr(array, "get", lambda: array)())


def npz_bytes(arrays: Mapping[str, np.ndarray[Any, Any]]) -> bytes:
    """An .npz archive of the arrays, in memory."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def save(doc: Document, path: str) -> None:
    """Write the graph file and, when there are arrays, its .npz."""
    text, arrays = dumps(doc)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    if arrays:
        with open(sidecar(path), "wb") as f:
            f.write(npz_bytes(arrays))


def open_file(path: str) -> Document:
    """Read a graph file (and its .npz when it has held arrays)."""
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise EditorFileError("$", f"cannot read {path!r}: {exc.strerror}") from None
    return loads(raw, lambda wants: read_npz(sidecar(path), wants))


def loads(text: str | bytes, arrays: Any = None) -> Document:
    """A Document from a file's text; `arrays`: a mapping of node id -> array, .npz bytes, or a
    function of the wanted arrays returning them. EditorFileError names the first fault."""
    if len(text) > MAX_FILE_BYTES:
        raise EditorFileError("$", f"the file is over {MAX_FILE_BYTES:,} bytes")
    try:
        body = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise EditorFileError("$", f"not JSON: {str(exc)[:200]}") from None
    _check_top(body)
    wants = _wanted(body)
    held = _read_arrays(arrays, wants) if wants else {}
    params = {k: held.pop(k) for k in body.get("param_arrays", [])}
    with reading_param_arrays(params):
        return _build(body, held)


def _check_top(body: Any) -> None:
    if not isinstance(body, dict):
        raise EditorFileError("$", "a graph file is a JSON object")
    if body.get("format") != FORMAT:
        raise EditorFileError("$.format", f"must be {FORMAT!r} (a vizflow editor graph file)")
    if body.get("version") != VERSION:
        raise EditorFileError(
            "$.version", f"version {str(body.get('version'))[:20]} is not {VERSION}"
        )
    extra = sorted(set(body) - TOP_KEYS - OPTIONAL_KEYS)
    if extra:
        raise EditorFileError(f"$.{extra[0][:40]}", "unknown field")
    if not isinstance(body.get("name"), str):
        raise EditorFileError("$.name", "must be a string")
    for key in ("nodes", "edges", "groups", "outputs", "updates", "arrays"):
        if not isinstance(body.get(key), list):
            raise EditorFileError(f"$.{key}", "must be a list")
    if not isinstance(body.get("param_arrays", []), list):
        raise EditorFileError("$.param_arrays", "must be a list")


def _wanted(body: dict[str, Any]) -> dict[str, Want]:
    """The node ids whose arrays the .npz must hold: those `arrays` lists, which must include
    every variable or constant holding an array (others are initialised values kept)."""
    listed = body["arrays"]
    wants: dict[str, Want] = {}
    for i, key in enumerate(body.get("param_arrays", [])):
        path = f"$.param_arrays[{i}]"
        if not isinstance(key, str) or not key.startswith(PARAM_ARRAY_PREFIX) or len(key) > 64:
            raise EditorFileError(path, f"a param array's key is {PARAM_ARRAY_PREFIX!r}…")
        if key in wants:
            raise EditorFileError(path, f"{key[:60]!r} is listed twice")
        wants[key] = Want(path, None, None, f"param array {key[:60]!r}")
    # The records are checked before the .npz is read, so a bad one is named even without it;
    # param arrays stand in as empty index arrays until read (_build checks them again).
    stand_ins = {k: np.zeros(0, np.int64) for k in body.get("param_arrays", [])}
    for i, rec in enumerate(body["nodes"]):
        path = f"$.nodes[{i}]"
        try:
            with reading_param_arrays(stand_ins):
                node = node_from_record(rec)
        except EditError as exc:
            raise EditorFileError(path, str(exc)) from None
        if not isinstance(node.id, str) or not ID_PATTERN.fullmatch(node.id):
            raise EditorFileError(f"{path}.id", "an id is 1-64 letters, digits or _.:-")
        if node.id in listed and node.kind not in ("variable", "constant"):
            raise EditorFileError("$.arrays", f"{node.kind} {node.id!r} holds no array")
        if is_held(node) and node.id not in listed:
            raise EditorFileError("$.arrays", f"{node.kind} {node.name[:60]!r} needs its array")
        if node.id in listed:
            wants[node.id] = Want(path, None, None, f"{node.kind} {node.name[:60]!r}")
    unknown = [a for a in listed if a not in wants or a in stand_ins]
    if unknown:
        raise EditorFileError("$.arrays", f"{str(unknown[0])[:60]!r} is not a node of the file")
    return wants


def _read_arrays(arrays: Any, wants: dict[str, Want]) -> dict[str, Any]:
    try:
        if arrays is None:
            raise EditorFileError("$", f"the file's {len(wants)} array(s) need its .npz")
        if callable(arrays):
            return dict(arrays(wants))
        if isinstance(arrays, bytes):
            return read_npz(io.BytesIO(arrays), wants)
        return check_arrays(arrays, wants)
    except GraphFormatError as exc:
        raise EditorFileError(exc.path, exc.reason) from None


def _build(body: dict[str, Any], held: dict[str, Any]) -> Document:
    """The document, each record checked as an edit would be (without per-wire cycle
    searches: one topological sort at the end finds a cycle)."""
    doc = Document(name=body["name"])
    for i, rec in enumerate(body["groups"]):
        _at(f"$.groups[{i}]", _group, doc, rec)
    for i, rec in enumerate(body["groups"]):
        parent = rec["parent"]
        if parent is not None and parent not in doc.groups:
            raise EditorFileError(f"$.groups[{i}].parent", f"no group {str(parent)[:60]!r}")
    for gid in doc.groups:
        if gid in _ancestors(doc, gid):
            raise EditorFileError("$.groups", f"group {gid[:60]!r} is nested in itself")
    for i, rec in enumerate(body["nodes"]):
        _at(f"$.nodes[{i}]", _node, doc, rec, held)
    taken: dict[str, dict[int, EdgeRec]] = {}
    for i, rec in enumerate(body["edges"]):
        _at(f"$.edges[{i}]", _edge, doc, rec, taken)
    if len(doc.topological()) != len(doc.nodes):
        raise EditorFileError("$.edges", "the wires make a cycle")
    for i, ref in enumerate(body["outputs"]):
        if not isinstance(ref, str) or ref not in doc.nodes:
            raise EditorFileError(f"$.outputs[{i}]", f"no node {str(ref)[:60]!r}")
        doc.outputs.append(ref)
    for i, u in enumerate(body["updates"]):
        _at(f"$.updates[{i}]", _update, doc, u)
    return doc


def _at(path: str, fn: Any, *args: Any) -> None:
    try:
        fn(*args)
    except EditError as exc:
        raise EditorFileError(path, str(exc)) from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise EditorFileError(
            path, f"malformed record ({type(exc).__name__}: {str(exc)[:80]})"
        ) from None


def _ancestors(doc: Document, gid: str) -> set[str]:
    seen: set[str] = set()
    parent = doc.groups[gid].parent
    while parent is not None and parent not in seen:
        seen.add(parent)
        parent = doc.groups[parent].parent
    return seen


def _group(doc: Document, rec: Any) -> None:
    if not isinstance(rec, dict) or set(rec) != {"id", "name", "type", "parent", "collapsed"}:
        raise EditError("a group is {id, name, type, parent, collapsed}")
    ident = doc.claim_id(rec["id"], "g")
    name, gtype, collapsed = rec["name"], rec["type"], rec["collapsed"]
    if not isinstance(name, str) or not name or "/" in name or len(name) > 4096:
        raise EditError("a group's name is a non-empty string without '/'")
    if not isinstance(gtype, str) or not gtype or len(gtype) > 200 or type(collapsed) is not bool:
        raise EditError("a group's type is a short string and collapsed is true or false")
    if rec["parent"] is not None and not isinstance(rec["parent"], str):
        raise EditError("a group's parent is a group id or null")
    doc.groups[ident] = GroupRec(ident, name, gtype, rec["parent"], collapsed)


def _node(doc: Document, rec: Any, held: dict[str, Any]) -> None:
    node = node_from_record(rec)
    node.id = doc.claim_id(node.id if node.id else "", "n")
    if doc.name_taken(node.name):
        raise EditError(f"the name {node.name[:70]!r} is used twice")
    if node.group is not None and node.group not in doc.groups:
        raise EditError(f"no group {node.group[:60]!r}")
    if node.forward_of is not None and node.forward_of not in doc.nodes:
        raise EditError(f"forward_of {node.forward_of[:60]!r} is not a node before this one")
    doc.insert(node, node.seq if node.seq >= 0 else None)
    if node.id in held:
        doc.arrays[node.id] = held[node.id]


def _edge(doc: Document, rec: Any, taken: dict[str, dict[int, EdgeRec]]) -> None:
    if not isinstance(rec, dict) or set(rec) != {
        "id",
        "source",
        "source_port",
        "target",
        "target_port",
    }:
        raise EditError("a wire is {id, source, source_port, target, target_port}")
    ident = doc.claim_id(rec["id"], "e")
    source, target = doc.node(rec["source"]), doc.node(rec["target"])
    port = rec["target_port"]
    if rec["source_port"] != 0 or type(rec["source_port"]) is not int:
        raise EditError("a node has one output, port 0")
    if target.kind != "op":
        raise EditError(f"{target.name[:60]!r} is a {target.kind}: it has no inputs")
    wired = taken.setdefault(target.id, {})
    if type(port) is not int or port < 0 or port in wired or port in target.literals:
        raise EditError(f"target_port {str(port)[:20]} is not a free input port")
    op = op_def(target.op)
    if not op.variadic and port >= port_count(op, target, wired):
        raise EditError(f"{op.name} has input ports 0..{len(op.inputs) - 1}, not {port}")
    doc.edges[ident] = wired[port] = EdgeRec(ident, source.id, 0, target.id, port)


def _update(doc: Document, rec: Any) -> None:
    if not isinstance(rec, dict) or set(rec) != {"variable", "value"}:
        raise EditError("an update is {variable, value}")
    var, value = doc.node(rec["variable"]), doc.node(rec["value"])
    if var.kind != "variable":
        raise EditError(f"update target {var.name[:60]!r} is not a variable")
    doc.updates.append((var.id, value.id))
