"""Helpers shared by passes: hashable param keys, op classes."""

from __future__ import annotations

from typing import Any

import numpy as np

RANDOM_OPS = frozenset({"rand", "randn", "randint", "rand_like", "randn_like", "dropout"})


def params_key(params: dict[str, Any]) -> Any:
    """A hashable, comparable form of node params (arrays by content)."""
    return tuple(sorted((k, _key(v)) for k, v in params.items()))


def _key(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return ("array", v.dtype.str, v.shape, v.tobytes())
    if isinstance(v, (list, tuple)):
        return (type(v).__name__, tuple(_key(x) for x in v))
    if isinstance(v, dict):
        return params_key(v)
    if isinstance(v, slice):
        return ("slice", v.start, v.stop, v.step)
    try:
        hash(v)
    except TypeError:
        return ("id", id(v))
    return (type(v).__name__, v)
