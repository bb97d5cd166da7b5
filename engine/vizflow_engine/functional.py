"""Module-level function forms of every op (vizflow_engine.exp(x), …) in one namespace."""

from __future__ import annotations

from .ops.comparison import *  # noqa: F403
from .ops.composites import *  # noqa: F403
from .ops.elementwise import *  # noqa: F403
from .ops.indexing import *  # noqa: F403
from .ops.linalg import *  # noqa: F403
from .ops.reduction import *  # noqa: F403
from .ops.shape import *  # noqa: F403


def _wire_tensor() -> None:
    """Give tensor.py its op entry points (set here to avoid an import cycle)."""
    import sys

    from . import tensor
    from .dispatch import binary, unary
    from .ops import elementwise

    tensor._F = sys.modules[__name__]  # type: ignore[attr-defined]
    tensor._O = elementwise  # type: ignore[attr-defined]
    tensor._binary = binary  # type: ignore[attr-defined]
    tensor._unary = unary  # type: ignore[attr-defined]


_wire_tensor()
