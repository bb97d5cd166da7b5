"""A Document as the protocol's EditorDocument (ports typed by shape and dtype, each node's
state and error, a summary of its value after a run), whole or one node, edge or group."""

from __future__ import annotations

from collections import OrderedDict
from functools import cache
from typing import Any

import numpy as np

from vizflow_engine.editing.infer import NodeType, infer_all, port_count, port_name
from vizflow_engine.editing.model import Document, NodeRec
from vizflow_engine.editing.params import editable_values, host_array, op_def
from vizflow_engine.editing.records import (
    edge_record,
    group_record,
    held_array_ref,
    is_held,
    node_fields,
)
from vizflow_engine.editing.states import RunRecord, node_states
from vizflow_kernelext.summaries import summarize

SUMMARY_KEYS = ("shape", "dtype", "min", "max", "mean", "std", "nan_count", "inf_count", "preview")


def value_summary(array: Any) -> dict[str, Any]:
    """An EditorValueSummary: the inspector's statistics without histogram or heatmap."""
    full = summarize(np.asarray(array), [])
    return {k: full[k] for k in SUMMARY_KEYS}


@cache
def _dtype_name(dtype: np.dtype[Any]) -> str:
    return str(dtype)  # numpy builds this name each time (~0.1 ms): one per dtype instead


def _dtype(t: NodeType) -> str | None:
    return None if t.dtype is None else _dtype_name(t.dtype)


# A held array's inspector record by its content key (the key names the content exactly);
# kept for the newest arrays so a big model's weights are summarised once, not at each push.
_HELD_RECORDS: OrderedDict[str, dict[str, Any]] = OrderedDict()
HELD_RECORDS_KEPT = 1024


def held_json(doc: Document, node: NodeRec) -> dict[str, Any]:
    """{"held": EditorHeldArray} for a variable or constant holding an array: its summary (the
    inspector shows its dtype, shape, statistics and preview) and, small enough to edit, its
    values; else {}."""
    ref = held_array_ref(doc, node)
    if not ref or not is_held(node):
        return {}
    key = ref["array"]
    record = _HELD_RECORDS.get(key)
    if record is None:
        array = doc.arrays[node.id]
        record = {"summary": value_summary(host_array(array)), "values": editable_values(array)}
        _HELD_RECORDS[key] = record
        while len(_HELD_RECORDS) > HELD_RECORDS_KEPT:
            _HELD_RECORDS.popitem(last=False)
    else:
        _HELD_RECORDS.move_to_end(key)
    return {"held": record}


def _inputs(
    doc: Document, node: NodeRec, wired: dict[int, Any], types: dict[str, NodeType]
) -> list[dict[str, Any]]:
    if node.kind != "op":
        return []
    op = op_def(node.op)
    ports = []
    for port in range(port_count(op, node, wired)):
        if port in wired:
            t = types[wired[port].source]
            shape, dtype = t.shape, _dtype(t)
        elif port in node.literals:
            shape, dtype = (), type(node.literals[port]).__name__
        else:
            shape, dtype = None, None
        ports.append(
            {
                "port": port,
                "name": port_name(op, port),
                "shape": None if shape is None else list(shape),
                "dtype": dtype,
                "connected": port in wired,
            }
        )
    return ports


def node_json(
    doc: Document,
    node: NodeRec,
    wired: dict[int, Any],
    types: dict[str, NodeType],
    state: str,
    run: RunRecord,
) -> dict[str, Any]:
    """One EditorNode: its fields, typed ports, state, error and value summary."""
    t = types[node.id]
    value = run.values.get(node.id) if state in ("executed", "stale") else None
    return {
        **node_fields(node),
        **held_array_ref(doc, node),
        **held_json(doc, node),
        "inputs": _inputs(doc, node, wired, types),
        "outputs": [
            {
                "port": 0,
                "shape": None if t.shape is None else list(t.shape),
                "dtype": _dtype(t),
            }
        ],
        "state": state,
        "error": None if t.error is None else {"message": t.error, "rule": t.rule or "shape"},
        "value": None if value is None else value_summary(value),
    }


def updates_json(doc: Document) -> list[dict[str, str]]:
    """The document's updates as EditorUpdates."""
    return [{"variable": a, "value": b} for a, b in doc.updates]


def document_json(doc: Document, run: RunRecord) -> dict[str, Any]:
    """The whole EditorDocument the browser draws, built afresh."""
    types = infer_all(doc)
    states = node_states(doc, types, run)
    into = doc.incoming()
    return {
        "version": doc.version,
        "name": doc.name,
        "nodes": [
            node_json(doc, n, into.get(n.id, {}), types, states[n.id], run) for n in doc.ordered()
        ],
        "edges": [edge_record(doc.edges[i]) for i in sorted(doc.edges)],
        "groups": [group_record(g) for g in doc.groups.values()],
        "outputs": list(doc.outputs),
        "updates": updates_json(doc),
    }
