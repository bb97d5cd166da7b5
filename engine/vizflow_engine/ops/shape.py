"""Shape ops: reshape, transpose, expand, squeeze/unsqueeze, concatenate, stack, pad."""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence
from typing import Any

from .. import dtypes
from .. import functional as F
from ..dispatch import dispatch, unary
from ..errors import ShapeError
from ..registry import Param, TensorSpec, defop
from ._names import axis_arg, torch_alias
from ._rules import broadcast_shapes, norm_axes, numel


def _reshape_rule(specs: tuple[TensorSpec, ...], shape: tuple[int, ...]) -> TensorSpec:
    (s,) = specs
    n = numel(s.shape)
    if builtins.sum(1 for d in shape if d == -1) > 1:
        raise ValueError(f"reshape to {shape}: only one dim may be -1")
    known = 1
    for d in shape:
        if d != -1:
            known *= d
    out = tuple(shape)
    if -1 in shape:
        fill = None if n is None else (n // known if known and n % known == 0 else -2)
        if fill == -2 or (known == 0 and n is not None):
            raise ValueError(f"cannot reshape {s.shape} ({n} elements) into {shape}")
        out = tuple(fill if d == -1 else d for d in shape)  # type: ignore[misc]
    elif n is not None and known != n:
        raise ValueError(f"cannot reshape {s.shape} ({n} elements) into {shape}")
    return TensorSpec(out, dtypes.as_dtype(s.dtype))


RESHAPE = defop(
    "reshape",
    "shape",
    params=[Param("shape", doc="new shape; one dim may be -1")],
    forward=lambda xp, x, shape: xp.reshape(x, shape),
    shape_rule=_reshape_rule,
    vjp=lambda g, ins, out, shape: (F.reshape(g, ins[0].shape),),
    formula="z = reshape(x, shape)",
    grad_formula="dx = reshape(g, x.shape)",
    doc="The same elements in a new shape.",
)


def _transpose_rule(specs: tuple[TensorSpec, ...], axes: tuple[int, ...]) -> TensorSpec:
    (s,) = specs
    if sorted(a % max(len(s.shape), 1) for a in axes) != list(range(len(s.shape))):
        raise ValueError(f"axes {axes} are not a permutation of the {len(s.shape)} dims")
    return TensorSpec(tuple(s.shape[a] for a in axes), dtypes.as_dtype(s.dtype))


def _inverse(axes: Sequence[int]) -> tuple[int, ...]:
    n = len(axes)
    inv = [0] * n
    for i, a in enumerate(axes):
        inv[a % n] = i
    return tuple(inv)


TRANSPOSE = defop(
    "transpose",
    "shape",
    params=[Param("axes", doc="a permutation of the dims")],
    forward=lambda xp, x, axes: xp.transpose(x, axes),
    shape_rule=_transpose_rule,
    vjp=lambda g, ins, out, axes: (F.permute(g, _inverse(axes)),),
    formula="z = permute(x, axes)",
    grad_formula="dx = permute(g, axes⁻¹)",
    doc="Dimensions reordered by a permutation.",
)


def _expand_target(in_shape: Sequence[Any], shape: Sequence[int]) -> tuple[Any, ...]:
    off = len(shape) - len(in_shape)
    return tuple(in_shape[i - off] if (d == -1 and i >= off) else d for i, d in enumerate(shape))


def _expand_rule(specs: tuple[TensorSpec, ...], shape: tuple[int, ...]) -> TensorSpec:
    (s,) = specs
    tgt = _expand_target(s.shape, shape)
    if len(tgt) < len(s.shape) or broadcast_shapes(s.shape, tgt) != tgt:
        raise ValueError(f"cannot broadcast {s.shape} to {shape}")
    return TensorSpec(tgt, dtypes.as_dtype(s.dtype))


EXPAND = defop(
    "expand",
    "shape",
    params=[Param("shape", doc="target shape; -1 keeps a dim")],
    forward=lambda xp, x, shape: xp.broadcast_to(x, _expand_target(x.shape, shape)),
    shape_rule=_expand_rule,
    vjp=lambda g, ins, out, shape: (F.sum_to_shape(g, ins[0].shape),),
    formula="z = broadcast(x, shape)",
    grad_formula="dx = sum g over broadcast dims",
    doc="Broadcast to a larger shape without copying (read-only view).",
)


def _squeeze_axes(shape: Sequence[Any], axis: Any) -> tuple[int, ...]:
    if axis is None:
        return tuple(i for i, d in enumerate(shape) if d == 1)
    # a given dim that is not 1 stays (a no-op, as in PyTorch); an unknown one is taken as 1
    return tuple(a for a in norm_axes(axis, len(shape)) if shape[a] in (1, None))


def _squeeze_rule(specs: tuple[TensorSpec, ...], axis: Any) -> TensorSpec:
    (s,) = specs
    axes = _squeeze_axes(s.shape, axis)
    return TensorSpec(
        tuple(d for i, d in enumerate(s.shape) if i not in axes), dtypes.as_dtype(s.dtype)
    )


SQUEEZE = defop(
    "squeeze",
    "shape",
    params=[Param("axis", None, "dims to drop; None = all 1s")],
    forward=lambda xp, x, axis: xp.squeeze(x, _squeeze_axes(x.shape, axis)),
    shape_rule=_squeeze_rule,
    vjp=lambda g, ins, out, axis: (F.reshape(g, ins[0].shape),),
    formula="z = x without size-1 dims",
    grad_formula="dx = reshape(g, x.shape)",
    doc="Remove size-1 dims (all, or those of the given ones; others stay, as in PyTorch).",
)


def _unsqueeze_rule(specs: tuple[TensorSpec, ...], axis: int) -> TensorSpec:
    (s,) = specs
    n = len(s.shape) + 1
    if not -n <= axis < n:
        raise ValueError(f"axis {axis} out of range for unsqueeze of a {n - 1}-d input")
    shp = list(s.shape)
    shp.insert(axis % n, 1)
    return TensorSpec(tuple(shp), dtypes.as_dtype(s.dtype))


UNSQUEEZE = defop(
    "unsqueeze",
    "shape",
    params=[Param("axis", doc="where the new dim goes")],
    forward=lambda xp, x, axis: xp.expand_dims(x, axis),
    shape_rule=_unsqueeze_rule,
    vjp=lambda g, ins, out, axis: (F.reshape(g, ins[0].shape),),
    formula="z = x with a size-1 dim at axis",
    grad_formula="dx = reshape(g, x.shape)",
    doc="Insert a size-1 dim.",
)


def _cat_rule(specs: tuple[TensorSpec, ...], axis: int) -> TensorSpec:
    if not specs:
        raise ValueError("concatenate needs at least one tensor")
    nd = len(specs[0].shape)
    if nd == 0:
        raise ValueError("cannot concatenate 0-d tensors (use stack)")
    ax = norm_axes(axis, nd)[0]
    out = list(specs[0].shape)
    for s in specs[1:]:
        if len(s.shape) != nd or builtins.any(
            i != ax and a not in (None, b) and b is not None
            for i, (a, b) in enumerate(zip(out, s.shape, strict=True))
        ):
            raise ValueError(
                f"all shapes must match except along axis {axis}: {[tuple(t.shape) for t in specs]}"
            )
        a, b = out[ax], s.shape[ax]
        out[ax] = None if a is None or b is None else a + b
    return TensorSpec(tuple(out), dtypes.result_type(*(s.dtype for s in specs)))


def _cat_vjp(g: Any, ins: Any, out: Any, axis: int) -> tuple[Any, ...]:
    ax = axis % g.ndim
    res, start = [], 0
    for x in ins:
        stop = start + x.shape[ax]
        res.append(g[(slice(None),) * ax + (slice(start, stop),)])
        start = stop
    return tuple(res)


CONCATENATE = defop(
    "concatenate",
    "shape",
    inputs=("*tensors",),
    params=[Param("axis", 0)],
    forward=lambda xp, *xs, axis: xp.concatenate(xs, axis=axis),
    shape_rule=_cat_rule,
    vjp=_cat_vjp,
    formula="z = [x₁ | x₂ | …] along axis",
    grad_formula="dxᵢ = g sliced at xᵢ's place",
    doc="Join tensors along an existing axis.",
)


def _stack_rule(specs: tuple[TensorSpec, ...], axis: int) -> TensorSpec:
    if not specs:
        raise ValueError("stack needs at least one tensor")
    shape = specs[0].shape
    for s in specs[1:]:
        if len(s.shape) != len(shape) or builtins.any(
            a is not None and b is not None and a != b for a, b in zip(shape, s.shape, strict=True)
        ):
            raise ValueError(f"stack needs equal shapes, got {[tuple(t.shape) for t in specs]}")
    n = len(shape) + 1
    if not -n <= axis < n:
        raise ValueError(f"axis {axis} out of range for stack of {n - 1}-d tensors")
    out = list(shape)
    out.insert(axis % n, len(specs))
    return TensorSpec(tuple(out), dtypes.result_type(*(s.dtype for s in specs)))


def _stack_vjp(g: Any, ins: Any, out: Any, axis: int) -> tuple[Any, ...]:
    ax = axis % g.ndim
    return tuple(g[(slice(None),) * ax + (i,)] for i in range(len(ins)))


STACK = defop(
    "stack",
    "shape",
    inputs=("*tensors",),
    params=[Param("axis", 0)],
    forward=lambda xp, *xs, axis: xp.stack(xs, axis=axis),
    shape_rule=_stack_rule,
    vjp=_stack_vjp,
    formula="z = [x₁, x₂, …] along a new axis",
    grad_formula="dxᵢ = g[…, i, …]",
    doc="Join equal-shaped tensors along a new axis.",
)


def _pad_rule(specs: tuple[TensorSpec, ...], pad_width: Any, value: Any) -> TensorSpec:
    (s,) = specs
    if len(pad_width) != len(s.shape):
        raise ValueError(f"pad_width needs one (before, after) pair per dim ({len(s.shape)})")
    return TensorSpec(
        tuple(
            None if d is None else d + a + b for d, (a, b) in zip(s.shape, pad_width, strict=True)
        ),
        dtypes.as_dtype(s.dtype),
    )


def _pad_vjp(g: Any, ins: Any, out: Any, pad_width: Any, value: Any) -> tuple[Any]:
    return (g[tuple(slice(a, g.shape[i] - b) for i, (a, b) in enumerate(pad_width))],)


PAD = defop(
    "pad",
    "shape",
    params=[
        Param("pad_width", doc="((before, after), …) per dim"),
        Param("value", 0.0, "fill value"),
    ],
    forward=lambda xp, x, pad_width, value: (
        xp.pad(x, pad_width, constant_values=value) if pad_width else x.copy()
    ),
    shape_rule=_pad_rule,
    vjp=_pad_vjp,
    formula="z = x surrounded by value",
    grad_formula="dx = g without the padding",
    doc="Constant padding.",
)


# ---- public functions -------------------------------------------------------------------


def reshape(x: Any, shape: Sequence[int]) -> Any:
    """x with a new shape (one dim may be -1; a traced value's named dim may be given by name,
    as `x.reshape(x.shape[0], -1)` does)."""
    dims: tuple[Any, ...] = tuple(shape)
    if any(isinstance(d, str) for d in dims):
        dims = _sizes_for_named(tuple(getattr(x, "shape", ())), dims)
    return unary(RESHAPE, x, {"shape": tuple(int(d) for d in dims)})


def _sizes_for_named(have: tuple[Any, ...], want: tuple[Any, ...]) -> tuple[int, ...]:
    """want, whose one named dim is one of x's, as sizes reshape takes: the name becomes -1 and
    a -1 given beside it the size that x's other (known) dims leave; else a clear ValueError."""
    named = [d for d in want if isinstance(d, str)]
    rest = list(have)
    if len(named) != 1 or named[0] not in rest:
        raise ValueError(
            f"reshape: {want} names dims {named} of a value of shape {have}; one named dim of "
            "the value can be kept by name (e.g. reshape(x.shape[0], -1)), more need flatten()"
        )
    rest.remove(named[0])
    if not all(isinstance(d, int) for d in rest):
        raise ValueError(
            f"reshape: shape {have} has more than one dim known only at run time; "
            f"{want} can keep only one of them"
        )
    fixed = math.prod(d for d in want if isinstance(d, int) and d != -1)
    if -1 not in want:
        return tuple(-1 if isinstance(d, str) else int(d) for d in want)
    left = math.prod(rest)
    if fixed == 0 or left % fixed:
        raise ValueError(f"reshape: cannot fill -1 in {want} from shape {have}")
    return tuple(-1 if isinstance(d, str) else left // fixed if d == -1 else int(d) for d in want)


view = reshape


def permute(x: Any, axes: Sequence[int] | None = None, *, dims: Sequence[int] | None = None) -> Any:
    """x with dims reordered (dims= is PyTorch's name for axes)."""
    order = torch_alias(axes, dims, None, "axes", "dims")
    if order is None:
        raise TypeError("permute needs the new order of the dims (axes= or dims=)")
    return unary(TRANSPOSE, x, {"axes": tuple(int(a) for a in order)})


def _pair(a: Any, b: Any, dim0: Any, dim1: Any) -> tuple[int, int]:
    """The two dims of a swap, given positionally or as PyTorch's dim0=, dim1=."""
    a = torch_alias(a, dim0, None, "a", "dim0")
    b = torch_alias(b, dim1, None, "b", "dim1")
    if a is None or b is None:
        raise TypeError("swapping dims needs two of them (positionally, or dim0= and dim1=)")
    return int(a), int(b)


def swapaxes(
    x: Any,
    a: int | None = None,
    b: int | None = None,
    *,
    dim0: int | None = None,
    dim1: int | None = None,
) -> Any:
    """x with dims a and b swapped (dim0=, dim1= are PyTorch's names for a and b)."""
    if a is None or b is None or dim0 is not None or dim1 is not None:  # not plain (x, a, b)
        a, b = _pair(a, b, dim0, dim1)
    n = len(x.shape)
    axes = list(range(n))
    axes[a % n], axes[b % n] = axes[b % n], axes[a % n]
    return permute(x, axes)


def transpose(x: Any, *axes: Any, dim0: int | None = None, dim1: int | None = None) -> Any:
    """transpose(x, 0, 1) swaps two dims (torch); no dims reverses all; more = a permutation.

    PyTorch's keywords, transpose(x, dim0=0, dim1=1), swap two dims too.
    """
    if dim0 is not None or dim1 is not None:
        return swapaxes(x, *axes, dim0=dim0, dim1=dim1)
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        return permute(x, axes[0])
    if not axes:
        return permute(x, tuple(range(len(x.shape) - 1, -1, -1)))
    if len(axes) == 2:
        return swapaxes(x, axes[0], axes[1])
    return permute(x, axes)


def expand(x: Any, shape: Sequence[int]) -> Any:
    """x broadcast to shape (-1 keeps a dim)."""
    return unary(EXPAND, x, {"shape": tuple(int(d) for d in shape)})


def broadcast_to(x: Any, shape: Sequence[int]) -> Any:
    """x broadcast to shape."""
    return expand(x, shape)


def squeeze(x: Any, axis: Any = None, *, dim: Any = None) -> Any:
    """x without size-1 dims (all, or those at axis; dim= is PyTorch's name for it)."""
    if dim is not None:
        axis = axis_arg(axis, dim)
    return unary(SQUEEZE, x, {"axis": tuple(axis) if isinstance(axis, list) else axis})


def unsqueeze(x: Any, axis: int | None = None, *, dim: int | None = None) -> Any:
    """x with a size-1 dim inserted at axis (dim= is PyTorch's name for it)."""
    if dim is not None:
        axis = axis_arg(axis, dim)
    if axis is None:
        raise TypeError("unsqueeze needs the place of the new dim (axis= or dim=)")
    return unary(UNSQUEEZE, x, {"axis": int(axis)})


def concatenate(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Any:
    """Tensors joined along axis (dim= is PyTorch's name for it; cat is an alias)."""
    if dim is not None:
        axis = axis_arg(axis, dim, 0)
    return dispatch(CONCATENATE, tuple(tensors), {"axis": int(axis)})


cat = concatenate


def stack(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Any:
    """Tensors stacked along a new axis (dim= is PyTorch's name for it)."""
    if dim is not None:
        axis = axis_arg(axis, dim, 0)
    return dispatch(STACK, tuple(tensors), {"axis": int(axis)})


def pad(x: Any, pad_width: Any, value: float = 0.0) -> Any:
    """x padded with value; pad_width is an int, a (before, after) pair, or one pair per dim."""
    nd = len(x.shape)
    if isinstance(pad_width, int):
        pw = ((pad_width, pad_width),) * nd
    elif len(pad_width) == 2 and all(isinstance(p, int) for p in pad_width):
        pw = (tuple(pad_width),) * nd
    else:
        pw = tuple((int(a), int(b)) for a, b in pad_width)
    return unary(PAD, x, {"pad_width": pw, "value": value})


def flatten(x: Any, start_dim: int = 0, end_dim: int = -1) -> Any:
    """Dims start_dim..end_dim merged into one."""
    shape = tuple(x.shape)
    if not shape:
        return reshape(x, (1,))
    s, e = start_dim % len(shape), end_dim % len(shape)
    merged = shape[s : e + 1]
    n = math.prod(merged) if all(isinstance(d, int) for d in merged) else -1
    # a named dim (a traced batch) becomes -1, which reshape's rule infers back to it
    target = tuple(d if isinstance(d, int) else -1 for d in (*shape[:s], n, *shape[e + 1 :]))
    if target.count(-1) > 1:
        raise ShapeError("flatten", [shape], "more than one named dim would be kept")
    return reshape(x, target)


def split(
    x: Any, split_size_or_sections: Any, axis: int = 0, *, dim: int | None = None
) -> list[Any]:
    """Pieces along axis: equal chunks of a size, or a list of sizes (torch semantics).

    dim= is PyTorch's name for axis.
    """
    if dim is not None:
        axis = axis_arg(axis, dim, 0)
    n = x.shape[axis]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        sizes = [builtins.min(step, n - i) for i in range(0, n, step)] or [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if builtins.sum(sizes) != n:
            raise ValueError(f"split sizes {sizes} do not add up to {n} along axis {axis}")
    ax = axis % len(x.shape)
    out, start = [], 0
    for s in sizes:
        out.append(x[(slice(None),) * ax + (slice(start, start + s),)])
        start += s
    return out


def sum_to_shape(g: Any, shape: Sequence[int]) -> Any:
    """Sum g over the dims broadcasting added, so it has `shape` (the unbroadcast step)."""
    shape = tuple(shape)
    gs = tuple(g.shape)
    if gs == shape:
        return g
    lead = len(gs) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, d in enumerate(shape) if d == 1 and gs[i + lead] != 1
    )
    if axes:
        g = F.sum(g, axes, True)
    return reshape(g, shape) if tuple(g.shape) != shape else g


__all__ = [
    "broadcast_to",
    "cat",
    "concatenate",
    "expand",
    "flatten",
    "pad",
    "permute",
    "reshape",
    "split",
    "squeeze",
    "stack",
    "sum_to_shape",
    "swapaxes",
    "transpose",
    "unsqueeze",
    "view",
]
