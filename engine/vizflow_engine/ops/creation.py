"""Creation ops (no tensor inputs): constant fills, ranges, identity, seeded random.

Every kernel checks its result's size against the cap (limits.check_size) before it
allocates, in eager and compiled runs alike.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..backend import rng
from ..limits import check_size
from ..registry import Param, TensorSpec, defop


def _shape_rule(
    specs: tuple[TensorSpec, ...], shape: tuple[int, ...], dtype: Any, **params: Any
) -> TensorSpec:
    if any(d is not None and d < 0 for d in shape):
        raise ValueError(f"negative dimension in shape {shape}")
    return TensorSpec(tuple(shape), dtypes.as_dtype(dtype))


_SHAPE = [Param("shape", doc="dims of the result"), Param("dtype", doc="element dtype")]


def _zeros(xp: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    check_size("zeros", shape, dtype)
    return xp.zeros(shape, dtype=dtype)


def _ones(xp: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    check_size("ones", shape, dtype)
    return xp.ones(shape, dtype=dtype)


def _full(xp: Any, shape: tuple[int, ...], dtype: Any, fill_value: Any) -> Any:
    check_size("full", shape, dtype)
    return xp.full(shape, fill_value, dtype=dtype)


ZEROS = defop(
    "zeros",
    "creation",
    inputs=(),
    params=_SHAPE,
    forward=_zeros,
    shape_rule=_shape_rule,
    vjp=None,
    formula="z = 0",
    grad_formula="no inputs",
    doc="A tensor of zeros.",
)
ONES = defop(
    "ones",
    "creation",
    inputs=(),
    params=_SHAPE,
    forward=_ones,
    shape_rule=_shape_rule,
    vjp=None,
    formula="z = 1",
    grad_formula="no inputs",
    doc="A tensor of ones.",
)
FULL = defop(
    "full",
    "creation",
    inputs=(),
    params=[*_SHAPE, Param("fill_value")],
    forward=_full,
    shape_rule=_shape_rule,
    vjp=None,
    formula="z = fill_value",
    grad_formula="no inputs",
    doc="A tensor filled with one value.",
)


def arange_length(start: Any, end: Any, step: Any) -> int:
    """How many values arange(start, end, step) holds; refuses a zero or non-finite step."""
    if step == 0:
        raise ValueError("arange step must not be zero")
    span = (end - start) / step
    if not math.isfinite(span):
        raise ValueError(f"arange needs finite start, end and step, got {start}, {end}, {step}")
    return max(0, math.ceil(span))


def _arange_rule(
    specs: tuple[TensorSpec, ...], start: Any, end: Any, step: Any, dtype: Any
) -> TensorSpec:
    return TensorSpec((arange_length(start, end, step),), dtypes.as_dtype(dtype))


def _arange(xp: Any, start: Any, end: Any, step: Any, dtype: Any) -> Any:
    check_size("arange", (arange_length(start, end, step),), dtype)
    return xp.arange(start, end, step, dtype=dtype)


def _linspace(xp: Any, start: Any, end: Any, steps: int, dtype: Any) -> Any:
    check_size("linspace", (steps,), dtype)
    if np.dtype(dtype).kind in "iu":  # integers round towards zero, as in PyTorch (numpy floors)
        return xp.trunc(xp.linspace(start, end, steps, dtype=np.float64)).astype(dtype)
    return xp.linspace(start, end, steps, dtype=dtype)


def _eye(xp: Any, n: int, m: int, dtype: Any) -> Any:
    check_size("eye", (n, m), dtype)
    return xp.eye(n, m, dtype=dtype)


ARANGE = defop(
    "arange",
    "creation",
    inputs=(),
    params=[Param("start"), Param("end"), Param("step", 1), Param("dtype")],
    forward=_arange,
    shape_rule=_arange_rule,
    vjp=None,
    formula="z = start, start+step, … < end",
    grad_formula="no inputs",
    doc="Evenly spaced values in [start, end).",
)
LINSPACE = defop(
    "linspace",
    "creation",
    inputs=(),
    params=[Param("start"), Param("end"), Param("steps"), Param("dtype")],
    forward=_linspace,
    shape_rule=lambda specs, start, end, steps, dtype: TensorSpec((steps,), dtypes.as_dtype(dtype)),
    vjp=None,
    formula="z = start + i (end - start) / (steps - 1)",
    grad_formula="no inputs",
    doc="steps evenly spaced values, both ends included.",
)
EYE = defop(
    "eye",
    "creation",
    inputs=(),
    params=[Param("n"), Param("m"), Param("dtype")],
    forward=_eye,
    shape_rule=lambda specs, n, m, dtype: TensorSpec((n, m), dtypes.as_dtype(dtype)),
    vjp=None,
    formula="z = [i = j]",
    grad_formula="no inputs",
    doc="Identity matrix (ones on the diagonal).",
)


def _float_sample(draw: str, op: str) -> Any:
    def fwd(xp: Any, shape: tuple[int, ...], dtype: Any) -> Any:
        d = dtypes.as_dtype(dtype)
        check_size(op, shape, d)
        gen = getattr(rng(xp), draw)
        if d in (dtypes.float32, dtypes.float64):
            return gen(shape, dtype=d)
        return gen(shape).astype(d)

    return fwd


RAND = defop(
    "rand",
    "creation",
    inputs=(),
    params=_SHAPE,
    forward=_float_sample("random", "rand"),
    shape_rule=_shape_rule,
    vjp=None,
    formula="z ~ U[0, 1)",
    grad_formula="no inputs",
    doc="Uniform samples from the device's seeded generator.",
)
RANDN = defop(
    "randn",
    "creation",
    inputs=(),
    params=_SHAPE,
    forward=_float_sample("standard_normal", "randn"),
    shape_rule=_shape_rule,
    vjp=None,
    formula="z ~ N(0, 1)",
    grad_formula="no inputs",
    doc="Standard normal samples from the device's seeded generator.",
)


def _like_sample(draw: str, op: str) -> Any:
    """The kernel of a sample op shaped as its input, whose values it never reads."""
    sample = _float_sample(draw, op)

    def fwd(xp: Any, x: Any, dtype: Any) -> Any:
        return sample(xp, x.shape, dtype)

    return fwd


def _like_rule(specs: tuple[TensorSpec, ...], dtype: Any) -> TensorSpec:
    return TensorSpec(tuple(specs[0].shape), dtypes.as_dtype(dtype))


# Traced code samples in a shape known only at run time (a "batch" dim) with these; eager
# rand_like and traced rand of known sizes draw the same numbers through rand and randn.
RAND_LIKE = defop(
    "rand_like",
    "creation",
    params=[Param("dtype", doc="element dtype")],
    forward=_like_sample("random", "rand_like"),
    shape_rule=_like_rule,
    vjp=None,
    formula="z ~ U[0, 1) in x's shape",
    grad_formula="not differentiable (x gives only its shape)",
    doc="Uniform samples in x's shape (x's values unused), from the device's seeded generator.",
)
RANDN_LIKE = defop(
    "randn_like",
    "creation",
    params=[Param("dtype", doc="element dtype")],
    forward=_like_sample("standard_normal", "randn_like"),
    shape_rule=_like_rule,
    vjp=None,
    formula="z ~ N(0, 1) in x's shape",
    grad_formula="not differentiable (x gives only its shape)",
    doc="Standard normal samples in x's shape (x's values unused), from the seeded generator.",
)


def _randint(xp: Any, shape: tuple[int, ...], dtype: Any, low: int, high: int) -> Any:
    check_size("randint", shape, dtype)
    return rng(xp).integers(low, high, size=shape, dtype=dtype)


RANDINT = defop(
    "randint",
    "creation",
    inputs=(),
    params=[*_SHAPE, Param("low"), Param("high")],
    forward=_randint,
    shape_rule=_shape_rule,
    vjp=None,
    formula="z ~ U{low, …, high-1}",
    grad_formula="no inputs",
    doc="Uniform random integers in [low, high).",
)
