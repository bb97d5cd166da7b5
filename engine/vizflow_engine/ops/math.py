"""Unary and binary math primitives beyond the basics: logs and powers of 2 and 10, inverse and
hyperbolic trigonometry, erfinv, rounding, atan2, copysign, hypot; composites lerp, logaddexp,
frac and div(rounding_mode=)."""

from __future__ import annotations

import math as _m
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes
from .. import functional as F
from ..dispatch import binary, unary
from ..registry import OpDef, Param, composite, defop
from ._rules import elementwise, same, same_float
from .elementwise import DIV, quiet

_LN2 = _m.log(2.0)
_LN10 = _m.log(10.0)
_HALF_SQRT_PI = _m.sqrt(_m.pi) / 2.0


def _float_in(kernel: Callable[..., Any]) -> Callable[..., Any]:
    """kernel run on a floating array (ints and bools become the default float), quietly."""

    def run(xp: Any, x: Any) -> Any:
        return kernel(xp, x if x.dtype.kind == "f" else x.astype(dtypes.get_default_dtype()))

    return quiet(run)


def _math(
    name: str, kernel: Callable[..., Any], vjp: Any, formula: str, grad: str, doc: str
) -> OpDef:
    """A one-input float op (ints promote to the default float)."""
    return defop(
        name,
        "elementwise",
        forward=_float_in(kernel),
        shape_rule=same_float,
        vjp=vjp,
        formula=formula,
        grad_formula=grad,
        doc=doc,
    )


LOG2 = _math(
    "log2",
    lambda xp, x: xp.log2(x),
    lambda g, ins, out: (F.div(g, ins[0] * _LN2),),
    "z = log₂ x",
    "dx = g / (x ln 2)",
    "Base-2 logarithm.",
)
LOG10 = _math(
    "log10",
    lambda xp, x: xp.log10(x),
    lambda g, ins, out: (F.div(g, ins[0] * _LN10),),
    "z = log₁₀ x",
    "dx = g / (x ln 10)",
    "Base-10 logarithm.",
)
EXP2 = _math(
    "exp2",
    lambda xp, x: xp.exp2(x),
    lambda g, ins, out: (g * out * _LN2,),
    "z = 2^x",
    "dx = g z ln 2",
    "Two to the power x.",
)
EXPM1 = _math(
    "expm1",
    lambda xp, x: xp.expm1(x),
    lambda g, ins, out: (g * (out + 1.0),),
    "z = e^x - 1",
    "dx = g (z + 1)",
    "e^x - 1, accurate for small x.",
)
RSQRT = _math(
    "rsqrt",
    lambda xp, x: xp.reciprocal(xp.sqrt(x)),
    lambda g, ins, out: (g * out * out * out * -0.5,),
    "z = 1 / √x",
    "dx = -g z³ / 2",
    "Reciprocal square root.",
)
TAN = _math(
    "tan",
    lambda xp, x: xp.tan(x),
    lambda g, ins, out: (g * (out * out + 1.0),),
    "z = tan x",
    "dx = g (1 + z²)",
    "Tangent.",
)
ASIN = _math(
    "asin",
    lambda xp, x: xp.arcsin(x),
    lambda g, ins, out: (F.div(g, F.sqrt(1.0 - ins[0] * ins[0])),),
    "z = arcsin x",
    "dx = g / √(1 - x²)",
    "Inverse sine (nan outside [-1, 1]).",
)
ACOS = _math(
    "acos",
    lambda xp, x: xp.arccos(x),
    lambda g, ins, out: (F.div(-g, F.sqrt(1.0 - ins[0] * ins[0])),),
    "z = arccos x",
    "dx = -g / √(1 - x²)",
    "Inverse cosine (nan outside [-1, 1]).",
)
ATAN = _math(
    "atan",
    lambda xp, x: xp.arctan(x),
    lambda g, ins, out: (F.div(g, ins[0] * ins[0] + 1.0),),
    "z = arctan x",
    "dx = g / (1 + x²)",
    "Inverse tangent.",
)
SINH = _math(
    "sinh",
    lambda xp, x: xp.sinh(x),
    lambda g, ins, out: (g * F.cosh(ins[0]),),
    "z = sinh x",
    "dx = g cosh x",
    "Hyperbolic sine.",
)
COSH = _math(
    "cosh",
    lambda xp, x: xp.cosh(x),
    lambda g, ins, out: (g * F.sinh(ins[0]),),
    "z = cosh x",
    "dx = g sinh x",
    "Hyperbolic cosine.",
)
ASINH = _math(
    "asinh",
    lambda xp, x: xp.arcsinh(x),
    lambda g, ins, out: (F.div(g, F.sqrt(ins[0] * ins[0] + 1.0)),),
    "z = arsinh x",
    "dx = g / √(x² + 1)",
    "Inverse hyperbolic sine.",
)
ACOSH = _math(
    "acosh",
    lambda xp, x: xp.arccosh(x),
    lambda g, ins, out: (F.div(g, F.sqrt((ins[0] - 1.0) * (ins[0] + 1.0))),),
    "z = arcosh x",
    "dx = g / √(x² - 1)",
    "Inverse hyperbolic cosine (nan below 1).",
)
ATANH = _math(
    "atanh",
    lambda xp, x: xp.arctanh(x),
    lambda g, ins, out: (F.div(g, 1.0 - ins[0] * ins[0]),),
    "z = artanh x",
    "dx = g / (1 - x²)",
    "Inverse hyperbolic tangent (±inf at ±1, nan beyond).",
)

# Giles' single-precision erfinv ("Approximating the erfinv function", 2010): the start of
# the Newton steps of the numpy-only kernel.
_GILES_CENTRAL = (
    2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
    -0.00125372503, -0.00417768164, 0.246640727, 1.50140941,
)  # fmt: skip
_GILES_TAIL = (
    -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
    -0.0076224613, 0.00943887047, 1.00167406, 2.83297682,
)  # fmt: skip


def _erfinv_numpy(x: Any) -> Any:
    """erfinv with numpy alone: Giles' approximation, then Newton steps on math.erf."""
    with np.errstate(all="ignore"):  # ±1 give ±inf, as PyTorch, silently
        return _erfinv_steps(x)


def _erfinv_steps(x: Any) -> Any:
    w = -np.log1p(-x * x)
    central = w < 5.0
    t = np.where(central, w - 2.5, np.sqrt(w) - 3.0)
    p = np.where(central, _GILES_CENTRAL[0], _GILES_TAIL[0])
    for a, b in zip(_GILES_CENTRAL[1:], _GILES_TAIL[1:], strict=True):
        p = np.where(central, a, b) + p * t
    y = p * x
    erf = np.frompyfunc(_m.erf, 1, 1)
    for _ in range(3):
        step = (erf(y).astype(x.dtype) - x) / (np.exp(-y * y) * (2.0 / _m.sqrt(_m.pi)))
        y = np.where(np.isfinite(y), y - step, y)
    return y


def _erfinv_kernel(xp: Any, x: Any) -> Any:
    """erfinv via scipy/cupyx when importable, else a numpy-only refinement (numpy has none)."""
    if xp.__name__ == "numpy":
        try:
            from scipy.special import erfinv
        except ImportError:  # pragma: no cover - scipy is optional
            return _erfinv_numpy(x)
        return erfinv(x)
    from cupyx.scipy.special import erfinv as cerfinv

    return cerfinv(x)


ERFINV = _math(
    "erfinv",
    _erfinv_kernel,
    lambda g, ins, out: (g * F.exp(out * out) * _HALF_SQRT_PI,),
    "z = erf⁻¹(x)",
    "dx = g · √π/2 · e^(z²)",
    "Inverse error function on (-1, 1) (±inf at ±1).",
)


def _rounding(name: str, kernel: Callable[..., Any], formula: str, doc: str, **kw: Any) -> OpDef:
    """A rounding op: same dtype out (ints pass through), gradient zero as in PyTorch."""
    return defop(
        name,
        "elementwise",
        forward=lambda xp, x, **p: x.copy() if x.dtype.kind in "biu" else kernel(xp, x, **p),
        shape_rule=same,
        vjp=lambda g, ins, out, **p: (g * 0.0,),
        formula=formula,
        grad_formula="dx = 0",
        doc=doc,
        **kw,
    )


FLOOR = _rounding("floor", lambda xp, x: xp.floor(x), "z = ⌊x⌋", "Round down.")
CEIL = _rounding("ceil", lambda xp, x: xp.ceil(x), "z = ⌈x⌉", "Round up.")
TRUNC = _rounding("trunc", lambda xp, x: xp.trunc(x), "z = trunc(x)", "Round toward zero.")
ROUND = _rounding(
    "round",
    lambda xp, x, decimals: xp.round(x, decimals),
    "z = round(x · 10^d) / 10^d, halves to even",
    "Round to `decimals` places, halves to even (as PyTorch).",
    params=[Param("decimals", 0, "decimal places (negative: tens, hundreds, …)")],
)
_bin_float = elementwise("float")


def _atan2_vjp(g: Any, ins: Any, out: Any) -> tuple[Any, Any]:
    y, x = ins
    r = F.div(g, x * x + y * y)
    return r * x, -r * y


ATAN2 = defop(
    "atan2",
    "elementwise",
    inputs=("y", "x"),
    forward=quiet(lambda xp, y, x: xp.arctan2(y, x)),
    shape_rule=_bin_float,
    vjp=_atan2_vjp,
    formula="z = atan2(y, x), the angle of (x, y)",
    grad_formula="dy = g x / (x² + y²); dx = -g y / (x² + y²)",
    doc="Four-quadrant inverse tangent of y / x.",
)
COPYSIGN = defop(
    "copysign",
    "elementwise",
    inputs=("x", "y"),
    forward=lambda xp, x, y: xp.copysign(x, y),
    shape_rule=_bin_float,
    vjp=lambda g, ins, out: (F.where(ins[0] == 0, 0.0, g * F.div(out, ins[0])), None),
    differentiable_inputs=(0,),
    formula="z = |x| · sign(y)",
    grad_formula="dx = g z / x (0 where x = 0); y gets none",
    doc="x's magnitude with y's sign (-0.0 counts as negative).",
)
HYPOT = defop(
    "hypot",
    "elementwise",
    inputs=("x", "y"),
    forward=lambda xp, x, y: xp.hypot(x, y),
    shape_rule=_bin_float,
    vjp=lambda g, ins, out: (g * F.div(ins[0], out), g * F.div(ins[1], out)),
    formula="z = √(x² + y²)",
    grad_formula="dx = g x / z; dy = g y / z",
    doc="Length of the hypotenuse, without overflow.",
)


# ---- public functions -------------------------------------------------------------------


def log2(x: Any) -> Any:
    """Base-2 logarithm."""
    return unary(LOG2, x)


def log10(x: Any) -> Any:
    """Base-10 logarithm."""
    return unary(LOG10, x)


def exp2(x: Any) -> Any:
    """2**x."""
    return unary(EXP2, x)


def expm1(x: Any) -> Any:
    """e**x - 1."""
    return unary(EXPM1, x)


def rsqrt(x: Any) -> Any:
    """1 / sqrt(x)."""
    return unary(RSQRT, x)


def tan(x: Any) -> Any:
    """Tangent."""
    return unary(TAN, x)


def asin(x: Any) -> Any:
    """Inverse sine."""
    return unary(ASIN, x)


def acos(x: Any) -> Any:
    """Inverse cosine."""
    return unary(ACOS, x)


def atan(x: Any) -> Any:
    """Inverse tangent."""
    return unary(ATAN, x)


def sinh(x: Any) -> Any:
    """Hyperbolic sine."""
    return unary(SINH, x)


def cosh(x: Any) -> Any:
    """Hyperbolic cosine."""
    return unary(COSH, x)


def asinh(x: Any) -> Any:
    """Inverse hyperbolic sine."""
    return unary(ASINH, x)


def acosh(x: Any) -> Any:
    """Inverse hyperbolic cosine."""
    return unary(ACOSH, x)


def atanh(x: Any) -> Any:
    """Inverse hyperbolic tangent."""
    return unary(ATANH, x)


def erfinv(x: Any) -> Any:
    """Inverse error function."""
    return unary(ERFINV, x)


def floor(x: Any) -> Any:
    """Round down."""
    return unary(FLOOR, x)


def ceil(x: Any) -> Any:
    """Round up."""
    return unary(CEIL, x)


def trunc(x: Any) -> Any:
    """Round toward zero."""
    return unary(TRUNC, x)


fix = trunc


def round(x: Any, decimals: int = 0) -> Any:
    """Round to `decimals` places, halves to even."""
    return unary(ROUND, x, {"decimals": int(decimals)})


def atan2(input: Any, other: Any) -> Any:
    """Angle of the point (other, input): atan2(y, x) with y = input."""
    return binary(ATAN2, input, other)


arctan2 = atan2


def copysign(input: Any, other: Any) -> Any:
    """input's magnitude with other's sign."""
    return binary(COPYSIGN, input, other)


def hypot(input: Any, other: Any) -> Any:
    """sqrt(input² + other²) without overflow."""
    return binary(HYPOT, input, other)


@composite("frac", "elementwise", "z = x - trunc(x)")
def frac(x: Any) -> Any:
    """Fractional part, with x's sign (gradient 1 as in PyTorch)."""
    return x - trunc(x)


@composite("lerp", "elementwise", "z = start + w (end - start)", params=("weight",))
def lerp(input: Any, end: Any, weight: Any) -> Any:
    """Linear interpolation from input (w = 0) to end (w = 1); weight a number or tensor."""
    return input + weight * (end - input)


@composite("logaddexp", "elementwise", "z = ln(e^x + e^y) = m + ln(e^(x-m) + e^(y-m)), m = max")
def logaddexp(input: Any, other: Any) -> Any:
    """ln(e^x + e^y) without overflow (m detached, so gradients are the softmax of x, y)."""
    m = F.maximum(input, other).detach()
    m = F.where(F.isfinite(m), m, 0.0)
    return m + F.log(F.exp(input - m) + F.exp(other - m))


def _int_like(x: Any) -> bool:
    """Whether x is an integer or bool tensor or a Python int."""
    if isinstance(x, (bool, int)):
        return True
    dt = getattr(x, "dtype", None)
    return dt is not None and dtypes.as_dtype(dt).kind in "biu"


def rounded_div(x: Any, y: Any, rounding_mode: str) -> Any:
    """x / y rounded as div(rounding_mode='trunc' / 'floor') does (ints stay ints, as PyTorch)."""
    from .bitwise import floor_divide, fmod

    if rounding_mode == "floor":
        return floor_divide(x, y)
    if rounding_mode != "trunc":
        raise ValueError(
            f"div rounding_mode must be None, 'trunc' or 'floor', not {rounding_mode!r}"
        )
    if _int_like(x) and _int_like(y):  # exact: (x - fmod(x, y)) is a multiple of y
        return floor_divide(x - fmod(x, y), y)
    return trunc(binary(DIV, x, y))


__all__ = [
    "acos",
    "acosh",
    "arctan2",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "ceil",
    "copysign",
    "cosh",
    "erfinv",
    "exp2",
    "expm1",
    "fix",
    "floor",
    "frac",
    "hypot",
    "lerp",
    "log2",
    "log10",
    "logaddexp",
    "round",
    "rsqrt",
    "sinh",
    "tan",
    "trunc",
]
