"""vf.onnx.save: a graph (or a function / module traced on example inputs) as an ONNX file."""

from __future__ import annotations

import os
from typing import Any

from ..graph.ir import Graph
from .errors import OnnxExportError, require_onnx
from .exporter import Exporter

DEFAULT_OPSET = 18
MIN_OPSET = 18  # reductions take their axes as an input from 18 on


def to_model(target: Any, *args: Any, opset: int = DEFAULT_OPSET) -> Any:
    """The checked ModelProto of target's forward graph (see save)."""
    onnx = require_onnx()
    top = onnx.defs.onnx_opset_version()
    if not MIN_OPSET <= opset <= top:
        raise ValueError(f"opset must be in [{MIN_OPSET}, {top}], not {opset}")
    g = _graph(target, args)
    model = Exporter(g, opset).run()
    try:
        onnx.checker.check_model(model, full_check=True)
        onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    except Exception as exc:  # checker and inference raise several types
        raise OnnxExportError(f"the exported model fails ONNX's checks: {exc}") from exc
    return model


def save(target: Any, path: str | os.PathLike[str], *args: Any, opset: int = DEFAULT_OPSET) -> Any:
    """Write target's forward graph as ONNX to path; returns the ModelProto.

    target is a vf.Graph, or a @vf.function, nn.Module or function traced on args (arrays,
    tensors or vf.spec(...) with named dims, which the file keeps as symbolic dims). Variables
    become initializers holding their current values; backward and update nodes are left out.
    The file passes onnx.checker.check_model(full_check=True) and strict shape inference.
    """
    onnx = require_onnx()
    model = to_model(target, *args, opset=opset)
    onnx.save_model(model, os.fspath(path))
    return model


def _graph(target: Any, args: tuple[Any, ...]) -> Graph:
    if isinstance(target, Graph):
        if args:
            raise TypeError("save(graph, path) takes no example inputs; the graph has its own")
        return target
    if not callable(target):
        raise TypeError(
            f"save needs a vf.Graph, a function or a module, not {type(target).__name__}"
        )
    if not args:
        raise TypeError("save(fn, path, *inputs): give example inputs or vf.spec(...) to trace fn")
    from ..graph.trace import trace

    return trace(target, *args)
