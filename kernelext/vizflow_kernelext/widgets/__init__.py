"""The widgets' Python halves; their views live in the labextension."""

from vizflow_kernelext.widgets.graph_viewer import GraphViewer

__all__ = ["GraphViewer"]
