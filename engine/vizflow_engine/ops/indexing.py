"""Indexing: getitem (basic and advanced), its scatter-add gradient, and setitem."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from .._state import STATE
from ..dispatch import dispatch, unary
from ..registry import Param, TensorSpec, defop
from ..tensor import Tensor
from ._rules import UNKNOWN_DIM_PROBES

_BASIC = (int, slice, type(None), type(Ellipsis))


def is_basic(index: tuple[Any, ...]) -> bool:
    """True when the index has only ints, slices, None and Ellipsis (no duplicates possible)."""
    return all(isinstance(i, _BASIC) and not isinstance(i, bool) for i in index)


def normalize_index(index: Any) -> tuple[Any, ...]:
    """An index as a tuple with Tensors and lists turned into arrays (kept on their device)."""
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    for i in index:
        if isinstance(i, Tensor):
            out.append(i.data)
        elif isinstance(i, (list, np.ndarray)):
            out.append(np.asarray(i))
        elif isinstance(i, (np.integer,)):
            out.append(int(i))
        else:
            out.append(i)
    return tuple(out)


def _dummy_shape(shape: tuple[Any, ...], index: tuple[Any, ...], dtype: Any) -> tuple[Any, ...]:
    """x[index].shape, indexing a zero-stride dummy. Unknown (None) dims are tried at several
    sizes (an empty one too, where the index allows): a dim that varies with them is unknown."""
    idx = tuple(np.asarray(i) if not isinstance(i, _BASIC) else i for i in index)
    if None not in shape:
        return tuple(np.broadcast_to(np.zeros((), dtype=np.int8), shape)[idx].shape)
    shapes = []
    for size in (*UNKNOWN_DIM_PROBES, 0):
        dummy = np.broadcast_to(
            np.zeros((), dtype=np.int8), tuple(size if d is None else d for d in shape)
        )
        try:
            shapes.append(dummy[idx].shape)
        except IndexError:
            if size != 0:  # an index the large sizes reject is wrong for every size
                raise
    if len({len(s) for s in shapes}) != 1:
        raise ValueError(f"index {index} gives a rank that depends on unknown dims")
    return tuple(ds[0] if len(set(ds)) == 1 else None for ds in zip(*shapes, strict=True))


def _getitem_rule(specs: tuple[TensorSpec, ...], index: tuple[Any, ...]) -> TensorSpec:
    (s,) = specs
    return TensorSpec(_dummy_shape(tuple(s.shape), index, s.dtype), dtypes.as_dtype(s.dtype))


GETITEM = defop(
    "getitem",
    "indexing",
    params=[Param("index", doc="numpy-style index tuple")],
    forward=lambda xp, x, index: x[index],
    shape_rule=_getitem_rule,
    vjp=lambda g, ins, out, index: (index_add(g, index, ins[0].shape),),
    formula="z = x[index]",
    grad_formula="dx = zeros(x.shape) with g added at index",
    doc="Basic and advanced (integer/bool array) indexing like numpy.",
)


def _index_add_fwd(xp: Any, g: Any, index: tuple[Any, ...], shape: tuple[int, ...]) -> Any:
    z = xp.zeros(shape, dtype=g.dtype)
    if is_basic(index):
        z[index] = g
    elif xp is np:
        np.add.at(z, index, g)
    else:  # cupy
        import cupyx

        cupyx.scatter_add(z, index, g)
    return z


def _index_add_rule(
    specs: tuple[TensorSpec, ...], index: tuple[Any, ...], shape: tuple[int, ...]
) -> TensorSpec:
    want = _dummy_shape(shape, index, specs[0].dtype)
    got = tuple(specs[0].shape)
    if len(got) > len(want) or any(
        a not in (1, b) and a is not None for a, b in zip(got[::-1], want[::-1], strict=False)
    ):
        raise ValueError(f"values of shape {got} do not fit index result shape {want}")
    return TensorSpec(tuple(shape), dtypes.as_dtype(specs[0].dtype))


INDEX_ADD = defop(
    "index_add",
    "indexing",
    inputs=("g",),
    params=[Param("index"), Param("shape", doc="shape of the result")],
    forward=_index_add_fwd,
    shape_rule=_index_add_rule,
    vjp=lambda g, ins, out, index, shape: (g[index],),
    formula="z = zeros(shape); z[index] += g",
    grad_formula="dg = g[index]",
    doc="Scatter-add into zeros (repeated indices add up): getitem's gradient.",
)


def _setitem_fwd(xp: Any, x: Any, v: Any, index: tuple[Any, ...]) -> Any:
    out = x.copy()
    out[index] = v
    return out


def _setitem_rule(specs: tuple[TensorSpec, ...], index: tuple[Any, ...]) -> TensorSpec:
    x, v = specs
    _index_add_rule((v,), index, tuple(d if d is not None else 1 for d in x.shape))
    return TensorSpec(tuple(x.shape), dtypes.as_dtype(x.dtype))


SETITEM = defop(
    "setitem",
    "indexing",
    inputs=("x", "value"),
    params=[Param("index")],
    forward=_setitem_fwd,
    shape_rule=_setitem_rule,
    vjp=lambda g, ins, out, index: (index_put(g, index, 0.0), g[index]),
    formula="z = x with z[index] = value",
    grad_formula="dx = g with g[index] = 0; dvalue = g[index]",
    doc="A copy of x with values written at index (the recorded form of x[i] = v).",
)


def getitem(x: Any, index: Any) -> Any:
    """x[index] with numpy semantics."""
    return unary(GETITEM, x, {"index": normalize_index(index)})


def index_add(g: Any, index: Any, shape: tuple[int, ...]) -> Any:
    """zeros(shape) with g added at index (repeated indices accumulate)."""
    return unary(INDEX_ADD, g, {"index": normalize_index(index), "shape": tuple(shape)})


def index_put(x: Any, index: Any, value: Any) -> Any:
    """A copy of x with value written at index (functional setitem)."""
    return dispatch(SETITEM, (x, value), {"index": normalize_index(index)})


def setitem(x: Tensor, index: Any, value: Any) -> None:
    """x[index] = value: recorded as a setitem node when grad flows, else written in place."""
    vgrad = isinstance(value, Tensor) and value.requires_grad
    if STATE.grad_enabled and (x.requires_grad or vgrad):
        x._inplace(lambda old: index_put(old, index, value))
        return
    arr = value.data if isinstance(value, Tensor) else value
    try:
        x.data[normalize_index(index)] = arr
    except ValueError:  # read-only view (e.g. from expand): write into a copy
        x.data = x.data.copy()
        x.data[normalize_index(index)] = arr


__all__ = ["getitem", "index_add", "index_put", "setitem"]
