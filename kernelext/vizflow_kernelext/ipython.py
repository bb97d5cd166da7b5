"""The IPython extension: `%load_ext vizflow` makes tensors, graphs and modules display as
viewers."""

from __future__ import annotations

from typing import Any

from IPython.display import display

from vizflow_engine.graph import Graph, spec
from vizflow_engine.nn import Module
from vizflow_engine.tensor import Tensor
from vizflow_kernelext.show import show
from vizflow_kernelext.widgets import GraphViewer


def _display_tensor(tensor: Tensor) -> bool:
    """A tensor's repr and, when ops computed it, the graph that made it."""
    print(repr(tensor))
    if tensor.node is not None:
        display(show(tensor))
    return True


def _display_graph(graph: Graph) -> bool:
    """A graph as a viewer (its text form stays available through print(g))."""
    display(show(graph))
    return True


def module_viewer(module: Module) -> GraphViewer | None:
    """The module's graph traced on the signature of its last top-level call (None if never
    called: there is nothing to trace it on)."""
    signature = module.last_signature
    if signature is None:
        return None
    return show(module, inputs=tuple(spec(shape, dtype) for shape, dtype in signature))


def _display_module(module: Module) -> bool:
    """A module's repr and, once it has been called, its graph."""
    print(repr(module))
    viewer = module_viewer(module)
    if viewer is None:
        print("(call the module once, or use vf.show(model, inputs=x), to see its graph)")
    else:
        display(viewer)
    return True


def load_ipython_extension(ipython: Any) -> None:
    """Register vizflow's display hooks in this IPython shell."""
    formatter = ipython.display_formatter.ipython_display_formatter
    formatter.for_type(Tensor, _display_tensor)
    formatter.for_type(Graph, _display_graph)
    formatter.for_type(Module, _display_module)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove vizflow's display hooks."""
    formatter = ipython.display_formatter.ipython_display_formatter
    for kind in (Tensor, Graph, Module):
        formatter.type_printers.pop(kind, None)
