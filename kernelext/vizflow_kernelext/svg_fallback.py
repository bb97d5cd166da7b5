"""A static SVG of a graph for front ends without the vizflow extension (graphviz `dot`)."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

MAX_FALLBACK_NODES = 2000
_DOT_TIMEOUT_S = 20


def _escape(text: str) -> str:
    """Text safe inside a DOT string literal (graphviz escapes it again for SVG)."""
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
        parts.append(f"{_shape_text(node['shape'])} {node['dtype']}")
        lines.append(f"  {_quote(node['id'])} [label={_quote(*parts)}];")
    for edge in payload["edges"]:
        lines.append(f"  {_quote(edge['source'])} -> {_quote(edge['target'])};")
    lines.append("}")
    return "\n".join(lines)


def render_svg(payload: dict[str, Any]) -> str | None:
    """The graph as SVG text via `dot`, or None when dot is missing or the graph is huge."""
    dot = shutil.which("dot")
    if dot is None or len(payload["nodes"]) > MAX_FALLBACK_NODES:
        return None
    try:
        result = subprocess.run(
            [dot, "-Tsvg"],
            input=payload_to_dot(payload),
            capture_output=True,
            text=True,
            timeout=_DOT_TIMEOUT_S,
            check=True,
        )
    except (subprocess.SubprocessError, OSError):
        return None
    return result.stdout
