"""`show(x)`: the one call that puts a computation on screen."""

from __future__ import annotations

from typing import Any

from vizflow_engine.graph import Graph, Spec, trace
from vizflow_engine.nn import Module
from vizflow_engine.tensor import Tensor
from vizflow_kernelext.payload import BuiltGraph, build_from_graph, build_from_tensor
from vizflow_kernelext.payload.profile import Profile, profile_graph
from vizflow_kernelext.widgets import GraphViewer
from vizflow_kernelext.widgets.graph_viewer import AUTO_HEIGHT


def build(obj: Any, title: str | None = None, inputs: Any = None) -> BuiltGraph:
    """The payload and live values for anything vizflow can draw.

    A graph (or module) given arrays as `inputs` is run once, node by node, so every node
    shows its time and value; a training step's variables are restored afterwards.
    """
    args = () if inputs is None else inputs if isinstance(inputs, tuple) else (inputs,)
    if isinstance(obj, Tensor):
        return build_from_tensor(obj, title=title)
    if isinstance(obj, Graph):
        return build_from_graph(obj, title=title, profile=_profile(obj, args))
    if isinstance(obj, Module):
        if inputs is None:
            raise TypeError(
                f"vf.show({type(obj).__name__}(...)) needs example inputs to trace the module "
                "with: vf.show(model, inputs=x) (or a tuple of inputs)"
            )
        g = trace(obj, *args)
        return build_from_graph(g, title=title or type(obj).__name__, profile=_profile(g, args))
    draw = getattr(type(obj), "__vf_graph__", None)  # an object that draws itself as a Graph
    if draw is not None:
        return build_from_graph(draw(obj), title=title)
    raise TypeError(
        f"vf.show() cannot display a {type(obj).__name__}; pass a vizflow Tensor (its "
        "recorded history is drawn), a vf.Graph (from vf.trace, f.graph(...) or vf.Graph()), "
        "or a module with inputs=..."
    )


def _profile(graph: Graph, args: tuple[Any, ...]) -> Profile | None:
    """One stepped run on args when they are all arrays (specs only describe inputs)."""
    if not args or any(isinstance(a, Spec) for a in args):
        return None
    if len(args) != len(graph.inputs):
        raise TypeError(
            f"graph {graph.name!r} takes {len(graph.inputs)} inputs "
            f"{[v.name for v in graph.inputs]}; inputs= gave {len(args)}"
        )
    return profile_graph(graph, args)


def show(
    obj: Any,
    *,
    inputs: Any = None,
    compare: Any = None,
    title: str | None = None,
    direction: str | None = None,
    height: str | None = None,
) -> GraphViewer:
    """A graph viewer for `obj` (displayed when last in a cell): a tensor's history, a Graph,
    or a module traced on `inputs`. A Graph given `inputs` (arrays) is run once node by node,
    so each node shows its time (the "Time" overlay) and value. `compare=` adds a second
    graph side by side (e.g. before and after vf.optimize), selection matched by node name;
    `title` then heads the pair and each side keeps its own graph's name.
    `direction` ("RIGHT" or "DOWN") overrides the viewer's "Layout direction" setting; None
    follows the setting. `height` is a CSS length ("420px") or None: the viewer's height
    follows the graph, up to a cap (the widget's `height` state is then "auto")."""
    built = build(obj, title if compare is None else None, inputs)
    other = build(compare).payload if compare is not None else None
    return GraphViewer(
        built.payload,
        values=built.values,
        current=built.current,
        compare=other,
        layout_direction=direction,
        height=AUTO_HEIGHT if height is None else height,
        title=title or "",
        trusted=True,
    )
