"""Comparison and logical ops: bool results, not differentiable."""

from __future__ import annotations

from typing import Any

from ..dispatch import binary, unary
from ..registry import OpDef, TensorSpec, defop
from ._names import reduction_args
from ._rules import elementwise, reduction

_boolrule = elementwise("bool")


def _unary_bool(specs: tuple[TensorSpec, ...], **params: Any) -> TensorSpec:
    return _boolrule(specs[:1])


def _cmp(name: str, fn: str, sym: str, category: str = "comparison") -> OpDef:
    return defop(
        name,
        category,
        inputs=("x", "y"),
        forward=lambda xp, a, b: getattr(xp, fn)(a, b),
        shape_rule=_boolrule,
        vjp=None,
        formula=f"z = x {sym} y",
        grad_formula="not differentiable (bool output)",
        doc=f"Elementwise x {sym} y as bool (broadcasts).",
    )


EQ = _cmp("eq", "equal", "==")
NE = _cmp("ne", "not_equal", "!=")
LT = _cmp("lt", "less", "<")
LE = _cmp("le", "less_equal", "<=")
GT = _cmp("gt", "greater", ">")
GE = _cmp("ge", "greater_equal", ">=")
LOGICAL_AND = _cmp("logical_and", "logical_and", "∧", "logical")
LOGICAL_OR = _cmp("logical_or", "logical_or", "∨", "logical")
LOGICAL_XOR = _cmp("logical_xor", "logical_xor", "⊕", "logical")
LOGICAL_NOT = defop(
    "logical_not",
    "logical",
    forward=lambda xp, x: xp.logical_not(x),
    shape_rule=_unary_bool,
    vjp=None,
    formula="z = ¬x",
    grad_formula="not differentiable (bool output)",
    doc="Elementwise NOT as bool.",
)
ISNAN = defop(
    "isnan",
    "comparison",
    forward=lambda xp, x: xp.isnan(x),
    shape_rule=_unary_bool,
    vjp=None,
    formula="z = [x is NaN]",
    grad_formula="not differentiable (bool output)",
    doc="True where x is NaN (the debugger's NaN check).",
)
ISFINITE = defop(
    "isfinite",
    "comparison",
    forward=lambda xp, x: xp.isfinite(x),
    shape_rule=_unary_bool,
    vjp=None,
    formula="z = [x is finite]",
    grad_formula="not differentiable (bool output)",
    doc="True where x is neither NaN nor ±inf.",
)
ALL = defop(
    "all",
    "logical",
    params=[("axis", None), ("keepdims", False)],
    forward=lambda xp, x, axis, keepdims: xp.all(x, axis=axis, keepdims=keepdims),
    shape_rule=reduction("bool"),
    vjp=None,
    formula="z = ∀ x ≠ 0 over axis",
    grad_formula="not differentiable (bool output)",
    doc="True where all values are nonzero.",
)
ANY = defop(
    "any",
    "logical",
    params=[("axis", None), ("keepdims", False)],
    forward=lambda xp, x, axis, keepdims: xp.any(x, axis=axis, keepdims=keepdims),
    shape_rule=reduction("bool"),
    vjp=None,
    formula="z = ∃ x ≠ 0 over axis",
    grad_formula="not differentiable (bool output)",
    doc="True where any value is nonzero.",
)


def eq(x: Any, y: Any) -> Any:
    """x == y elementwise."""
    return binary(EQ, x, y)


def ne(x: Any, y: Any) -> Any:
    """x != y elementwise."""
    return binary(NE, x, y)


def lt(x: Any, y: Any) -> Any:
    """x < y elementwise."""
    return binary(LT, x, y)


def le(x: Any, y: Any) -> Any:
    """x <= y elementwise."""
    return binary(LE, x, y)


def gt(x: Any, y: Any) -> Any:
    """x > y elementwise."""
    return binary(GT, x, y)


def ge(x: Any, y: Any) -> Any:
    """x >= y elementwise."""
    return binary(GE, x, y)


def logical_and(x: Any, y: Any) -> Any:
    """x AND y elementwise."""
    return binary(LOGICAL_AND, x, y)


def logical_or(x: Any, y: Any) -> Any:
    """x OR y elementwise."""
    return binary(LOGICAL_OR, x, y)


def logical_xor(x: Any, y: Any) -> Any:
    """x XOR y elementwise."""
    return binary(LOGICAL_XOR, x, y)


def logical_not(x: Any) -> Any:
    """NOT x elementwise."""
    return unary(LOGICAL_NOT, x)


def isnan(x: Any) -> Any:
    """True where x is NaN."""
    return unary(ISNAN, x)


def isfinite(x: Any) -> Any:
    """True where x is finite."""
    return unary(ISFINITE, x)


def all(
    x: Any,
    axis: Any = None,
    keepdims: bool = False,
    *,
    dim: Any = None,
    keepdim: bool | None = None,
) -> Any:
    """True where all values along axis are nonzero (dim=, keepdim= as PyTorch names them)."""
    axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
    return unary(ALL, x, {"axis": axis, "keepdims": keepdims})


def any(
    x: Any,
    axis: Any = None,
    keepdims: bool = False,
    *,
    dim: Any = None,
    keepdim: bool | None = None,
) -> Any:
    """True where any value along axis is nonzero (dim=, keepdim= as PyTorch names them)."""
    axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
    return unary(ANY, x, {"axis": axis, "keepdims": keepdims})


__all__ = [
    "all",
    "any",
    "eq",
    "ge",
    "gt",
    "isfinite",
    "isnan",
    "le",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "lt",
    "ne",
]
