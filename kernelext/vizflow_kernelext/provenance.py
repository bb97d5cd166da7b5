"""Where an inspected value comes from, and whether it changed since the graph was made.

A node's value is either *recorded* (kept by the run that made the graph: an eager op's
output, a node-by-node run's value) or *current* (a leaf's value now: a parameter, a
variable, a constant). When the viewer is built, each eager Tensor's write count
(`Tensor._version`, bumped by every in-place write) is noted, so a later write (an
`opt.step()` after the graph was shown) is reported as `changed_since_recorded` without
reading the values. Other values (arrays a graph run made, a graph's variables) have no
counter and get a fingerprint instead (a 128-bit BLAKE2 digest of bytes, shape and dtype).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np


def host_array(value: Any) -> np.ndarray[Any, Any]:
    """A value (Tensor, numpy or cupy array, scalar) as a numpy array on the host."""
    if callable(getattr(value, "numpy", None)):
        value = value.numpy()
    elif not isinstance(value, np.ndarray) and callable(getattr(value, "get", None)):
        value = value.get()  # a cupy array
    return np.asarray(value)


def fingerprint(value: Any) -> bytes:
    """A digest of a value's bytes, shape and dtype: equal digests mean equal values."""
    data = np.ascontiguousarray(host_array(value))
    digest = hashlib.blake2b(data.view(np.uint8).data, digest_size=16)
    digest.update(repr((data.shape, data.dtype.str)).encode())
    return digest.digest()


def mark(value: Any) -> int | bytes:
    """What tells a later change: an eager Tensor's write count, else a fingerprint."""
    version = getattr(value, "_version", None)
    return version if isinstance(version, int) else fingerprint(value)


class Provenance:
    """The value_source and changed_since_recorded of each node value a viewer holds."""

    def __init__(self, values: Mapping[str, Any], current: Collection[str]) -> None:
        self._current = frozenset(current)
        self._marks = {node_id: mark(v) for node_id, v in values.items()}

    def describe(self, node_id: str, held: Any) -> dict[str, Any]:
        """The InspectReply fields saying where `held` (node_id's value) comes from."""
        if held is None:
            return {"value_source": None, "changed_since_recorded": False}
        source = "current" if node_id in self._current else "recorded"
        then = self._marks.get(node_id)
        changed = then is not None and mark(held) != then
        return {"value_source": source, "changed_since_recorded": changed}
