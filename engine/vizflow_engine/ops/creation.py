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
from ..registry import PARAM_KINDS, Param, TensorSpec, defop


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


def _taken(op: str, dims: Any, shape: tuple[Any, ...]) -> tuple[Any, ...]:
    """The shape `dims` names: an int is a size, (k,) is dim k of `shape` (the input's), and
    None is the input's whole shape; refuses an axis the input does not have or a negative size."""
    if dims is None:
        return tuple(shape)
    out: list[Any] = []
    for d in dims:
        if isinstance(d, tuple):
            if len(d) != 1 or not isinstance(d[0], int) or not 0 <= d[0] < len(shape):
                raise ValueError(
                    f"{op}: dims entry {d!r} names no dim of a rank-{len(shape)} input "
                    f"(an entry (k,) takes the input's dim k, 0 <= k < {len(shape)})"
                )
            out.append(shape[d[0]])
        elif d < 0:
            raise ValueError(f"{op}: negative dimension {d} in dims {dims}")
        else:
            out.append(d)
    return tuple(out)


def _dims_rule(op: str) -> Any:
    """The shape rule of an op shaped by `dims` over its input x (x's values unused)."""

    def rule(specs: tuple[TensorSpec, ...], dims: Any, dtype: Any, **params: Any) -> TensorSpec:
        return TensorSpec(_taken(op, dims, tuple(specs[0].shape)), dtypes.as_dtype(dtype))

    return rule


_DIMS = Param(
    "dims", None, "the result's dims: an int is a size, (k,) is x's dim k; None: x's shape"
)
PARAM_KINDS.update({"dims": "dims_of_input"})


def _like_sample(draw: str, op: str) -> Any:
    """The kernel of a sample op shaped by `dims` over its input, whose values it never reads."""
    sample = _float_sample(draw, op)

    def fwd(xp: Any, x: Any, dtype: Any, dims: Any = None) -> Any:
        return sample(xp, _taken(op, dims, x.shape), dtype)

    return fwd


# Traced code samples in a shape known only at run time (a "batch" dim) with these: one node
# for rand_like(x) and for rand(x.shape[0], 3) (dims ((0,), 3)); eager rand_like and traced
# rand of known sizes draw the same numbers through rand and randn.
RAND_LIKE = defop(
    "rand_like",
    "creation",
    params=[Param("dtype", doc="element dtype"), _DIMS],
    forward=_like_sample("random", "rand_like"),
    shape_rule=_dims_rule("rand_like"),
    vjp=None,
    formula="z ~ U[0, 1) in shape dims ((k,) is x.shape[k])",
    grad_formula="not differentiable (x gives only its shape)",
    doc="Uniform samples in x's shape or in dims (x's values unused), from the seeded generator.",
)
RANDN_LIKE = defop(
    "randn_like",
    "creation",
    params=[Param("dtype", doc="element dtype"), _DIMS],
    forward=_like_sample("standard_normal", "randn_like"),
    shape_rule=_dims_rule("randn_like"),
    vjp=None,
    formula="z ~ N(0, 1) in shape dims ((k,) is x.shape[k])",
    grad_formula="not differentiable (x gives only its shape)",
    doc="Standard normal samples in x's shape or in dims (x's values unused), seeded generator.",
)


def _full_dims(xp: Any, x: Any, fill_value: Any, dtype: Any, dims: Any = None) -> Any:
    shape = _taken("full_dims", dims, x.shape)
    check_size("full_dims", shape, dtype)
    return xp.full(shape, fill_value, dtype=dtype)


# Traced zeros/ones/full/empty(x.shape[0], 3) and zeros_like of a value with a run-time dim:
# one node that reads x's shape when it runs, so the result follows each call's batch size.
FULL_DIMS = defop(
    "full_dims",
    "creation",
    params=[_DIMS, Param("fill_value", doc="the value"), Param("dtype", doc="element dtype")],
    forward=_full_dims,
    shape_rule=_dims_rule("full_dims"),
    vjp=None,
    formula="z = fill_value in shape dims ((k,) is x.shape[k])",
    grad_formula="not differentiable (x gives only its shape)",
    doc="fill_value in x's shape or in dims, whose (k,) entries are x's dims (x's values unused).",
)


def _arange_axis(op: str, axis: Any, shape: tuple[Any, ...]) -> int:
    """The input's dim `axis` (an int within its rank), whose size arange_dim counts to."""
    if type(axis) is not int or not 0 <= axis < len(shape):
        raise ValueError(f"{op}: axis {axis!r} is not a dim of a rank-{len(shape)} input")
    return axis


def _arange_dim_rule(specs: tuple[TensorSpec, ...], axis: Any, dtype: Any) -> TensorSpec:
    shape = tuple(specs[0].shape)
    return TensorSpec((shape[_arange_axis("arange_dim", axis, shape)],), dtypes.as_dtype(dtype))


def _arange_dim(xp: Any, x: Any, axis: int, dtype: Any) -> Any:
    n = x.shape[_arange_axis("arange_dim", axis, x.shape)]
    check_size("arange_dim", (n,), dtype)
    return xp.arange(0, n, 1, dtype=dtype)


# Traced arange(x.shape[1]): 0 … n - 1 for the size n that x's dim has when the graph runs.
ARANGE_DIM = defop(
    "arange_dim",
    "creation",
    params=[Param("axis", doc="the dim of x whose size n it counts to"), Param("dtype")],
    forward=_arange_dim,
    shape_rule=_arange_dim_rule,
    vjp=None,
    formula="z = 0, 1, …, x.shape[axis] - 1",
    grad_formula="not differentiable (x gives only its shape)",
    doc="arange(n) for n = x.shape[axis] (x's values unused).",
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
