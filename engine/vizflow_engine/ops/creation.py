"""Creation ops (no tensor inputs): constant fills, ranges, identity, seeded random."""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..backend import rng
from ..registry import Param, TensorSpec, defop


def _shape_rule(
    specs: tuple[TensorSpec, ...], shape: tuple[int, ...], dtype: Any, **params: Any
) -> TensorSpec:
    if any(d is not None and d < 0 for d in shape):
        raise ValueError(f"negative dimension in shape {shape}")
    return TensorSpec(tuple(shape), dtypes.as_dtype(dtype))


_SHAPE = [Param("shape", doc="dims of the result"), Param("dtype", doc="element dtype")]

ZEROS = defop(
    "zeros",
    "creation",
    inputs=(),
    params=_SHAPE,
    forward=lambda xp, shape, dtype: xp.zeros(shape, dtype=dtype),
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
    forward=lambda xp, shape, dtype: xp.ones(shape, dtype=dtype),
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
    forward=lambda xp, shape, dtype, fill_value: xp.full(shape, fill_value, dtype=dtype),
    shape_rule=_shape_rule,
    vjp=None,
    formula="z = fill_value",
    grad_formula="no inputs",
    doc="A tensor filled with one value.",
)


def _arange_rule(
    specs: tuple[TensorSpec, ...], start: Any, end: Any, step: Any, dtype: Any
) -> TensorSpec:
    import math

    if step == 0:
        raise ValueError("arange step must not be zero")
    return TensorSpec((max(0, math.ceil((end - start) / step)),), dtypes.as_dtype(dtype))


ARANGE = defop(
    "arange",
    "creation",
    inputs=(),
    params=[Param("start"), Param("end"), Param("step", 1), Param("dtype")],
    forward=lambda xp, start, end, step, dtype: xp.arange(start, end, step, dtype=dtype),
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
    forward=lambda xp, start, end, steps, dtype: xp.linspace(start, end, steps, dtype=dtype),
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
    forward=lambda xp, n, m, dtype: xp.eye(n, m, dtype=dtype),
    shape_rule=lambda specs, n, m, dtype: TensorSpec((n, m), dtypes.as_dtype(dtype)),
    vjp=None,
    formula="z = [i = j]",
    grad_formula="no inputs",
    doc="Identity matrix (ones on the diagonal).",
)


def _float_sample(draw: str) -> Any:
    def fwd(xp: Any, shape: tuple[int, ...], dtype: Any) -> Any:
        d = dtypes.as_dtype(dtype)
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
    forward=_float_sample("random"),
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
    forward=_float_sample("standard_normal"),
    shape_rule=_shape_rule,
    vjp=None,
    formula="z ~ N(0, 1)",
    grad_formula="no inputs",
    doc="Standard normal samples from the device's seeded generator.",
)
RANDINT = defop(
    "randint",
    "creation",
    inputs=(),
    params=[*_SHAPE, Param("low"), Param("high")],
    forward=lambda xp, shape, dtype, low, high: rng(xp).integers(
        low, high, size=shape, dtype=dtype
    ),
    shape_rule=_shape_rule,
    vjp=None,
    formula="z ~ U{low, …, high-1}",
    grad_formula="no inputs",
    doc="Uniform random integers in [low, high).",
)
