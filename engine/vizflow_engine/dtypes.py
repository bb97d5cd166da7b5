"""Dtypes (numpy dtype objects) and promotion: numpy rules, Python scalars weak like torch."""

from __future__ import annotations

from typing import Any

import numpy as np

float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

half = float16
double = float64
long = int64

_state = {"default": float32}

_BY_NAME: dict[str, np.dtype[Any]] = {
    "float16": float16,
    "half": float16,
    "float32": float32,
    "float": float32,
    "float64": float64,
    "double": float64,
    "int32": int32,
    "int64": int64,
    "long": int64,
    "bool": bool_,
}

#: Python scalar types, which promote weakly (they never widen a tensor's dtype).
WEAK_TYPES: tuple[type, ...] = (bool, int, float)


def get_default_dtype() -> np.dtype[Any]:
    """The dtype of floating tensors made from Python floats (float32 unless changed)."""
    return _state["default"]


def set_default_dtype(dtype: Any) -> None:
    """Set the default floating dtype (float32 or float64)."""
    _state["default"] = as_dtype(dtype)


def as_dtype(dtype: Any) -> np.dtype[Any]:
    """Normalise a dtype given as name, numpy dtype, numpy type or Python type."""
    if isinstance(dtype, np.dtype):
        return dtype
    if isinstance(dtype, str):
        try:
            return _BY_NAME[dtype]
        except KeyError:
            raise TypeError(f"unknown dtype {dtype!r}; use one of {sorted(_BY_NAME)}") from None
    if dtype is float:
        return _state["default"]
    if dtype is int:
        return int64
    if dtype is bool:
        return bool_
    return np.dtype(dtype)


def is_floating(dtype: Any) -> bool:
    """True for floating dtypes (the only ones that carry gradients)."""
    return np.dtype(dtype).kind == "f"


_WEAK_SAMPLE = {bool: False, int: 0, float: 0.0}


def result_type(*dtypes: Any) -> np.dtype[Any]:
    """Promote dtypes like numpy; Python types (bool, int, float) are weak like torch scalars."""
    strong = [np.dtype(d) for d in dtypes if d not in _WEAK_SAMPLE]
    weak = [d for d in dtypes if d in _WEAK_SAMPLE]
    if not strong:
        if float in weak:
            return _state["default"]
        return int64 if int in weak else bool_
    out = np.result_type(*strong, *(_WEAK_SAMPLE[w] for w in weak))
    if out.kind == "f" and not any(d.kind == "f" for d in strong):
        return _state["default"]
    if out.kind in "iu" and out != int64 and not any(d.kind in "iu" for d in strong):
        return int64
    return out
