"""Module-level function forms of every op (vizflow_engine.exp(x), …) in one namespace."""

from __future__ import annotations

from typing import Any

from .ops.bitwise import *  # noqa: F403
from .ops.comparison import *  # noqa: F403
from .ops.composites import *  # noqa: F403
from .ops.elementwise import *  # noqa: F403
from .ops.indexing import *  # noqa: F403
from .ops.linalg import *  # noqa: F403
from .ops.math import *  # noqa: F403
from .ops.predicates import *  # noqa: F403
from .ops.reduction import *  # noqa: F403
from .ops.scans import *  # noqa: F403
from .ops.scatter import *  # noqa: F403
from .ops.shape import *  # noqa: F403
from .ops.shape_more import *  # noqa: F403
from .ops.sorting import *  # noqa: F403
from .ops.stats import *  # noqa: F403


def _wire_tensor() -> None:
    """Give tensor.py its op entry points (set here to avoid an import cycle).

    The arithmetic operators and the one-input math methods are replaced by dispatch's
    fast-path methods (same results; see dispatch.binary_method); the definitions in
    tensor.py stay as the documented, typed fallbacks.
    """
    import sys

    import numpy as np

    from .dispatch import binary, binary_method, unary, unary_method
    from .ops import elementwise as O
    from .tensor import Tensor

    tensor_mod: Any = sys.modules[Tensor.__module__]

    tensor_mod._F = sys.modules[__name__]
    tensor_mod._O = O
    tensor_mod._binary = binary
    tensor_mod._unary = unary
    T: Any = Tensor
    for name, op, pyop in (
        ("add", O.ADD, np.add),
        ("sub", O.SUB, np.subtract),
        ("mul", O.MUL, np.multiply),
        ("truediv", O.DIV, O.true_divide),
    ):
        setattr(T, f"__{name}__", binary_method(op, pyop))
        setattr(T, f"__r{name}__", binary_method(op, pyop, reflected=True))
    for op in (
        O.EXP,
        O.LOG,
        O.LOG1P,
        O.SQRT,
        O.SQUARE,
        O.RECIPROCAL,
        O.SIN,
        O.COS,
        O.TANH,
        O.RELU,
        O.ABS,
        O.SIGN,
        O.NEG,
    ):
        setattr(T, op.name, unary_method(op))
    T.__neg__ = T.neg
    T.__abs__ = T.abs


_wire_tensor()
