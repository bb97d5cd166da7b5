"""The IPython extension: `%load_ext vizflow` makes computations display as graphs."""

from __future__ import annotations

from typing import Any

from IPython.display import display

from vizflow_engine import Tensor
from vizflow_kernelext.show import show


def _display_tensor(tensor: Tensor) -> bool:
    """Show a tensor's repr and, when it was computed by ops, the graph that made it."""
    print(repr(tensor))
    if tensor.node is not None:
        display(show(tensor))
    return True


def load_ipython_extension(ipython: Any) -> None:
    """Register vizflow's display hooks in this IPython shell."""
    formatter = ipython.display_formatter.ipython_display_formatter
    formatter.for_type(Tensor, _display_tensor)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove vizflow's display hooks."""
    formatter = ipython.display_formatter.ipython_display_formatter
    formatter.type_printers.pop(Tensor, None)
