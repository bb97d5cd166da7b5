"""More of PyTorch's shape ops: flip (a primitive), and composites of reshape, expand, permute,
slicing and indexing: roll, repeat, tile, repeat_interleave, chunk, unflatten, unfold,
diag, diagonal, meshgrid, movedim, narrow, expand_as."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import functional as F
from ..dispatch import unary
from ..registry import Param, TensorSpec, composite, defop
from ._names import axis_arg
from ._rules import norm_axes, same


def _flip_rule(specs: tuple[TensorSpec, ...], axis: Any) -> TensorSpec:
    norm_axes(axis, len(specs[0].shape))  # refuses an axis out of range
    return same(specs)


FLIP = defop(
    "flip",
    "shape",
    params=[Param("axis", doc="dims to reverse")],
    forward=lambda xp, x, axis: xp.flip(x, axis=axis),
    shape_rule=_flip_rule,
    vjp=lambda g, ins, out, axis: (F.flip(g, axis),),
    formula="z[i] = x[n - 1 - i] along each axis",
    grad_formula="dx = flip(g)",
    doc="Reverse the order of elements along the given dims.",
)


def _dims(dims: Any) -> tuple[int, ...]:
    """An int or a sequence of ints (as PyTorch's dims arguments) as a tuple."""
    return (int(dims),) if isinstance(dims, (int, np.integer)) else tuple(int(d) for d in dims)


def _known(x: Any, d: int, what: str) -> int:
    """x's size in dim d, which must be known (a traced unknown dim is refused)."""
    n = x.shape[d]
    if not isinstance(n, int):
        raise ValueError(f"{what} needs dim {d} known when tracing, not shape {tuple(x.shape)}")
    return n


def flip(x: Any, dims: Any) -> Any:
    """x with the order of elements reversed along dims."""
    axes = norm_axes(_dims(dims), len(x.shape))
    return unary(FLIP, x, {"axis": axes})


def fliplr(x: Any) -> Any:
    """Reverse dim 1."""
    return flip(x, 1)


def flipud(x: Any) -> Any:
    """Reverse dim 0."""
    return flip(x, 0)


def _required(dim: int | None, what: str) -> int:
    """A dim argument PyTorch requires (positional, or dim=)."""
    if dim is None:
        raise TypeError(f"{what}() missing its dim (pass it second, or as dim=)")
    return dim


def _slice(x: Any, d: int, start: int, stop: int) -> Any:
    """x[..., start:stop, ...] along dim d."""
    return F.getitem(x, (slice(None),) * d + (slice(start, stop),))


@composite("roll", "shape", "z[i] = x[(i - shift) mod n] along each dim", params=("shifts", "dims"))
def roll(x: Any, shifts: Any, dims: Any = None) -> Any:
    """Elements shifted along dims, wrapping around; dims=None rolls the flattened tensor."""
    if dims is None:
        return F.reshape(roll(F.reshape(x, (-1,)), shifts, 0), tuple(x.shape))
    sh, ds = _dims(shifts), _dims(dims)
    if len(sh) != len(ds):
        raise ValueError(f"roll: {len(sh)} shifts for {len(ds)} dims")
    for s, d in zip(sh, ds, strict=True):
        d = norm_axes(d, len(x.shape))[0]
        n = _known(x, d, "roll")
        k = s % n if n else 0
        if k:
            x = F.concatenate([_slice(x, d, n - k, n), _slice(x, d, 0, n - k)], d)
    return x


@composite("repeat", "shape", "z = x tiled sizes[i] times along dim i", params=("sizes",))
def repeat(x: Any, *sizes: Any) -> Any:
    """x tiled: dim i repeated sizes[i] times (leading sizes add dims), as Tensor.repeat."""
    reps = tuple(
        int(r) for r in (sizes[0] if len(sizes) == 1 and not isinstance(sizes[0], int) else sizes)
    )
    shape = tuple(x.shape)
    if len(reps) < len(shape):
        raise ValueError(
            f"repeat: {len(reps)} sizes for a {len(shape)}-d tensor (need at least as many)"
        )
    shape = (1,) * (len(reps) - len(shape)) + shape
    inter = tuple(v for d in shape for v in (1, d))
    wide = tuple(v for r, d in zip(reps, shape, strict=True) for v in (r, d))
    out = F.expand(F.reshape(x, inter), wide)
    return F.reshape(out, tuple(r * d for r, d in zip(reps, shape, strict=True)))


@composite("tile", "shape", "z = repeat(x, dims) with dims padded by leading 1s", params=("dims",))
def tile(x: Any, dims: Sequence[int]) -> Any:
    """x repeated dims[i] times along dim i; fewer dims than x has count from the last."""
    reps = tuple(int(d) for d in dims)
    return repeat(x, (1,) * (len(x.shape) - len(reps)) + reps)


@composite(
    "repeat_interleave",
    "shape",
    "z = each element of x repeated (in place) along dim",
    params=("repeats", "axis"),
)
def repeat_interleave(
    x: Any,
    repeats: Any,
    axis: int | None = None,
    *,
    dim: int | None = None,
    output_size: Any = None,
) -> Any:
    """Each element repeated `repeats` times next to itself along axis (flattened when None);
    repeats an int or a 1-d tensor of counts, one per element of the axis (dim= as PyTorch)."""
    dim = axis_arg(axis, dim)
    if dim is None:
        x, dim = F.reshape(x, (-1,)), 0
    d = norm_axes(dim, len(x.shape))[0]
    n = _known(x, d, "repeat_interleave")
    if isinstance(repeats, (int, np.integer)) or getattr(repeats, "ndim", 1) == 0:
        r = int(repeats)
        shape = tuple(x.shape)
        wide = F.expand(F.unsqueeze(x, d + 1), (*shape[: d + 1], r, *shape[d + 1 :]))
        return F.reshape(wide, (*shape[:d], n * r, *shape[d + 1 :]))
    counts = np.asarray(repeats.numpy() if hasattr(repeats, "numpy") else repeats, dtype=np.int64)
    if counts.shape != (n,):
        raise ValueError(f"repeat_interleave: {counts.shape[0]} repeats for dim {dim} of size {n}")
    return F.getitem(x, (slice(None),) * d + (np.repeat(np.arange(n), counts),))


@composite(
    "chunk",
    "shape",
    "zᵢ = x split into pieces of ⌈n / chunks⌉ along dim",
    params=("chunks", "axis"),
)
def chunk(x: Any, chunks: int, axis: int = 0, *, dim: int | None = None) -> tuple[Any, ...]:
    """At most `chunks` pieces of equal size ⌈n / chunks⌉ along axis (the last may be smaller;
    dim= as PyTorch)."""
    dim = axis_arg(axis, dim, 0)
    if chunks <= 0:
        raise ValueError(f"chunk expects chunks > 0, not {chunks}")
    d = norm_axes(dim, len(x.shape))[0]
    n = _known(x, d, "chunk")
    size = -(-n // chunks) if n else 1
    return tuple(F.split(x, size, d)) if n else (x,)


@composite("unflatten", "shape", "z = reshape(x, dim → sizes)", params=("axis", "sizes"))
def unflatten(
    x: Any, axis: int | None = None, sizes: Sequence[int] = (), *, dim: int | None = None
) -> Any:
    """Dim `axis` (PyTorch's dim) split into several of `sizes` (one may be -1)."""
    dim = _required(axis_arg(axis, dim), "unflatten")
    shape = tuple(x.shape)
    d = norm_axes(dim, len(shape))[0]
    return F.reshape(x, shape[:d] + tuple(int(s) for s in sizes) + shape[d + 1 :])


@composite(
    "unfold",
    "shape",
    "z[..., i, ..., j] = x[..., i·step + j, ...] (windows of `size` along dim, last)",
    params=("dimension", "size", "step"),
)
def unfold(x: Any, dimension: int, size: int, step: int) -> Any:
    """Sliding windows of `size` every `step` along dimension, as a new last dim (Tensor.unfold)."""
    if step <= 0 or size < 0:
        raise ValueError(f"unfold needs step > 0 and size >= 0, not step {step}, size {size}")
    shape = tuple(x.shape)
    d = norm_axes(dimension, len(shape))[0] if shape else 0
    n = _known(x, d, "unfold") if shape else 1
    if size > n:
        raise ValueError(f"unfold: size {size} exceeds dim {dimension} of size {n}")
    if not shape:
        return F.reshape(x, (1,))
    windows = (n - size) // step + 1
    idx = np.arange(windows)[:, None] * step + np.arange(size)[None, :]
    picked = F.getitem(x, (slice(None),) * d + (idx,))  # (..., windows, size, ...)
    return movedim(picked, d + 1, -1)


@composite(
    "movedim",
    "shape",
    "z = x with dims source moved to destination",
    params=("source", "destination"),
)
def movedim(x: Any, source: Any, destination: Any) -> Any:
    """Dims `source` moved to positions `destination`, the others keeping their order."""
    nd = len(x.shape)
    src, dst = _dims(source), _dims(destination)
    if len(src) != len(dst):
        raise ValueError(f"movedim: {len(src)} source dims for {len(dst)} destinations")
    src = tuple(norm_axes(s, nd)[0] for s in src)
    dst = tuple(norm_axes(t, nd)[0] for t in dst)
    order = [-1] * nd
    for s, t in zip(src, dst, strict=True):
        order[t] = s
    rest = iter(i for i in range(nd) if i not in src)
    perm = tuple(o if o >= 0 else next(rest) for o in order)
    return F.permute(x, perm) if perm != tuple(range(nd)) else x


moveaxis = movedim


@composite(
    "narrow",
    "shape",
    "z = x[..., start : start + length, ...] along dim",
    params=("axis", "start", "length"),
)
def narrow(
    x: Any, axis: int | None = None, start: int = 0, length: int = 0, *, dim: int | None = None
) -> Any:
    """`length` elements of axis (PyTorch's dim) from `start` (negative counts from the end)."""
    dim = _required(axis_arg(axis, dim), "narrow")
    d = norm_axes(dim, len(x.shape))[0]
    n = _known(x, d, "narrow")
    s = int(start) + (n if int(start) < 0 else 0)
    if s < 0 or length < 0 or s + length > n:
        raise IndexError(f"narrow: start {start}, length {length} out of range for size {n}")
    return _slice(x, d, s, s + int(length))


@composite("expand_as", "shape", "z = broadcast x to other's shape")
def expand_as(x: Any, other: Any) -> Any:
    """x broadcast to other's shape."""
    return F.expand(x, tuple(other.shape))


@composite(
    "diagonal",
    "shape",
    "z[..., i] = x[..., i + max(-k, 0), i + max(k, 0)] over dims dim1, dim2 (moved last)",
    params=("offset", "dim1", "dim2"),
)
def diagonal(x: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:
    """The offset diagonal over dims dim1 and dim2, as a new last dim."""
    nd = len(x.shape)
    a, b = norm_axes(dim1, nd)[0], norm_axes(dim2, nd)[0]
    if a == b:
        raise ValueError(f"diagonal: dim1 and dim2 must differ, both are {dim1}")
    moved = movedim(x, (a, b), (nd - 2, nd - 1))
    rows, cols = _known(moved, nd - 2, "diagonal"), _known(moved, nd - 1, "diagonal")
    k = int(offset)
    r0, c0 = max(-k, 0), max(k, 0)
    length = max(min(rows - r0, cols - c0), 0)
    i = np.arange(length)
    return F.getitem(moved, (Ellipsis, i + r0, i + c0))


_take_diagonal = diagonal  # diag's argument is called diagonal, as in PyTorch


@composite(
    "diag",
    "shape",
    "1-d x: z = matrix with x on diagonal k; 2-d x: z = diagonal k",
    params=("diagonal",),
)
def diag(x: Any, diagonal: int = 0) -> Any:
    """A 1-d x placed on the k-th diagonal of a square matrix, or a 2-d x's k-th diagonal."""
    shape, k = tuple(x.shape), int(diagonal)
    if len(shape) == 2:
        return _take_diagonal(x, k)
    if len(shape) != 1:
        raise ValueError(f"diag takes a 1-d or 2-d tensor, not shape {shape}")
    n = _known(x, 0, "diag")
    m = n + abs(k)
    padded = F.pad(x, ((0, abs(k)),))
    line = F.reshape(padded, (m, 1) if k >= 0 else (1, m))
    return F.where(np.eye(m, k=k, dtype=bool), line, 0)


@composite(
    "meshgrid", "shape", "zᵢ = xᵢ broadcast along every other input's dim", params=("indexing",)
)
def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Any, ...]:
    """Coordinate grids from 1-d tensors; indexing 'ij' (matrix, PyTorch's default) or 'xy'."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid indexing must be 'ij' or 'xy', not {indexing!r}")
    flat = [F.reshape(t, (-1,)) for t in tensors]
    sizes = [int(t.shape[0]) for t in flat]
    swap = indexing == "xy" and len(flat) >= 2
    if swap:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, t in enumerate(flat):
        pos = (1 - i if i < 2 else i) if swap else i
        view = tuple(sizes[j] if j == pos else 1 for j in range(len(flat)))
        out.append(F.expand(F.reshape(t, view), tuple(sizes)))
    return tuple(out)


__all__ = [
    "chunk",
    "diag",
    "diagonal",
    "expand_as",
    "flip",
    "fliplr",
    "flipud",
    "meshgrid",
    "moveaxis",
    "movedim",
    "narrow",
    "repeat",
    "repeat_interleave",
    "roll",
    "tile",
    "unflatten",
    "unfold",
]
