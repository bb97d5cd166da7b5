"""Graph-mode errors: tracing mistakes and verifier failures, each naming the node."""

from __future__ import annotations

import linecache

from ..errors import VizflowError


class TraceError(VizflowError, TypeError):
    """Python code asked a symbolic value for a concrete fact (bool, int, numpy array)."""


def trace_error(message: str) -> TraceError:
    """A TraceError whose message ends with the user's line that asked (file:line, in
    function, and the source text), so a failure deep in a model names the code to change."""
    from ..node import capture_location

    loc = capture_location()
    if loc is None:
        return TraceError(message)
    text = linecache.getline(loc.file, loc.line).strip()
    return TraceError(f"{message}\n  at {loc}" + (f": {text}" if text else ""))


class GraphError(VizflowError, ValueError):
    """A graph is malformed (dangling input, cycle, wrong shape); names the node at fault."""

    def __init__(self, node: str, reason: str) -> None:
        self.node = node
        self.reason = reason
        super().__init__(f"node {node!r}: {reason}")


class GraphFormatError(VizflowError, ValueError):
    """A graph file (or its arrays) that loading refuses; names the JSON path and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")
