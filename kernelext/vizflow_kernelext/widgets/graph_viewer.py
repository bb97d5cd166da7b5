"""The graph viewer widget: holds a validated GraphPayload the browser draws."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import traitlets

from vizflow_kernelext.protocol import validate_graph_payload

MODULE_NAME = "@vizflow/jupyterlab"
MODULE_VERSION = "0.1.0"
LAYOUT_DIRECTIONS = ("RIGHT", "DOWN")


class GraphViewer(widgets.DOMWidget):
    """Interactive view of one computation graph, drawn by the labextension."""

    _model_name = traitlets.Unicode("GraphViewerModel").tag(sync=True)
    _view_name = traitlets.Unicode("GraphViewerView").tag(sync=True)
    _model_module = traitlets.Unicode(MODULE_NAME).tag(sync=True)
    _view_module = traitlets.Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)
    _view_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)

    graph = traitlets.Dict().tag(sync=True)
    layout_direction = traitlets.Enum(LAYOUT_DIRECTIONS, default_value="RIGHT").tag(sync=True)
    height = traitlets.Unicode("420px").tag(sync=True)

    def __init__(self, graph: dict[str, Any], **kwargs: Any) -> None:
        validate_graph_payload(graph)
        super().__init__(graph=graph, **kwargs)

    @traitlets.validate("graph")
    def _check_graph(self, proposal: dict[str, Any]) -> dict[str, Any]:
        value: dict[str, Any] = proposal["value"]
        validate_graph_payload(value)
        return value
