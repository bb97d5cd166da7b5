"""The editor's answers to browser requests, each validated against the protocol schema.

Every handler returns the reply and its binary buffers, or raises (the widget then sends one
ErrorReply and nothing has changed). Inputs named from the kernel are looked up in the
user's namespace by name only (a schema-checked identifier), never evaluated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vizflow_engine.editing.errors import EditError
from vizflow_engine.tensor import Tensor


def user_namespace() -> dict[str, Any]:
    """The IPython user namespace ({} outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the kernel
        return {}
    shell = get_ipython()
    return {} if shell is None else shell.user_ns


def feeds(sources: dict[str, Any], namespace: dict[str, Any]) -> dict[str, Any]:
    """Placeholder name -> array, from {name: {from_kernel: var} | {random: true}}."""
    out: dict[str, Any] = {}
    for name, source in sources.items():
        if "from_kernel" not in source:
            continue  # random: the run draws it from the declared shape
        var = source["from_kernel"]
        if var not in namespace:
            raise EditError(f"input {name!r}: no kernel variable {var!r}")
        value = namespace[var]
        if not isinstance(value, (np.ndarray, Tensor, np.generic, int, float)):
            raise EditError(
                f"input {name!r}: kernel variable {var!r} is a {type(value).__name__}, not an array"
            )
        out[name] = value
    return out
