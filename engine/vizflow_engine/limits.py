"""The size cap checked before a creation op allocates, and the checks of dims it needs.

A size-driven op (zeros(n), arange(n), one_hot(t, n)) with a mistaken size would otherwise
ask the allocator for terabytes and either fail deep inside numpy or take the machine's
memory; these checks fail first, with the op, the shape and the cap in the message.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

_cap = {"tensor_bytes": 4 << 30}


def max_tensor_bytes() -> int:
    """Bytes one tensor made by a creation op may take (4 GiB unless changed)."""
    return _cap["tensor_bytes"]


def set_max_tensor_bytes(nbytes: int) -> None:
    """Change the cap checked before a creation op allocates (e.g. for a large GPU)."""
    n = operator.index(nbytes)
    if n <= 0:
        raise ValueError(f"the tensor size cap must be positive, got {n}")
    _cap["tensor_bytes"] = n


def human_bytes(nbytes: int) -> str:
    """nbytes in the largest binary unit that keeps it >= 1 (4294967296 -> '4 GiB')."""
    for unit, size in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if nbytes >= size:
            v = nbytes / size
            return f"{v:,.0f} {unit}" if v >= 100 else f"{v:.3g} {unit}"
    return f"{nbytes} bytes"


def dim(d: Any, op: str) -> int:
    """One dim given to a creation op as an int: floats and bools are a TypeError (as in
    PyTorch), negative sizes a ValueError."""
    if isinstance(d, (bool, np.bool_)):
        raise TypeError(f"{op}: a dim must be an integer, not a bool ({d!r})")
    if isinstance(d, str):
        raise TypeError(
            f"{op}: a dim must be an integer, not str ({d!r}); a traced value's named dim is "
            "known only at run time: make the tensor from one that has it (e.g. "
            "vf.zeros_like(x)), or trace with a known size"
        )
    if not hasattr(type(d), "__index__"):
        raise TypeError(
            f"{op}: a dim must be an integer, not {type(d).__name__} ({d!r}); "
            "round it first, e.g. int(n)"
        )
    n = operator.index(d)  # a symbolic size explains itself (TraceError)
    if n < 0:
        raise ValueError(f"{op}: negative dim {n}")
    return n


def check_size(op: str, shape: tuple[Any, ...], dtype: Any) -> None:
    """Refuse a result of `shape` (dims unknown while tracing are not counted) and dtype
    larger than the cap, before anything is allocated."""
    known = [d for d in shape if isinstance(d, int)]
    nbytes = math.prod(known) * np.dtype(dtype).itemsize
    cap = _cap["tensor_bytes"]
    if nbytes > cap:
        raise ValueError(
            f"{op}: a result of shape {tuple(shape)} and dtype {np.dtype(dtype)} would take "
            f"{human_bytes(nbytes)}, more than the {human_bytes(cap)} one tensor may take; "
            "check the size, or raise the cap with "
            "vizflow_engine.limits.set_max_tensor_bytes(nbytes)"
        )


__all__ = ["check_size", "dim", "human_bytes", "max_tensor_bytes", "set_max_tensor_bytes"]
