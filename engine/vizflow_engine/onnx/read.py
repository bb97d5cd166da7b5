"""Reading an ONNX file safely: one error type for bad bytes, external data only beside it."""

from __future__ import annotations

import os
from typing import Any

from .errors import OnnxFormatError, require_onnx

MAX_MODEL_FILE = 2**31  # protobuf's own limit for one message


def read_model(source: str | os.PathLike[str] | bytes) -> Any:
    """The checked ModelProto of a path or bytes, external tensors loaded from its folder."""
    onnx = require_onnx()
    base: str | None = None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        path = os.fspath(source)
        try:
            size = os.path.getsize(path)
            if size > MAX_MODEL_FILE:
                raise OnnxFormatError(f"{path}: {size} bytes; an ONNX file holds at most 2 GiB")
            with open(path, "rb") as f:
                data = f.read()
        except OSError as exc:
            raise OnnxFormatError(f"cannot read ONNX model {path!r}: {exc.strerror}") from exc
        base = os.path.dirname(os.path.abspath(path))
    model = _parse(onnx, data)
    _load_external(onnx, model, base)
    try:
        onnx.checker.check_model(model)
    except (onnx.checker.ValidationError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise OnnxFormatError(f"not a valid ONNX model: {first}") from exc
    return model


def _parse(onnx: Any, data: bytes) -> Any:
    """Protobuf bytes to a ModelProto; anything unparsable or empty is an OnnxFormatError."""
    from google.protobuf.message import DecodeError

    if not data:
        raise OnnxFormatError("not an ONNX model: the file is empty")
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise OnnxFormatError(f"not an ONNX model (malformed or truncated): {exc}") from exc
    if not model.HasField("graph") or model.ir_version <= 0:
        raise OnnxFormatError("not an ONNX model: it has no graph or no IR version")
    return model


def _external_tensors(model: Any) -> list[Any]:
    """Every initializer (and Constant attribute tensor) stored in an external file."""
    from onnx.external_data_helper import _get_all_tensors, uses_external_data

    return [t for t in _get_all_tensors(model) if uses_external_data(t)]


def _load_external(onnx: Any, model: Any, base: str | None) -> None:
    """Load external tensor data, refusing any location outside the model's folder."""
    tensors = _external_tensors(model)
    if not tensors:
        return
    if base is None:
        raise OnnxFormatError(
            "the model stores tensors in external files; load it from its path, not bytes"
        )
    root = os.path.realpath(base)
    for t in tensors:
        info = {e.key: e.value for e in t.external_data}
        loc = info.get("location", "")
        full = os.path.realpath(os.path.join(root, loc))
        if not loc or os.path.isabs(loc) or os.path.commonpath([root, full]) != root:
            raise OnnxFormatError(
                f"tensor {t.name!r}: external data {loc!r} is outside the model's folder"
            )
        if not os.path.isfile(full):
            raise OnnxFormatError(f"tensor {t.name!r}: external data file {loc!r} is missing")
    from onnx.external_data_helper import load_external_data_for_model

    try:
        load_external_data_for_model(model, root)
    except (OSError, ValueError) as exc:
        raise OnnxFormatError(f"cannot read the model's external data: {exc}") from exc
