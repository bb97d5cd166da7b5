"""isinf (a primitive), isclose and allclose: bool checks PyTorch code uses on results."""

from __future__ import annotations

from typing import Any

from .. import functional as F
from ..dispatch import unary
from ..registry import TensorSpec, composite, defop
from ._rules import elementwise

_boolrule = elementwise("bool")


def _unary_bool(specs: tuple[TensorSpec, ...], **params: Any) -> TensorSpec:
    return _boolrule(specs[:1])


ISINF = defop(
    "isinf",
    "comparison",
    forward=lambda xp, x: xp.isinf(x),
    shape_rule=_unary_bool,
    vjp=None,
    formula="z = [x is ±inf]",
    grad_formula="not differentiable (bool output)",
    doc="True where x is +inf or -inf.",
)


def isinf(x: Any) -> Any:
    """True where x is ±inf."""
    return unary(ISINF, x)


def isposinf(x: Any) -> Any:
    """True where x is +inf."""
    return F.logical_and(isinf(x), x > 0)


def isneginf(x: Any) -> Any:
    """True where x is -inf."""
    return F.logical_and(isinf(x), x < 0)


@composite(
    "isclose",
    "comparison",
    "z = |x - y| ≤ atol + rtol |y| (or x = y; NaNs equal when equal_nan)",
    params=("rtol", "atol", "equal_nan"),
)
def isclose(
    input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Any:
    """Elementwise closeness as torch.isclose (equal infinities are close, NaN never unless
    equal_nan)."""
    finite = F.logical_and(F.isfinite(input), F.isfinite(other))
    a, b = F.where(finite, input, 0), F.where(finite, other, 0)  # no inf - inf computed
    near = F.logical_and(finite, F.le(F.abs(a - b), atol + rtol * F.abs(b)))
    out = F.logical_or(F.eq(input, other), near)
    if equal_nan:
        out = F.logical_or(out, F.logical_and(F.isnan(input), F.isnan(other)))
    return out


def allclose(
    input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Whether every element is close (a Python bool, as torch.allclose)."""
    return bool(F.all(isclose(input, other, rtol, atol, equal_nan)).item())


__all__ = ["allclose", "isclose", "isinf", "isneginf", "isposinf"]
