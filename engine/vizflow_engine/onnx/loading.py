"""vf.onnx.load: any ONNX model as a vf.Graph that draws, runs and steps."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from ..graph.ir import Graph
from .errors import OnnxFormatError, require_onnx
from .importer import MIN_OPSET, Importer
from .read import read_model


def load(
    source: str | os.PathLike[str] | bytes,
    *,
    input_shapes: Mapping[str, Sequence[int | str | None]] | None = None,
) -> Graph:
    """The vf.Graph of an ONNX model (a path or the file's bytes).

    Initializers become variables (float) or constants, graph inputs placeholders with their
    symbolic dims (input_shapes overrides them by name), and each node the registry ops of
    its op type; an op type vizflow lacks runs in onnx's ReferenceEvaluator as one
    `onnx_node`, so every model loads. Opsets before 13 are converted up first. A malformed,
    truncated or unsafe file raises OnnxFormatError; loading runs no code from the file.
    """
    onnx = require_onnx()
    model = read_model(source)
    if input_shapes:
        _set_shapes(model, input_shapes)
    model = _upgrade(onnx, model)
    model = _infer(onnx, model)
    return Importer(model).build()


def _set_shapes(model: Any, shapes: Mapping[str, Sequence[int | str | None]]) -> None:
    names = {i.name: i for i in model.graph.input}
    for name, dims in shapes.items():
        if name not in names:
            raise KeyError(f"the model has no input {name!r}; its inputs: {sorted(names)}")
        shape = names[name].type.tensor_type.shape
        del shape.dim[:]
        for d in dims:
            dim = shape.dim.add()
            if isinstance(d, int):
                dim.dim_value = d
            elif isinstance(d, str):
                dim.dim_param = d


def _upgrade(onnx: Any, model: Any) -> Any:
    """Models of default-domain opset < 13 converted with onnx.version_converter."""
    v = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), MIN_OPSET)
    if v >= MIN_OPSET:
        return model
    try:
        return onnx.version_converter.convert_version(model, MIN_OPSET)
    except Exception as exc:  # the converter raises RuntimeError and others
        raise OnnxFormatError(
            f"cannot convert the model from opset {v} to {MIN_OPSET}: {exc}"
        ) from exc


def _infer(onnx: Any, model: Any) -> Any:
    """The model with inferred value types (unchanged where inference fails)."""
    try:
        return onnx.shape_inference.infer_shapes(model, data_prop=True)
    except Exception:  # inference of custom domains may fail; types then come per node
        return model
