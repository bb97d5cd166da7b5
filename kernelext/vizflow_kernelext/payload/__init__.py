"""Builders of the protocol's GraphPayload from eager histories and traced graphs."""

from vizflow_kernelext.payload.common import BuiltGraph
from vizflow_kernelext.payload.eager import build_from_tensor, payload_from_tensor
from vizflow_kernelext.payload.traced import build_from_graph

__all__ = ["BuiltGraph", "build_from_graph", "build_from_tensor", "payload_from_tensor"]
