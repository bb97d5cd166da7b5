"""What an op converter sees of one ONNX node: its inputs, attributes and static values."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..graph.ir import Graph, Value


class Unsupported(Exception):
    """A converter cannot express this node (an attribute value, a dynamic shape): fall back."""


def attr_value(a: Any) -> Any:
    """A Python value of an AttributeProto (tensors as numpy arrays, graphs as GraphProtos)."""
    from onnx import helper, numpy_helper

    if a.type == a.TENSOR:
        return numpy_helper.to_array(a.t)
    v = helper.get_attribute_value(a)
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, list):
        return [x.decode("utf-8") if isinstance(x, bytes) else x for x in v]
    return v


class NodeContext:
    """One ONNX node being converted: inputs as Values (None where omitted) and attributes."""

    def __init__(self, graph: Graph, node: Any, inputs: list[Value | None], opset: int) -> None:
        self.graph = graph
        self.node = node
        self.inputs = inputs
        self.opset = opset
        self.attrs = {a.name: attr_value(a) for a in node.attribute}

    @property
    def n_outputs(self) -> int:
        """How many outputs the node declares (trailing optional ones may be empty names)."""
        return len(self.node.output)

    def x(self, i: int) -> Value:
        """Input i, which must be present."""
        v = self.inputs[i] if i < len(self.inputs) else None
        if v is None:
            raise Unsupported(f"input {i} is missing")
        return v

    def has(self, i: int) -> bool:
        """Whether optional input i is given."""
        return i < len(self.inputs) and self.inputs[i] is not None

    def static(self, i: int) -> np.ndarray[Any, Any] | None:
        """Input i's array when it is known at load time (a constant or initializer)."""
        v = self.inputs[i] if i < len(self.inputs) else None
        if v is None or v.kind not in ("constant", "variable") or v.value is None:
            return None
        return np.asarray(v.value)

    def need_static(self, i: int) -> np.ndarray[Any, Any]:
        """Input i's array; a dynamic one makes the node fall back."""
        a = self.static(i)
        if a is None:
            raise Unsupported(f"input {i} is not known at load time")
        return a

    def ints(self, i: int) -> list[int] | None:
        """A static int list input (axes, shape, pads) or None when omitted."""
        if not self.has(i):
            return None
        return [int(v) for v in self.need_static(i).reshape(-1)]

    def a(self, name: str, default: Any = None) -> Any:
        """Attribute `name`, or default."""
        return self.attrs.get(name, default)

    def const(self, value: Any, dtype: Any) -> Value:
        """A constant of the given dtype."""
        return self.graph.constant(np.asarray(value, dtype=dtype))
