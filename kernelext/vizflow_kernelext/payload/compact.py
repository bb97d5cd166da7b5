"""The compact wire form of a GraphPayload (protocol definition `CompactGraph`).

A 10,000-node graph as JSON objects repeats every key and most strings on every node
(~425 B/node). On the wire the graph travels as columns instead: one array per field,
every string once in `strings` and referred to by index, node references as node
indices, optional fields as sparse columns, and an edge's shape/dtype only where they
differ from its source node's output.

References: a node (edge source/target, forward_of, updates, outputs) is its index in the node
columns; an id that names no node in the graph is kept as `-1 - string index`.

`decode(encode(p)) == p` for the payload builders' output, whose nodes carry optional
fields only when set (`common.compact_node`). For other payloads the round trip also
drops what the viewer reads as the default anyway: `forward_of: null`, `has_value` /
`has_grad: false`, null metrics, and null `cell` / `function` of a source location.
"""

from __future__ import annotations

from typing import Any

from vizflow_kernelext.payload.common import json_number

ENCODING = "columns-1"
_STRING_COLUMNS = ("op", "name", "category", "dtype", "device", "scope", "phase")
_REF_COLUMNS = ("forward_of", "updates")  # node references, dense when any is set
_PAYLOAD_EXTRAS = ("metrics", "op_docs", "scope_types")  # carried over as they are


def is_compact(graph: Any) -> bool:
    """Whether `graph` is already in the compact wire form."""
    return isinstance(graph, dict) and graph.get("encoding") == ENCODING


class _Strings:
    def __init__(self) -> None:
        self.table: list[str] = []
        self.index: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        i = self.index.get(text)
        if i is None:
            i = self.index[text] = len(self.table)
            self.table.append(text)
        return i


def encode(payload: dict[str, Any]) -> dict[str, Any]:
    """The CompactGraph of a GraphPayload."""
    strings = _Strings()
    nodes: list[dict[str, Any]] = payload["nodes"]
    edges: list[dict[str, Any]] = payload["edges"]
    position = {node["id"]: i for i, node in enumerate(nodes)}

    def ref(node_id: str) -> int:
        i = position.get(node_id)
        return i if i is not None else -1 - strings(node_id)

    cols: dict[str, Any] = {"count": len(nodes)}
    if any(node["id"] != f"n{i}" for i, node in enumerate(nodes)):
        cols["id"] = [strings(node["id"]) for node in nodes]
    for key in _STRING_COLUMNS:
        cols[key] = [strings(node[key]) for node in nodes]
    cols["shape"] = [node["shape"] for node in nodes]
    for key in _REF_COLUMNS:
        targets = [node.get(key) for node in nodes]
        if any(t is not None for t in targets):
            cols[key] = [None if t is None else ref(t) for t in targets]
    nonfinite = {str(i): n["nonfinite"] for i, n in enumerate(nodes) if "nonfinite" in n}
    if nonfinite:
        cols["nonfinite"] = nonfinite
    params = {str(i): n["params"] for i, n in enumerate(nodes) if "params" in n}
    if params:
        cols["params"] = params
    sources = {
        str(i): _encode_source(n["source"], strings) for i, n in enumerate(nodes) if "source" in n
    }
    if sources:
        cols["source"] = sources
    for flag in ("has_value", "has_grad"):
        marked = [i for i, node in enumerate(nodes) if node.get(flag)]
        if marked:
            cols[flag] = marked
    metric_names: dict[str, None] = {}
    for node in nodes:
        for name, value in node.get("metrics", {}).items():
            if value is not None:
                metric_names[name] = None
    if metric_names:
        cols["metrics"] = {
            name: [_wire_figure(node.get("metrics", {}).get(name)) for node in nodes]
            for name in metric_names
        }

    ecols: dict[str, Any] = {
        "src": [ref(e["source"]) for e in edges],
        "dst": [ref(e["target"]) for e in edges],
        "port": [e["target_port"] for e in edges],
    }
    if any(e["id"] != f"e{i}" for i, e in enumerate(edges)):
        ecols["id"] = [strings(e["id"]) for e in edges]
    shapes: dict[str, Any] = {}
    dtypes: dict[str, int] = {}
    for i, (edge, src) in enumerate(zip(edges, ecols["src"], strict=True)):
        origin = nodes[src] if src >= 0 else None
        if origin is None or edge["shape"] != origin["shape"]:
            shapes[str(i)] = edge["shape"]
        if origin is None or edge["dtype"] != origin["dtype"]:
            dtypes[str(i)] = strings(edge["dtype"])
    if shapes:
        ecols["shape"] = shapes
    if dtypes:
        ecols["dtype"] = dtypes

    compact: dict[str, Any] = {
        "version": payload["version"],
        "title": payload["title"],
        "encoding": ENCODING,
        "strings": strings.table,
        "nodes": cols,
        "edges": ecols,
        "outputs": [ref(o) for o in payload["outputs"]],
    }
    for key in _PAYLOAD_EXTRAS:
        if key in payload:
            compact[key] = payload[key]
    return compact


def _wire_figure(value: float | None) -> float | str | None:
    """A metric figure as JSON carries it (a non-finite one as its NonFiniteNumber)."""
    return value if value is None else json_number(value)


def _figure(value: float | str) -> float:
    """A metric figure from the wire: a NonFiniteNumber string back to its float."""
    return float(value.replace("Infinity", "inf")) if isinstance(value, str) else value


def _encode_source(source: dict[str, Any] | None, strings: _Strings) -> list[Any] | None:
    """[file, line, function, cell] with strings as indices, trailing nulls dropped."""
    if source is None:
        return None
    out: list[Any] = [strings(source["file"]), source["line"]]
    for key in ("function", "cell"):
        value = source.get(key)
        out.append(None if value is None else strings(value))
    while out[-1] is None:
        out.pop()
    return out


def decode(compact: dict[str, Any]) -> dict[str, Any]:
    """The GraphPayload of a CompactGraph."""
    strings: list[str] = compact["strings"]
    cols: dict[str, Any] = compact["nodes"]
    count: int = cols["count"]
    ids = [strings[i] for i in cols["id"]] if "id" in cols else [f"n{i}" for i in range(count)]

    def unref(i: int) -> str:
        return ids[i] if i >= 0 else strings[-1 - i]

    columns = {key: cols[key] for key in _STRING_COLUMNS}
    refs = {key: cols[key] for key in _REF_COLUMNS if key in cols}
    nonfinite = cols.get("nonfinite", {})
    params = cols.get("params", {})
    sources = cols.get("source", {})
    flags = {flag: set(cols.get(flag, ())) for flag in ("has_value", "has_grad")}
    metric_cols: dict[str, list[Any]] = cols.get("metrics", {})
    nodes: list[dict[str, Any]] = []
    for i in range(count):
        node: dict[str, Any] = {"id": ids[i]}
        for key, col in columns.items():
            node[key] = strings[col[i]]
        node["shape"] = cols["shape"][i]
        for key, targets in refs.items():
            if targets[i] is not None:
                node[key] = unref(targets[i])
        key_i = str(i)
        if key_i in nonfinite:
            node["nonfinite"] = nonfinite[key_i]
        if key_i in params:
            node["params"] = params[key_i]
        if key_i in sources:
            node["source"] = _decode_source(sources[key_i], strings)
        for flag, marked in flags.items():
            if i in marked:
                node[flag] = True
        metrics = {name: _figure(col[i]) for name, col in metric_cols.items() if col[i] is not None}
        if metrics:
            node["metrics"] = metrics
        nodes.append(node)

    ecols: dict[str, Any] = compact["edges"]
    shapes = ecols.get("shape", {})
    dtypes = ecols.get("dtype", {})
    edge_ids = ecols.get("id")
    edges: list[dict[str, Any]] = []
    for i, (src, dst, port) in enumerate(
        zip(ecols["src"], ecols["dst"], ecols["port"], strict=True)
    ):
        key_i = str(i)
        origin = nodes[src] if src >= 0 else None
        edges.append(
            {
                "id": strings[edge_ids[i]] if edge_ids is not None else f"e{i}",
                "source": unref(src),
                "target": unref(dst),
                "target_port": port,
                "shape": shapes[key_i] if key_i in shapes else origin and origin["shape"],
                "dtype": strings[dtypes[key_i]] if key_i in dtypes else origin and origin["dtype"],
            }
        )

    payload: dict[str, Any] = {
        "version": compact["version"],
        "title": compact["title"],
        "nodes": nodes,
        "edges": edges,
        "outputs": [unref(o) for o in compact["outputs"]],
    }
    for key in _PAYLOAD_EXTRAS:
        if key in compact:
            payload[key] = compact[key]
    return payload


def _decode_source(source: list[Any] | None, strings: list[str]) -> dict[str, Any] | None:
    if source is None:
        return None
    out: dict[str, Any] = {"file": strings[source[0]], "line": source[1]}
    for key, value in zip(("function", "cell"), source[2:], strict=False):
        if value is not None:
            out[key] = strings[value]
    return out
