"""Bitwise ops on integer and bool tensors (bools: logical), shifts, and integer-style
division: floor_divide (`//`), remainder (`%`, Python's sign) and fmod (C's sign)."""

from __future__ import annotations

from typing import Any

from .. import dtypes
from .. import functional as F
from ..dispatch import binary, unary
from ..registry import OpDef, TensorSpec, defop
from ._rules import elementwise
from .elementwise import quiet

_promote = elementwise("same")


def _integral(specs: tuple[TensorSpec, ...], **params: Any) -> TensorSpec:
    """Broadcast and promote, refusing floats: bitwise ops take integers and bools only."""
    for s in specs:
        if s.dtype is float or dtypes.as_dtype(s.dtype).kind not in "biu":
            raise ValueError(f"bitwise ops take integer or bool tensors, not {s.dtype}")
    return _promote(specs)


def _bitwise(name: str, fn: str, sym: str, doc: str) -> OpDef:
    return defop(
        name,
        "logical",
        inputs=("x", "y"),
        forward=lambda xp, a, b: getattr(xp, fn)(a, b),
        shape_rule=_integral,
        vjp=None,
        formula=f"z = x {sym} y (bitwise)",
        grad_formula="not differentiable (integer output)",
        doc=doc,
    )


BITWISE_AND = _bitwise("bitwise_and", "bitwise_and", "&", "Bitwise AND (logical AND of bools).")
BITWISE_OR = _bitwise("bitwise_or", "bitwise_or", "|", "Bitwise OR (logical OR of bools).")
BITWISE_XOR = _bitwise("bitwise_xor", "bitwise_xor", "^", "Bitwise XOR (logical XOR of bools).")
LEFT_SHIFT = _bitwise("bitwise_left_shift", "left_shift", "<<", "x shifted left by y bits.")
RIGHT_SHIFT = _bitwise(
    "bitwise_right_shift", "right_shift", ">>", "x shifted right by y bits (sign kept)."
)
BITWISE_NOT = defop(
    "bitwise_not",
    "logical",
    forward=lambda xp, x: xp.invert(x),
    shape_rule=lambda specs, **p: _integral(specs[:1]),
    vjp=None,
    formula="z = ~x (bitwise; -x - 1 for signed ints)",
    grad_formula="not differentiable (integer output)",
    doc="Bitwise NOT (logical NOT of bools).",
)
FLOOR_DIVIDE = defop(
    "floor_divide",
    "elementwise",
    inputs=("x", "y"),
    forward=quiet(lambda xp, a, b: xp.floor_divide(a, b)),
    shape_rule=_promote,
    vjp=None,
    formula="z = ⌊x / y⌋",
    grad_formula="not differentiable (as in PyTorch)",
    doc="Division rounded down (Python's //; ints stay ints).",
)
REMAINDER = defop(
    "remainder",
    "elementwise",
    inputs=("x", "y"),
    forward=quiet(lambda xp, a, b: xp.remainder(a, b)),
    shape_rule=_promote,
    vjp=lambda g, ins, out: (g, -g * F.floor_divide(ins[0], ins[1])),
    formula="z = x - ⌊x / y⌋ y (sign of y)",
    grad_formula="dx = g; dy = -g ⌊x / y⌋",
    doc="Python's modulus: the result has the divisor's sign.",
)
FMOD = defop(
    "fmod",
    "elementwise",
    inputs=("x", "y"),
    forward=quiet(lambda xp, a, b: xp.fmod(a, b)),
    shape_rule=_promote,
    vjp=lambda g, ins, out: (g, -g * F.trunc(F.div(ins[0], ins[1]))),
    formula="z = x - trunc(x / y) y (sign of x)",
    grad_formula="dx = g; dy = -g trunc(x / y)",
    doc="C's fmod: the result has the dividend's sign.",
)


def bitwise_and(input: Any, other: Any) -> Any:
    """Bitwise AND of integers (logical for bools)."""
    return binary(BITWISE_AND, input, other)


def bitwise_or(input: Any, other: Any) -> Any:
    """Bitwise OR of integers (logical for bools)."""
    return binary(BITWISE_OR, input, other)


def bitwise_xor(input: Any, other: Any) -> Any:
    """Bitwise XOR of integers (logical for bools)."""
    return binary(BITWISE_XOR, input, other)


def bitwise_not(input: Any) -> Any:
    """Bitwise NOT of integers (logical for bools)."""
    return unary(BITWISE_NOT, input)


def bitwise_left_shift(input: Any, other: Any) -> Any:
    """input << other."""
    return binary(LEFT_SHIFT, input, other)


def bitwise_right_shift(input: Any, other: Any) -> Any:
    """input >> other (arithmetic shift)."""
    return binary(RIGHT_SHIFT, input, other)


def floor_divide(input: Any, other: Any) -> Any:
    """input // other, rounded down."""
    return binary(FLOOR_DIVIDE, input, other)


def remainder(input: Any, other: Any) -> Any:
    """input % other with the divisor's sign (Python's %)."""
    return binary(REMAINDER, input, other)


def fmod(input: Any, other: Any) -> Any:
    """C's fmod: the remainder with the dividend's sign."""
    return binary(FMOD, input, other)


__all__ = [
    "bitwise_and",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "floor_divide",
    "fmod",
    "remainder",
]
