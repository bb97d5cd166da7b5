"""`show(x)`: the one call that puts a computation on screen."""

from __future__ import annotations

from typing import Any

from vizflow_engine import Tensor
from vizflow_engine.graph import Graph
from vizflow_kernelext.payload import BuiltGraph, build_from_graph, build_from_tensor
from vizflow_kernelext.widgets import GraphViewer


def build(obj: Any, title: str | None = None) -> BuiltGraph:
    """The payload and live values for anything vizflow can draw."""
    if isinstance(obj, Tensor):
        return build_from_tensor(obj, title=title)
    if isinstance(obj, Graph):
        return build_from_graph(obj, title=title)
    raise TypeError(
        f"vf.show() cannot display a {type(obj).__name__}; pass a vizflow Tensor (its "
        "recorded history is drawn) or a vf.Graph (from vf.trace, f.graph(...) or vf.Graph())"
    )


def show(
    obj: Any,
    *,
    compare: Any = None,
    title: str | None = None,
    direction: str = "RIGHT",
    height: str = "420px",
) -> GraphViewer:
    """A graph viewer for `obj` (displayed when last in a cell); `compare=` adds a second
    graph side by side (e.g. before and after vf.optimize), selection matched by node name."""
    built = build(obj, title)
    other = build(compare).payload if compare is not None else None
    return GraphViewer(
        built.payload,
        values=built.values,
        compare=other,
        layout_direction=direction,
        height=height,
        trusted=True,
    )
