"""vizflow's kernel side: the protocol, the widgets and the IPython extension."""

from vizflow_kernelext.payload import payload_from_tensor
from vizflow_kernelext.protocol import PROTOCOL_VERSION, ProtocolError
from vizflow_kernelext.show import show
from vizflow_kernelext.widgets import GraphViewer

__all__ = ["PROTOCOL_VERSION", "GraphViewer", "ProtocolError", "payload_from_tensor", "show"]
