"""ONNX element types and shapes <-> numpy dtypes and vizflow shapes."""

from __future__ import annotations

from typing import Any

import numpy as np

# TensorProto element type numbers (onnx.TensorProto.FLOAT, …) of the dtypes vizflow runs
ELEM_TO_DTYPE: dict[int, np.dtype[Any]] = {
    1: np.dtype("float32"),
    2: np.dtype("uint8"),
    3: np.dtype("int8"),
    4: np.dtype("uint16"),
    5: np.dtype("int16"),
    6: np.dtype("int32"),
    7: np.dtype("int64"),
    9: np.dtype("bool"),
    10: np.dtype("float16"),
    11: np.dtype("float64"),
    12: np.dtype("uint32"),
    13: np.dtype("uint64"),
}
DTYPE_TO_ELEM: dict[str, int] = {str(d): e for e, d in ELEM_TO_DTYPE.items()}


def dtype_of(elem: int) -> np.dtype[Any] | None:
    """The numpy dtype of an ONNX element type, None for one vizflow has not (bfloat16, string…)."""
    return ELEM_TO_DTYPE.get(elem)


def elem_of(dtype: Any) -> int:
    """The ONNX element type of a numpy dtype."""
    try:
        return DTYPE_TO_ELEM[str(np.dtype(dtype))]
    except KeyError:
        raise ValueError(f"dtype {dtype} has no ONNX element type vizflow writes") from None


def shape_of(type_proto: Any) -> tuple[int | str | None, ...] | None:
    """Dims of a tensor TypeProto (ints, dim_param names, None); None when the rank is unknown."""
    if not type_proto.HasField("tensor_type") or not type_proto.tensor_type.HasField("shape"):
        return None
    dims: list[int | str | None] = []
    for d in type_proto.tensor_type.shape.dim:
        if d.HasField("dim_value"):
            dims.append(int(d.dim_value))
        elif d.HasField("dim_param") and d.dim_param:
            dims.append(d.dim_param)
        else:
            dims.append(None)
    return tuple(dims)


def elem_type_of(type_proto: Any) -> int:
    """A TypeProto's tensor element type (0 if it is not a tensor or not known)."""
    return int(type_proto.tensor_type.elem_type) if type_proto.HasField("tensor_type") else 0
