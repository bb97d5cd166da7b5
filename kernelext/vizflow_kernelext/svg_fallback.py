"""A static SVG of a graph for front ends without the vizflow extension (graphviz `dot`)."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

from vizflow_kernelext.xml_text import xml_safe

MAX_FALLBACK_BOXES = 200  # dot takes ~0.3 s for 200 boxes, ~15 s for 1,000
_DOT_TIMEOUT_S = 5


def _escape(text: str) -> str:
    """Text safe inside a DOT string literal and shown as written: graphviz escapes it again
    for SVG, but reads `&name;` as an entity, so `&` goes in as `&amp;`; characters XML
    cannot hold become visible escapes first."""
    text = xml_safe(text).replace("&", "&amp;")
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _quote(*lines: str) -> str:
    """A DOT string literal of one or more centred lines."""
    return '"' + "\\n".join(_escape(line) for line in lines) + '"'


def _shape_text(shape: Any) -> str:
    if shape is None:
        return "?"
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + ")"


def payload_to_dot(payload: dict[str, Any]) -> str:
    """DOT source for a GraphPayload: one box per node (op, name, shape), left to right."""
    lines = ["digraph vizflow {", "  rankdir=LR;", '  node [shape=box, fontname="sans-serif"];']
    for node in payload["nodes"]:
        parts = [node["op"], *([node["name"]] if node["name"] else [])]
        if node["dtype"]:  # a folded scope has no single shape
            parts.append(f"{_shape_text(node['shape'])} {node['dtype']}")
        lines.append(f"  {_quote(node['id'])} [label={_quote(*parts)}];")
    for edge in payload["edges"]:
        lines.append(f"  {_quote(edge['source'])} -> {_quote(edge['target'])};")
    lines.append("}")
    return "\n".join(lines)


def collapse_scopes(payload: dict[str, Any], limit: int) -> dict[str, Any] | None:
    """The graph with scopes folded into one box each ("blocks/3 · 51 ops"), at the deepest
    scope level that leaves at most `limit` boxes; None when even the top level has more."""
    nodes = payload["nodes"]
    if len(nodes) <= limit:
        return payload
    depth = max((len(n["scope"].split("/")) for n in nodes if n.get("scope")), default=0)
    for level in range(depth, 0, -1):
        box = {n["id"]: _box_of(n, level) for n in nodes}
        if len(set(box.values())) <= limit:
            return _folded(payload, box)
    return None


def _box_of(node: dict[str, Any], level: int) -> str:
    scope = node.get("scope") or ""
    return "/".join(scope.split("/")[:level]) if scope else node["id"]


def _folded(payload: dict[str, Any], box: dict[str, str]) -> dict[str, Any]:
    """One node per box (a folded scope counts its ops), edges between boxes once each."""
    members: dict[str, list[dict[str, Any]]] = {}
    for n in payload["nodes"]:
        members.setdefault(box[n["id"]], []).append(n)
    nodes = []
    for key, group in members.items():
        if len(group) == 1:
            nodes.append({**group[0], "id": key})
        else:
            nodes.append(
                {"id": key, "op": key, "name": f"{len(group)} ops", "shape": None, "dtype": ""}
            )
    seen: set[tuple[str, str]] = set()
    edges = []
    for e in payload["edges"]:
        pair = (box[e["source"]], box[e["target"]])
        if pair[0] != pair[1] and pair not in seen:
            seen.add(pair)
            edges.append({"source": pair[0], "target": pair[1]})
    return {"nodes": nodes, "edges": edges}


def render_svg(payload: dict[str, Any]) -> str | None:
    """The graph as SVG text via `dot` (big graphs with their scopes folded), or None when
    dot is missing or the graph is too big to draw quickly even folded."""
    dot = shutil.which("dot")
    shown = collapse_scopes(payload, MAX_FALLBACK_BOXES) if dot is not None else None
    if dot is None or shown is None:
        return None
    try:
        result = subprocess.run(
            [dot, "-Tsvg"],
            input=payload_to_dot(shown),
            capture_output=True,
            text=True,
            timeout=_DOT_TIMEOUT_S,
            check=True,
        )
    except (subprocess.SubprocessError, OSError):
        return None
    return result.stdout
