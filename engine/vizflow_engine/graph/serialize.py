"""Versioned JSON format (graph.schema.json) plus an .npz of arrays; loading runs no code."""

from __future__ import annotations

import json
import math
import os
from typing import Any

import numpy as np

from ..backend import Device
from ..scope import scope_types
from .ir import Graph, Value

FORMAT = "vizflow.graph"
VERSION = 1
SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "graph.schema.json")


def schema() -> dict[str, Any]:
    """The JSON Schema of the format."""
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        doc: dict[str, Any] = json.load(f)
    return doc


class _Arrays:
    """Collects arrays met while encoding, under stable keys."""

    def __init__(self) -> None:
        self.items: dict[str, np.ndarray[Any, Any]] = {}

    def add(self, key: str, arr: Any) -> str:
        self.items[key] = np.asarray(getattr(arr, "get", lambda: arr)())
        return key


def encode(v: Any, arrays: _Arrays, where: str) -> Any:
    """A param or literal as JSON (tagged objects for tuples, dtypes, slices, arrays, …)."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else {"float": repr(f)}
    if isinstance(v, tuple):
        return {"tuple": [encode(x, arrays, f"{where}.{i}") for i, x in enumerate(v)]}
    if isinstance(v, list):
        return [encode(x, arrays, f"{where}.{i}") for i, x in enumerate(v)]
    if isinstance(v, np.dtype) or (isinstance(v, type) and issubclass(v, np.generic)):
        return {"dtype": str(np.dtype(v))}
    if isinstance(v, slice):
        return {
            "slice": [
                encode(v.start, arrays, where),
                encode(v.stop, arrays, where),
                encode(v.step, arrays, where),
            ]
        }
    if v is Ellipsis:
        return {"ellipsis": True}
    if isinstance(v, Device):
        return {"device": v.name}
    if isinstance(v, dict):
        return {"dict": {str(k): encode(x, arrays, f"{where}.{k}") for k, x in v.items()}}
    if hasattr(v, "shape") and hasattr(v, "dtype"):
        return {"array": arrays.add(where, v)}
    raise TypeError(f"{where}: cannot serialise {type(v).__name__} value {v!r}")


def _shape(shape: tuple[Any, ...]) -> list[Any]:
    return [int(d) if isinstance(d, (int, np.integer)) else d for d in shape]


def _type(v: Value) -> dict[str, Any]:
    return {
        "shape": _shape(v.shape),
        "dtype": str(v.dtype),
        "device": v.device.name,
        "requires_grad": v.requires_grad,
    }


def to_json(g: Graph, arrays: _Arrays | None = None) -> dict[str, Any]:
    """The graph as a dict following graph.schema.json (array data goes to `arrays`)."""
    arrays = arrays if arrays is not None else _Arrays()
    values = []
    for v in [*g.inputs, *g.variables, *g.constants]:
        d: dict[str, Any] = {"name": v.name, "kind": v.kind, **_type(v)}
        if v.kind != "input":
            data = v.tensor.array if v.tensor is not None else v.value
            d["array"] = arrays.add(f"value/{v.name}", data)
        values.append(d)
    nodes = []
    for n in g.nodes:
        out = g.out[n]
        src = n.source
        nodes.append(
            {
                "name": out.name,
                "op": n.op.name,
                "params": {
                    k: encode(p, arrays, f"param/{out.name}/{k}") for k, p in n.params.items()
                },
                "inputs": [
                    {"value": x.name}
                    if isinstance(x, Value)
                    else {"literal": encode(x, arrays, f"lit/{out.name}/{i}")}
                    for i, x in enumerate(n.inputs)
                ],
                "output": _type(out),
                "scope": str(n.scope),
                "phase": n.phase,
                "forward_of": (
                    n.forward_of.name
                    if n.forward_of is not None and n.forward_of in g.out
                    else None
                ),
                "source": None
                if src is None
                else {
                    "file": src.file,
                    "line": src.line,
                    "function": src.function,
                    "cell_id": src.cell_id,
                },
            }
        )
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "name": g.name,
        "values": values,
        "nodes": nodes,
        "outputs": [v.name for v in g.outputs],
        "updates": [[a.name, b.name] for a, b in g.updates],
    }
    types = scope_types(n.scope for n in g.nodes)
    if types:
        doc["scope_types"] = types
    return doc


def arrays_of(g: Graph) -> dict[str, np.ndarray[Any, Any]]:
    """The arrays to_json refers to, by key (for np.savez)."""
    arrays = _Arrays()
    to_json(g, arrays)
    return arrays.items


def save(g: Graph, path: str) -> None:
    """Write path + '.json' and path + '.npz'."""
    arrays = _Arrays()
    doc = to_json(g, arrays)
    with open(path + ".json", "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
    np.savez(path + ".npz", **arrays.items)  # type: ignore[arg-type]


def load(path: str) -> Graph:
    """Read a graph written by save: path.json checked whole, then path.npz (no pickle)."""
    from .load import load_files

    return load_files(path + ".json", path + ".npz")


def from_json(doc: dict[str, Any] | str | bytes, arrays: Any = None) -> Graph:
    """Rebuild a Graph; arrays is a dict, an NpzFile, a path to an .npz or a binary file of
    one (never unpickled).

    The document is checked whole (schema, references, params, types) before the Graph is
    returned; anything wrong is one GraphFormatError naming the JSON path.
    """
    from .load import load_document

    return load_document(doc, arrays)
