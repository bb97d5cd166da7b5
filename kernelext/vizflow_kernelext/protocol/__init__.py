"""The kernel-browser protocol: one JSON Schema, loaded and enforced here."""

from vizflow_kernelext.protocol.schema import (
    PROTOCOL_VERSION,
    ProtocolError,
    load_schema,
    validate_graph_payload,
    validate_message,
)

__all__ = [
    "PROTOCOL_VERSION",
    "ProtocolError",
    "load_schema",
    "validate_graph_payload",
    "validate_message",
]
