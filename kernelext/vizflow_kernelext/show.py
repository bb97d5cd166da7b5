"""`show(x)`: the one call that puts a computation on screen."""

from __future__ import annotations

from typing import Any

from vizflow_engine import Tensor
from vizflow_kernelext.graph_payload import payload_from_tensor
from vizflow_kernelext.widgets import GraphViewer


def show(
    obj: Any, *, title: str | None = None, direction: str = "RIGHT", height: str = "420px"
) -> GraphViewer:
    """Return a graph viewer for a tensor's recorded history (displayed when last in a cell)."""
    if isinstance(obj, Tensor):
        payload = payload_from_tensor(obj, title=title)
    else:
        raise TypeError(
            f"vf.show() cannot display a {type(obj).__name__}; pass a vizflow Tensor "
            "(its recorded history is drawn)"
        )
    return GraphViewer(payload, layout_direction=direction, height=height)
