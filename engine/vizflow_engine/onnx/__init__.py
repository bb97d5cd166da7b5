"""vf.onnx: load any ONNX model as a vf.Graph (to see and step it) and save a graph as ONNX.

Needs the onnx package (`pip install vizflow[onnx]`); importing vf.onnx works without it,
and calling load or save then says how to install it. load, save and to_model are imported
on first use: the graph package imports this package's fallback op while it initialises.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .._api import public_dir
from .errors import OnnxExportError, OnnxFormatError

if TYPE_CHECKING:
    from .loading import load
    from .saving import save, to_model

__all__ = ["OnnxExportError", "OnnxFormatError", "load", "save", "to_model"]
_LAZY = {"load": ".loading", "save": ".saving", "to_model": ".saving"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module, __name__), name)


__dir__ = public_dir(__all__)
