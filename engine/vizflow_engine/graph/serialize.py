"""Versioned JSON format (graph.schema.json) plus an .npz of arrays; loading runs no code."""

from __future__ import annotations

import json
import math
import os
from typing import Any

import numpy as np

from ..backend import Device, get_device
from ..node import SourceLocation
from ..registry import TensorSpec
from .graph_ops import lookup
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


def decode(v: Any, arrays: Any) -> Any:
    """Inverse of encode."""
    if isinstance(v, list):
        return [decode(x, arrays) for x in v]
    if not isinstance(v, dict):
        return v
    ((tag, body),) = v.items()
    if tag == "tuple":
        return tuple(decode(x, arrays) for x in body)
    if tag == "float":
        return float(body)
    if tag == "dtype":
        return np.dtype(body)
    if tag == "slice":
        return slice(*(decode(x, arrays) for x in body))
    if tag == "ellipsis":
        return Ellipsis
    if tag == "device":
        return get_device(body)
    if tag == "dict":
        return {k: decode(x, arrays) for k, x in body.items()}
    if tag == "array":
        return np.asarray(arrays[body])
    raise ValueError(f"unknown tag {tag!r} in graph file")


def _shape(shape: tuple[Any, ...]) -> list[Any]:
    return list(shape)


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
            data = v.tensor.data if v.tensor is not None else v.value
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
                "scope": n.scope,
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
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": g.name,
        "values": values,
        "nodes": nodes,
        "outputs": [v.name for v in g.outputs],
        "updates": [[a.name, b.name] for a, b in g.updates],
    }


def arrays_of(g: Graph) -> dict[str, np.ndarray[Any, Any]]:
    """The arrays to_json refers to, by key (for np.savez)."""
    arrays = _Arrays()
    to_json(g, arrays)
    return arrays.items


def from_json(doc: dict[str, Any] | str, arrays: Any = None) -> Graph:
    """Rebuild a Graph; arrays is a dict, an NpzFile, or a path to an .npz (no pickle)."""
    if isinstance(doc, str):
        doc = json.loads(doc)
    assert isinstance(doc, dict)
    if doc.get("format") != FORMAT:
        raise ValueError(f"not a vizflow graph file (format {doc.get('format')!r})")
    if doc.get("version") != VERSION:
        raise ValueError(
            f"graph file version {doc.get('version')} is not supported (this "
            f"vizflow reads version {VERSION})"
        )
    if isinstance(arrays, (str, os.PathLike)):
        arrays = dict(np.load(arrays, allow_pickle=False))
    arrays = arrays if arrays is not None else {}
    _check_arrays(doc, arrays)
    g = Graph(doc["name"])
    by_name: dict[str, Value] = {}
    for d in doc["values"]:
        dev = get_device(d["device"])
        if d["kind"] == "input":
            v = g.placeholder(d["name"], tuple(d["shape"]), d["dtype"], dev)
        elif d["kind"] == "variable":
            v = g.variable(d["name"], np.array(arrays[d["array"]]), d["requires_grad"])
        else:
            v = g.constant(np.asarray(arrays[d["array"]]), d["name"])
        v.requires_grad = d["requires_grad"]
        by_name[d["name"]] = v
    nodes: dict[str, Any] = {}
    for d in doc["nodes"]:
        op = lookup(d["op"])
        params = {k: decode(p, arrays) for k, p in d["params"].items()}
        ins = tuple(
            by_name[i["value"]] if "value" in i else decode(i["literal"], arrays)
            for i in d["inputs"]
        )
        o = d["output"]
        s = d["source"]
        src = (
            None if s is None else SourceLocation(s["file"], s["line"], s["function"], s["cell_id"])
        )
        fwd = nodes.get(d["forward_of"]) if d["forward_of"] else None
        v = g.add_node(
            op,
            params,
            ins,
            TensorSpec(tuple(o["shape"]), np.dtype(o["dtype"])),
            get_device(o["device"]),
            d["name"],
            d["scope"],
            d["phase"],
            fwd,
            src,
        )
        v.requires_grad = o["requires_grad"]
        by_name[d["name"]] = v
        nodes[d["name"]] = v.node
    g.outputs = [by_name[n] for n in doc["outputs"]]
    g.updates = [(by_name[a], by_name[b]) for a, b in doc["updates"]]
    return g


def _check_arrays(doc: dict[str, Any], arrays: Any) -> None:
    """Fail up front, naming every variable and constant whose array `arrays` lacks."""
    missing = [d for d in doc["values"] if d["kind"] != "input" and d["array"] not in arrays]
    encoded = [
        [*n["params"].values(), *(i["literal"] for i in n["inputs"] if "literal" in i)]
        for n in doc["nodes"]
    ]
    params = [k for e in encoded for k in _array_keys(e)]
    lost = [k for k in params if k not in arrays]
    if not missing and not lost:
        return
    what = [f"{d['kind']} {d['name']!r} (key {d['array']!r})" for d in missing]
    what += [f"parameter array {k!r}" for k in lost]
    raise ValueError(
        f"graph {doc['name']!r} needs the values of {', '.join(what)}, which the arrays "
        f"passed to from_json lack ({'none given' if not arrays else f'{len(arrays)} given'}). "
        "Pass the .npz that Graph.save wrote, or a dict like serialize.arrays_of(graph): "
        "Graph.from_json(doc, 'model.npz'), or read both files with Graph.load('model')."
    )


def _array_keys(v: Any) -> list[str]:
    """The array keys an encoded param or literal refers to (walked as decode reads it)."""
    if isinstance(v, list):
        return [k for x in v for k in _array_keys(x)]
    if not isinstance(v, dict) or len(v) != 1:
        return []
    ((tag, body),) = v.items()
    if tag == "array":
        return [body]
    if tag in ("tuple", "slice"):
        return _array_keys(body)
    return _array_keys(list(body.values())) if tag == "dict" else []


def save(g: Graph, path: str) -> None:
    """Write path + '.json' and path + '.npz'."""
    arrays = _Arrays()
    doc = to_json(g, arrays)
    with open(path + ".json", "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
    np.savez(path + ".npz", **arrays.items)  # type: ignore[arg-type]


def load(path: str) -> Graph:
    """Read a graph written by save."""
    with open(path + ".json", encoding="utf-8") as f:
        doc = json.load(f)
    with np.load(path + ".npz", allow_pickle=False) as npz:
        return from_json(doc, {k: npz[k] for k in npz.files})
