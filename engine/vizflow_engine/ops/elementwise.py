"""Elementwise primitives: arithmetic, unary math, activations, clamp, where, cast."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes
from .. import functional as F
from ..backend import Device, device_of, get_device
from ..backend import to_device as _move
from ..dispatch import binary, dispatch, unary
from ..registry import Param, TensorSpec, defop
from ._rules import elementwise, same, same_float

_bin = elementwise("same")
_binf = elementwise("float")

try:  # numpy >= 2 keeps its error state in a context variable: setting it costs ~0.1 µs
    from numpy._core._ufunc_config import (  # type: ignore[attr-defined]
        _extobj_contextvar as _ERRSTATE,
    )

    with np.errstate(all="ignore"):
        _SILENT = _ERRSTATE.get()
except ImportError:  # numpy 1.x: np.errstate (~2 µs) instead
    _ERRSTATE = None


def quiet(kernel: Callable[..., Any]) -> Callable[..., Any]:
    """kernel with numpy's floating-point warnings off: log(0) is -inf and 1/0 is inf
    silently, as in PyTorch (the values are numpy's)."""
    if _ERRSTATE is None:

        def checked(*args: Any) -> Any:
            with np.errstate(all="ignore"):
                return kernel(*args)

        return checked
    var, silent = _ERRSTATE, _SILENT

    def run(*args: Any) -> Any:
        token = var.set(silent)
        try:
            return kernel(*args)
        finally:
            var.reset(token)

    return run


_quiet_divide = quiet(lambda xp, a, b: xp.true_divide(a, b))


def _divide(xp: Any, a: Any, b: Any) -> Any:
    """a / b; the warnings switch (~1 µs) only when b may hold a zero, not for a non-zero
    Python number (the common x / n)."""
    if b.__class__ in (int, float) and b:
        return xp.true_divide(a, b)
    return _quiet_divide(xp, a, b)


def true_divide(a: Any, b: Any, _raw: Any = np.true_divide) -> Any:
    """numpy's a / b without its division warnings (Tensor's `/` fast path, so _divide is
    inlined: +0.1 µs for x / n, +0.5 µs for x / y)."""
    if b.__class__ in (int, float) and b:
        return _raw(a, b)
    return _quiet_divide(np, a, b)


ADD = defop(
    "add",
    "elementwise",
    inputs=("x", "y"),
    forward=lambda xp, a, b: xp.add(a, b),
    shape_rule=_bin,
    vjp=lambda g, ins, out: (g, g),
    formula="z = x + y",
    grad_formula="dx = g; dy = g",
    doc="Elementwise sum (broadcasts).",
)
SUB = defop(
    "sub",
    "elementwise",
    inputs=("x", "y"),
    forward=lambda xp, a, b: xp.subtract(a, b),
    shape_rule=_bin,
    vjp=lambda g, ins, out: (g, -g),
    formula="z = x - y",
    grad_formula="dx = g; dy = -g",
    doc="Elementwise difference (broadcasts).",
)
MUL = defop(
    "mul",
    "elementwise",
    inputs=("x", "y"),
    forward=lambda xp, a, b: xp.multiply(a, b),
    shape_rule=_bin,
    vjp=lambda g, ins, out: (g * ins[1], g * ins[0]),
    formula="z = x * y",
    grad_formula="dx = g * y; dy = g * x",
    doc="Elementwise product (broadcasts).",
)
DIV = defop(
    "div",
    "elementwise",
    inputs=("x", "y"),
    forward=_divide,
    shape_rule=_binf,
    vjp=lambda g, ins, out: (F.div(g, ins[1]), F.div(-g * out, ins[1])),
    formula="z = x / y",
    grad_formula="dx = g / y; dy = -g * z / y",
    doc="Elementwise true division (ints give floats).",
)
NEG = defop(
    "neg",
    "elementwise",
    forward=lambda xp, x: xp.negative(x),
    shape_rule=same,
    vjp=lambda g, ins, out: (-g,),
    formula="z = -x",
    grad_formula="dx = -g",
    doc="Elementwise negation.",
)
EXP = defop(
    "exp",
    "elementwise",
    forward=lambda xp, x: xp.exp(x),
    shape_rule=same_float,
    vjp=lambda g, ins, out: (g * out,),
    formula="z = e^x",
    grad_formula="dx = g * z",
    doc="Elementwise exponential.",
)
LOG = defop(
    "log",
    "elementwise",
    forward=quiet(lambda xp, x: xp.log(x)),
    shape_rule=same_float,
    vjp=lambda g, ins, out: (F.div(g, ins[0]),),
    formula="z = ln(x)",
    grad_formula="dx = g / x",
    doc="Elementwise natural logarithm.",
)
LOG1P = defop(
    "log1p",
    "elementwise",
    forward=quiet(lambda xp, x: xp.log1p(x)),
    shape_rule=same_float,
    vjp=lambda g, ins, out: (F.div(g, ins[0] + 1.0),),
    formula="z = ln(1 + x)",
    grad_formula="dx = g / (1 + x)",
    doc="log(1 + x), accurate for small x.",
)
SQRT = defop(
    "sqrt",
    "elementwise",
    forward=quiet(lambda xp, x: xp.sqrt(x)),
    shape_rule=same_float,
    vjp=lambda g, ins, out: (F.div(g, out + out),),
    formula="z = √x",
    grad_formula="dx = g / (2 z)",
    doc="Elementwise square root.",
)
SQUARE = defop(
    "square",
    "elementwise",
    forward=lambda xp, x: xp.square(x),
    shape_rule=same,
    vjp=lambda g, ins, out: (g * (ins[0] + ins[0]),),
    formula="z = x²",
    grad_formula="dx = 2 g x",
    doc="Elementwise square.",
)
RECIPROCAL = defop(
    "reciprocal",
    "elementwise",
    forward=quiet(
        lambda xp, x: xp.reciprocal(
            x if x.dtype.kind == "f" else x.astype(dtypes.get_default_dtype())
        )
    ),
    shape_rule=same_float,
    vjp=lambda g, ins, out: (-g * out * out,),
    formula="z = 1 / x",
    grad_formula="dx = -g z²",
    doc="Elementwise 1/x.",
)
SIN = defop(
    "sin",
    "elementwise",
    forward=lambda xp, x: xp.sin(x),
    shape_rule=same_float,
    vjp=lambda g, ins, out: (g * F.cos(ins[0]),),
    formula="z = sin(x)",
    grad_formula="dx = g cos(x)",
    doc="Elementwise sine.",
)
COS = defop(
    "cos",
    "elementwise",
    forward=lambda xp, x: xp.cos(x),
    shape_rule=same_float,
    vjp=lambda g, ins, out: (-g * F.sin(ins[0]),),
    formula="z = cos(x)",
    grad_formula="dx = -g sin(x)",
    doc="Elementwise cosine.",
)
TANH = defop(
    "tanh",
    "elementwise",
    forward=lambda xp, x: xp.tanh(x),
    shape_rule=same_float,
    vjp=lambda g, ins, out: (g - g * out * out,),  # no Python scalar: ~0.7 µs less
    formula="z = tanh(x)",
    grad_formula="dx = g (1 - z²)",
    doc="Elementwise hyperbolic tangent.",
)
RELU = defop(
    "relu",
    "elementwise",
    forward=lambda xp, x: xp.maximum(x, 0),
    shape_rule=same,
    vjp=lambda g, ins, out: (g * (ins[0] > 0),),
    formula="z = max(x, 0)",
    grad_formula="dx = g · [x > 0]",
    doc="Rectified linear unit.",
)
LEAKY_RELU = defop(
    "leaky_relu",
    "elementwise",
    params=[Param("negative_slope", 0.01, "slope for x < 0")],
    forward=lambda xp, x, negative_slope: xp.where(x > 0, x, x * negative_slope),
    shape_rule=same,
    vjp=lambda g, ins, out, negative_slope: (F.where(ins[0] > 0, g, g * negative_slope),),
    formula="z = x if x > 0 else a·x",
    grad_formula="dx = g if x > 0 else a·g",
    doc="Leaky ReLU with slope a (negative_slope) below zero.",
)
ABS = defop(
    "abs",
    "elementwise",
    forward=lambda xp, x: xp.abs(x),
    shape_rule=same,
    vjp=lambda g, ins, out: (g * F.sign(ins[0]),),
    formula="z = |x|",
    grad_formula="dx = g sign(x)",
    doc="Elementwise absolute value.",
)
SIGN = defop(
    "sign",
    "elementwise",
    forward=lambda xp, x: xp.sign(x),
    shape_rule=same,
    vjp=lambda g, ins, out: (g * 0.0,),
    formula="z = sign(x)",
    grad_formula="dx = 0",
    doc="-1, 0 or +1 by the sign of x (gradient zero).",
)


def _erf_kernel(xp: Any, x: Any) -> Any:
    """erf via scipy/cupyx when importable, else math.erf per element (numpy has no erf)."""
    if xp.__name__ == "numpy":
        try:
            from scipy.special import erf
        except ImportError:  # pragma: no cover - scipy is optional
            import numpy as np

            return np.frompyfunc(math.erf, 1, 1)(x).astype(
                x.dtype if x.dtype.kind == "f" else dtypes.get_default_dtype()
            )
        return erf(x)
    from cupyx.scipy.special import erf as cerf

    return cerf(x)


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
ERF = defop(
    "erf",
    "elementwise",
    forward=_erf_kernel,
    shape_rule=same_float,
    vjp=lambda g, ins, out: (g * F.exp(-F.square(ins[0])) * _TWO_OVER_SQRT_PI,),
    formula="z = erf(x) = 2/√π ∫₀ˣ e^(-t²) dt",
    grad_formula="dx = g · 2/√π · e^(-x²)",
    doc="Gauss error function (used by exact GELU).",
)


def _clamp_fwd(xp: Any, x: Any, min: Any, max: Any) -> Any:
    return xp.clip(x, min, max) if (min is not None or max is not None) else x.copy()


def _clamp_vjp(g: Any, ins: Any, out: Any, min: Any, max: Any) -> tuple[Any]:
    x = ins[0]
    keep = (x >= min) if min is not None else None
    if max is not None:
        keep = (x <= max) if keep is None else keep & (x <= max)
    return (g if keep is None else g * keep,)


CLAMP = defop(
    "clamp",
    "elementwise",
    params=[Param("min", None), Param("max", None)],
    forward=_clamp_fwd,
    shape_rule=same,
    vjp=_clamp_vjp,
    formula="z = min(max(x, lo), hi)",
    grad_formula="dx = g · [lo ≤ x ≤ hi]",
    doc="Clip values to [min, max] (either bound may be None).",
)


def _pow_vjp(g: Any, ins: Any, out: Any) -> tuple[Any, Any]:
    """PyTorch's rules: dx is 0 where y == 0 (so x**0 at x = 0 is not nan); dy is 0 where
    x == 0 and y >= 0, else z ln x (nan for a negative base, -inf for 0 to a negative power)."""
    a, b = ins
    if isinstance(b, (int, float)):  # a Python exponent gets no gradient
        return (g * 0.0 if b == 0 else g * b * F.pow(a, b - 1)), None
    da = F.where(b == 0, 0.0, g * b * F.pow(a, b - 1))
    flat = (a == 0) & (b >= 0)
    return da, F.where(flat, 0.0, g * out * F.log(F.where(flat, 1.0, a)))


POW = defop(
    "pow",
    "elementwise",
    inputs=("x", "y"),
    forward=quiet(lambda xp, a, b: xp.power(a, b)),
    shape_rule=_bin,
    vjp=_pow_vjp,
    formula="z = x^y",
    grad_formula="dx = g y x^(y-1) (0 where y = 0); dy = g z ln(x) (0 where x = 0, y ≥ 0)",
    doc="Elementwise power (gradients at x ≤ 0 as PyTorch: dy is nan for x < 0).",
)


def _extreme_vjp(g: Any, x_wins: Any, tie: Any) -> tuple[Any, Any]:
    """maximum/minimum's cotangents: all of g to the winner, half to each side at a tie."""
    half = g * 0.5
    return F.where(x_wins, g, F.where(tie, half, 0.0)), F.where(
        x_wins | tie, F.where(tie, half, 0.0), g
    )


MAXIMUM = defop(
    "maximum",
    "elementwise",
    inputs=("x", "y"),
    forward=lambda xp, a, b: xp.maximum(a, b),
    shape_rule=_bin,
    vjp=lambda g, ins, out: _extreme_vjp(g, ins[0] > ins[1], ins[0] == ins[1]),
    formula="z = max(x, y)",
    grad_formula="dx = g·([x > y] + ½[x = y]); dy = g·([x < y] + ½[x = y])",
    doc="Elementwise maximum (a tie splits the gradient equally, as in PyTorch).",
)
MINIMUM = defop(
    "minimum",
    "elementwise",
    inputs=("x", "y"),
    forward=lambda xp, a, b: xp.minimum(a, b),
    shape_rule=_bin,
    vjp=lambda g, ins, out: _extreme_vjp(g, ins[0] < ins[1], ins[0] == ins[1]),
    formula="z = min(x, y)",
    grad_formula="dx = g·([x < y] + ½[x = y]); dy = g·([x > y] + ½[x = y])",
    doc="Elementwise minimum (a tie splits the gradient equally, as in PyTorch).",
)


def _where_rule(specs: tuple[TensorSpec, ...], **params: Any) -> TensorSpec:
    from ._rules import broadcast_shapes

    c, a, b = specs
    return TensorSpec(
        broadcast_shapes(c.shape, a.shape, b.shape), dtypes.result_type(a.dtype, b.dtype)
    )


WHERE = defop(
    "where",
    "elementwise",
    inputs=("cond", "x", "y"),
    forward=lambda xp, c, a, b: xp.where(c if hasattr(c, "astype") else xp.asarray(c), a, b),
    shape_rule=_where_rule,
    vjp=lambda g, ins, out: (None, F.where(ins[0], g, 0.0), F.where(ins[0], 0.0, g)),
    differentiable_inputs=(1, 2),
    formula="z = x if cond else y",
    grad_formula="dx = g·[cond]; dy = g·[¬cond]",
    doc="Pick x where cond is true, else y (broadcasts).",
)


def _cast_rule(specs: tuple[TensorSpec, ...], dtype: Any) -> TensorSpec:
    return TensorSpec(tuple(specs[0].shape), dtypes.as_dtype(dtype))


CAST = defop(
    "cast",
    "elementwise",
    params=[Param("dtype", doc="target dtype")],
    forward=lambda xp, x, dtype: x.astype(dtype),
    shape_rule=_cast_rule,
    vjp=lambda g, ins, out, dtype: (F.cast(g, ins[0].dtype) if ins[0].dtype.kind == "f" else None,),
    formula="z = dtype(x)",
    grad_formula="dx = x.dtype(g)",
    doc="Convert to another dtype (differentiable between float dtypes).",
)
CLONE = defop(
    "clone",
    "elementwise",
    forward=lambda xp, x: x.copy(),
    shape_rule=same,
    vjp=lambda g, ins, out: (g,),
    formula="z = x",
    grad_formula="dx = g",
    doc="A copy of x in new memory.",
)


def _to_device_rule(specs: tuple[TensorSpec, ...], device: Any) -> TensorSpec:
    return same(specs)


TO_DEVICE = defop(
    "to_device",
    "elementwise",
    params=[Param("device", doc="target device")],
    forward=lambda xp, x, device: _move(x, get_device(device)),
    shape_rule=_to_device_rule,
    vjp=lambda g, ins, out, device: (F.to_device(g, device_of(ins[0])),),
    formula="z = x on device",
    grad_formula="dx = g on x's device",
    doc="Copy to another device (explicit transfer).",
)


# ---- public functions -------------------------------------------------------------------


def add(x: Any, y: Any) -> Any:
    """x + y elementwise (broadcasts)."""
    return binary(ADD, x, y)


def sub(x: Any, y: Any) -> Any:
    """x - y elementwise."""
    return binary(SUB, x, y)


def mul(x: Any, y: Any) -> Any:
    """x * y elementwise."""
    return binary(MUL, x, y)


def div(x: Any, y: Any, *, rounding_mode: str | None = None) -> Any:
    """x / y elementwise: true division, or rounded ('trunc' / 'floor', as PyTorch)."""
    if rounding_mode is not None:
        from .math import rounded_div

        return rounded_div(x, y, rounding_mode)
    return binary(DIV, x, y)


def neg(x: Any) -> Any:
    """-x."""
    return unary(NEG, x)


def exp(x: Any) -> Any:
    """e**x."""
    return unary(EXP, x)


def log(x: Any) -> Any:
    """Natural logarithm."""
    return unary(LOG, x)


def log1p(x: Any) -> Any:
    """log(1 + x)."""
    return unary(LOG1P, x)


def sqrt(x: Any) -> Any:
    """Square root."""
    return unary(SQRT, x)


def square(x: Any) -> Any:
    """x * x."""
    return unary(SQUARE, x)


def reciprocal(x: Any) -> Any:
    """1 / x."""
    return unary(RECIPROCAL, x)


def sin(x: Any) -> Any:
    """Sine."""
    return unary(SIN, x)


def cos(x: Any) -> Any:
    """Cosine."""
    return unary(COS, x)


def tanh(x: Any) -> Any:
    """Hyperbolic tangent."""
    return unary(TANH, x)


def relu(x: Any) -> Any:
    """max(x, 0)."""
    return unary(RELU, x)


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Any:
    """x if x > 0 else negative_slope * x."""
    return unary(LEAKY_RELU, x, {"negative_slope": negative_slope})


def abs(x: Any) -> Any:
    """|x|."""
    return unary(ABS, x)


def sign(x: Any) -> Any:
    """Sign of x (-1, 0, 1)."""
    return unary(SIGN, x)


def erf(x: Any) -> Any:
    """Gauss error function."""
    return unary(ERF, x)


def clamp(x: Any, min: Any = None, max: Any = None) -> Any:
    """Clip x to [min, max]; a bound may be a number, None, or a tensor (broadcast, and
    differentiable, through maximum/minimum)."""
    if min is None and max is None:
        raise ValueError("clamp() needs at least one of min and max (both are None)")
    if isinstance(min, (int, float, type(None))) and isinstance(max, (int, float, type(None))):
        return unary(CLAMP, x, {"min": min, "max": max})
    if min is not None:  # where(), not maximum(): at x == min all of g goes to x, as in PyTorch
        x = F.where(x < min, min, x)
    return x if max is None else F.where(x > max, max, x)


clip = clamp


def pow(x: Any, y: Any) -> Any:
    """x ** y elementwise."""
    return binary(POW, x, y)


def maximum(x: Any, y: Any) -> Any:
    """Elementwise maximum."""
    return binary(MAXIMUM, x, y)


def minimum(x: Any, y: Any) -> Any:
    """Elementwise minimum."""
    return binary(MINIMUM, x, y)


def where(cond: Any, x: Any, y: Any) -> Any:
    """x where cond else y."""
    return dispatch(WHERE, (cond, x, y))


def cast(x: Any, dtype: Any) -> Any:
    """x converted to dtype."""
    return unary(CAST, x, {"dtype": dtypes.as_dtype(dtype)})


def clone(x: Any) -> Any:
    """A copy of x."""
    return unary(CLONE, x)


def to_device(x: Any, device: Device | str) -> Any:
    """x copied to device."""
    return dispatch(TO_DEVICE, (x,), {"device": get_device(device)})


__all__ = [
    "abs",
    "add",
    "cast",
    "clamp",
    "clip",
    "clone",
    "cos",
    "div",
    "erf",
    "exp",
    "leaky_relu",
    "log",
    "log1p",
    "maximum",
    "minimum",
    "mul",
    "neg",
    "pow",
    "reciprocal",
    "relu",
    "sign",
    "sin",
    "sqrt",
    "square",
    "sub",
    "tanh",
    "to_device",
    "where",
]
