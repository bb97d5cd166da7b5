"""Shared shape/dtype rules; shapes may hold None for dims unknown until run time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import dtypes
from ..registry import TensorSpec

Shape = tuple[int | None, ...]

UNKNOWN_DIM_PROBES = (100_003, 200_017)
"""Sizes an unknown dim is tried at to see what a rule makes of it (large primes: no rule
derives them by chance, and any index in range of a real size is in range of them)."""


def broadcast_shapes(*shapes: Shape) -> Shape:
    """numpy broadcasting of shapes; None (unknown) broadcasts against anything."""
    ndim = max((len(s) for s in shapes), default=0)
    out: list[int | None] = []
    for dims in zip(*[(1,) * (ndim - len(s)) + tuple(s) for s in shapes], strict=True):
        d: int | None = 1
        for x in dims:
            if x == 1:
                continue
            if x is None:
                d = None if d == 1 else d
            elif d == 1 or d is None:
                d = x
            elif d != x:
                raise ValueError(
                    f"shapes {' and '.join(str(tuple(s)) for s in shapes)} cannot "
                    "be broadcast together"
                )
        out.append(d)
    return tuple(out)


def to_float(dt: Any) -> Any:
    """The floating dtype an op on dt yields (ints and bools become the default float)."""
    d = dtypes.as_dtype(dt)
    return d if d.kind == "f" else dtypes.get_default_dtype()


def elementwise(kind: str = "same") -> Callable[..., TensorSpec]:
    """Rule for broadcasting elementwise ops: kind 'same' promotes, 'float' floats, 'bool' bools."""

    def rule(specs: tuple[TensorSpec, ...], **params: Any) -> TensorSpec:
        shape = broadcast_shapes(*(s.shape for s in specs))
        if kind == "bool":
            return TensorSpec(shape, dtypes.bool_)
        dt = dtypes.result_type(*(s.dtype for s in specs))
        return TensorSpec(shape, to_float(dt) if kind == "float" else dt)

    return rule


def norm_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """Axis argument (None, int, tuple) as sorted non-negative ints; errors if out of range."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    if ndim == 0:  # a 0-d input has dims 0 and -1, as in PyTorch; reducing over them is a no-op
        for a in axes:
            if a not in (0, -1):
                raise ValueError(f"axis {a} is out of range for a 0-d input (use 0 or -1)")
        return ()
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for {ndim}-d input")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"repeated axis in {axis}")
    return tuple(sorted(out))


def reduced_shape(shape: Shape, axis: Any, keepdims: bool) -> Shape:
    """Shape after reducing over axis."""
    axes = norm_axes(axis, len(shape))
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def reduction(kind: str = "same") -> Callable[..., TensorSpec]:
    """Rule for reductions with axis/keepdims; kind same/sum (bool->int64)/float/index/bool."""

    def rule(
        specs: tuple[TensorSpec, ...], axis: Any = None, keepdims: bool = False, **params: Any
    ) -> TensorSpec:
        (s,) = specs
        shape = reduced_shape(s.shape, axis, keepdims)
        dt = dtypes.as_dtype(s.dtype)
        if kind == "sum" and dt.kind in "bi":
            dt = dtypes.int64
        elif kind == "float":
            dt = to_float(dt)
        elif kind == "index":
            dt = dtypes.int64
        elif kind == "bool":
            dt = dtypes.bool_
        return TensorSpec(shape, dt)

    return rule


def same(specs: tuple[TensorSpec, ...], **params: Any) -> TensorSpec:
    """Output has the input's shape and dtype."""
    s = specs[0]
    return TensorSpec(tuple(s.shape), dtypes.as_dtype(s.dtype))


def same_float(specs: tuple[TensorSpec, ...], **params: Any) -> TensorSpec:
    """Output has the input's shape and a floating dtype."""
    s = specs[0]
    return TensorSpec(tuple(s.shape), to_float(s.dtype))


def numel(shape: Shape) -> int | None:
    """Element count, or None when a dim is unknown."""
    n = 1
    for d in shape:
        if d is None:
            return None
        n *= d
    return n
