"""The IPython extension: `%load_ext vizflow` makes tensors and graphs display as viewers."""

from __future__ import annotations

from typing import Any

from IPython.display import display

from vizflow_engine import Tensor
from vizflow_engine.graph import Graph
from vizflow_kernelext.show import show


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


def load_ipython_extension(ipython: Any) -> None:
    """Register vizflow's display hooks in this IPython shell."""
    formatter = ipython.display_formatter.ipython_display_formatter
    formatter.for_type(Tensor, _display_tensor)
    formatter.for_type(Graph, _display_graph)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove vizflow's display hooks."""
    formatter = ipython.display_formatter.ipython_display_formatter
    for kind in (Tensor, Graph):
        formatter.type_printers.pop(kind, None)
