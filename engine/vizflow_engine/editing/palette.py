"""The palette: every registry op (category, formula, doc, params, input ports), the leaf
kinds (placeholder, variable with vf.nn.init initialisers, constant) and vf.nn layers."""

from __future__ import annotations

from typing import Any

from ..graph.param_check import DTYPES
from ..registry import REQUIRED, all_ops, param_kind
from .layers import LAYERS
from .params import FLOAT_DTYPES, INITS, to_json

CHOICES: dict[str, list[Any]] = {
    "bool": [False, True],
    "dtype": list(DTYPES),
    "reduction": ["mean", "sum", "none"],
}


def _param(
    name: str, kind: str, default: Any, doc: str = "", choices: Any = None
) -> dict[str, Any]:
    required = default is REQUIRED
    return {
        "name": name,
        "type": kind,
        "default": None if required else to_json(default),
        "choices": choices if choices is not None else CHOICES.get(kind),
        "required": required,
        "doc": doc,
    }


def _leaves() -> list[dict[str, Any]]:
    shape_doc = "dims: ints, or names like 'batch' for a size known at run time"
    return [
        {
            "key": "placeholder", "label": "placeholder", "category": "input",
            "formula": "x = fed at run time", "kind": "placeholder", "inputs": [],
            "doc": "A graph input, fed at run time (from a kernel array or random values).",
            "params": [_param("shape", "shape", ("batch",), shape_doc),
                       _param("dtype", "dtype", "float32")],
        },
        {
            "key": "variable", "label": "variable", "category": "input",
            "formula": "w = init(shape)", "kind": "variable", "inputs": [],
            "doc": "A trainable value, initialised by a vf.nn.init initialiser.",
            "params": [_param("shape", "size", (1,), "ints"),
                       _param("dtype", "dtype", "float32", choices=list(FLOAT_DTYPES)),
                       _param("init", "init", "zeros", choices=list(INITS)),
                       _param("requires_grad", "bool", True)],
        },
        {
            "key": "constant", "label": "constant", "category": "input",
            "formula": "c = value", "kind": "constant", "inputs": [],
            "doc": "A fixed value: a number or a small nested list.",
            "params": [_param("value", "value", 0.0, "a number or nested list"),
                       _param("dtype", "dtype", "float32")],
        },
    ]  # fmt: skip


def palette() -> list[dict[str, Any]]:
    """The palette's entries (EditorPaletteItem in the protocol)."""
    items = _leaves()
    for op in all_ops():
        items.append(
            {
                "key": op.name,
                "label": op.name,
                "category": op.category,
                "formula": op.formula,
                "doc": op.doc,
                "kind": "op",
                "params": [
                    _param(p.name, param_kind(op.name, p.name) or "any", p.default, p.doc)
                    for p in op.params
                ],
                "inputs": list(op.inputs),
            }
        )
    for d in LAYERS.values():
        items.append(
            {
                "key": d.name,
                "label": d.name,
                "category": "layer",
                "formula": d.doc,
                "doc": f"vf.nn.{d.name} as a group of its ops and parameters",
                "kind": "layer",
                "params": [
                    _param(a.name, a.type, REQUIRED if a.default is None else a.default, a.doc)
                    for a in d.args
                ],
                "inputs": ["x"],
            }
        )
    return items
