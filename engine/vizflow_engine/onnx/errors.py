"""The one error a bad ONNX file gives, and the hint when the onnx package is missing."""

from __future__ import annotations

from types import ModuleType

from ..errors import VizflowError

INSTALL_HINT = "vf.onnx needs the onnx package: pip install vizflow[onnx]"


class OnnxFormatError(VizflowError, ValueError):
    """An ONNX model that loading refuses: malformed, truncated, or pointing outside its folder."""


class OnnxExportError(VizflowError, ValueError):
    """A graph that cannot be written as ONNX; names the node and why."""


def require_onnx() -> ModuleType:
    """The onnx module, or an ImportError saying how to install it."""
    try:
        import onnx
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return onnx
