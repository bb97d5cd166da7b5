"""Indexing: getitem (basic and advanced), its scatter-add gradient, and setitem.

An index is an op param (a tuple of ints, slices, None, Ellipsis and constant arrays),
except for its integer index tensors: those are op inputs after x (and setitem's value),
and the param holds the string INPUT where each one goes. So `x[i]` with a tensor `i`
records `getitem(x, i)` eagerly and traces to a graph node reading the symbolic `i`, and
gradients (a scatter-add at the same index) flow the same way in both modes. Boolean mask
tensors stay constants: eagerly their data is the index; a symbolic mask gives a shape that
depends on its values, which a graph cannot hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes
from .. import functional as F
from .._state import STATE
from ..dispatch import _interceptors, _mine, _symbolic_handler, dispatch, unary
from ..registry import OpDef, Param, TensorSpec, defop
from ..tensor import Tensor
from ._rules import UNKNOWN_DIM_PROBES, broadcast_shapes

_BASIC = (int, slice, type(None), type(Ellipsis))
_PLAIN = frozenset(_BASIC)  # exact classes: bool (a subclass of int) is not a basic index

_PLAIN_VALUES = frozenset({Tensor, float, int, bool, np.ndarray})  # setitem values, not symbolic

INPUT = "<input>"
"""Stands in an index param for the next index-array input of the op."""

_MASK_HINT = (
    "a boolean mask tensor as an index gives a shape that depends on its values, which a "
    "traced graph cannot hold; keep the shape with vf.where(mask, x, 0), or index with a "
    "constant (numpy) mask"
)


def is_basic(index: tuple[Any, ...]) -> bool:
    """True when the index has only ints, slices, None and Ellipsis (no duplicates possible)."""
    return all(isinstance(i, _BASIC) and not isinstance(i, bool) for i in index)


def split_index(x: Any, index: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(template, inputs): an index into x as an op param, and its index tensors as op inputs.

    Integer Tensors and symbolic values become inputs (INPUT marks their place; an eager one
    moves to x's device: a CPU index may pick from a GPU tensor, as in PyTorch); lists,
    numpy arrays and boolean Tensors become constant arrays (kept on their device).
    Indexes of ints and slices only take the first branch.
    """
    if index.__class__ is not tuple:
        index = (index,)
    out: list[Any] = []
    inputs: list[Any] = []
    for i in index:
        if i.__class__ in _PLAIN:
            out.append(i)
        elif isinstance(i, Tensor):
            if i.array.dtype.kind == "b":
                out.append(i.array)
            else:
                out.append(INPUT)
                moved = isinstance(x, Tensor) and i.device is not x.device
                inputs.append(i.to(x.device) if moved else i)
        elif isinstance(i, (list, np.ndarray)):
            out.append(np.asarray(i))
        elif isinstance(i, np.integer):
            out.append(int(i))
        elif _symbolic_handler(i) is not None:
            out.append(INPUT)
            inputs.append(i)
        else:
            out.append(i)
    return tuple(out), tuple(inputs)


def fill_index(template: tuple[Any, ...], inputs: Sequence[Any]) -> tuple[Any, ...]:
    """The index with each INPUT marker replaced by the next of inputs (arrays or tensors)."""
    if not inputs:
        return template
    it = iter(inputs)
    return tuple(next(it) if i.__class__ is str else i for i in template)


def _dummy_shape(shape: tuple[Any, ...], index: tuple[Any, ...]) -> tuple[Any, ...]:
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


def _index_shape(
    shape: tuple[Any, ...], index: tuple[Any, ...], inputs: Sequence[TensorSpec]
) -> tuple[Any, ...]:
    """x[index].shape, the INPUT markers of index standing for index arrays of specs inputs.

    Their values are unknown, so the index arrays (inputs, constants and masks, as their
    nonzero() arrays) are broadcast from their specs alone, and the dummy is indexed twice
    with zero arrays of every broadcast dim 1 and then 2: the dims that change are where
    numpy puts the broadcast block. Nothing of the arrays' own (maybe huge) size is made.
    """
    if not inputs:
        return _dummy_shape(shape, index)
    for s in inputs:
        kind = dtypes.as_dtype(s.dtype).kind
        if kind == "b":
            raise IndexError(_MASK_HINT)
        if kind not in "iu":
            raise IndexError(f"index tensors must hold integers, not {dtypes.as_dtype(s.dtype)}")
    parts: list[Any] = []
    for i in index:
        if isinstance(i, np.ndarray) and i.dtype == bool:
            parts.extend(np.nonzero(i))
        else:
            parts.append(i)
    arrays = [i for i in parts if isinstance(i, np.ndarray)]
    block = broadcast_shapes(*(tuple(s.shape) for s in inputs), *(a.shape for a in arrays))

    def probe(size: int) -> tuple[Any, ...]:
        zeros = np.broadcast_to(np.zeros((), dtype=np.intp), (size,) * len(block))
        return _dummy_shape(
            shape,
            tuple(zeros if i.__class__ is str or isinstance(i, np.ndarray) else i for i in parts),
        )

    one = probe(1)
    if not block:
        return one
    two = probe(2)
    at = next(k for k, (a, b) in enumerate(zip(one, two, strict=True)) if a != b)
    return (*one[:at], *block, *one[at + len(block) :])


def _getitem_fwd(xp: Any, x: Any, *inputs: Any, index: tuple[Any, ...]) -> Any:
    return x[fill_index(index, inputs)] if inputs else x[index]


def _getitem_rule(specs: tuple[TensorSpec, ...], index: tuple[Any, ...]) -> TensorSpec:
    s, *inputs = specs
    return TensorSpec(_index_shape(tuple(s.shape), index, inputs), dtypes.as_dtype(s.dtype))


def _no_grads(inputs: Sequence[Any]) -> tuple[None, ...]:
    """None for each index-array input (integers have no gradient)."""
    return (None,) * len(inputs)


GETITEM = defop(
    "getitem",
    "indexing",
    inputs=("*x_and_indices",),
    params=[Param("index", doc=f"numpy-style index tuple; {INPUT!r} takes the next input")],
    forward=_getitem_fwd,
    shape_rule=_getitem_rule,
    vjp=lambda g, ins, out, index: (
        index_add(g, fill_index(index, ins[1:]), ins[0].shape),
        *_no_grads(ins[1:]),
    ),
    formula="z = x[index]",
    grad_formula="dx = zeros(x.shape) with g added at index",
    doc="Basic and advanced (integer/bool array) indexing like numpy; integer index "
    "tensors are inputs after x.",
    differentiable_inputs=(0,),
)


def _index_add_fwd(xp: Any, g: Any, *inputs: Any, index: Any, shape: tuple[int, ...]) -> Any:
    index = fill_index(index, inputs)
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
    v, *inputs = specs
    want = _index_shape(tuple(shape), index, inputs)
    got = tuple(v.shape)
    if len(got) > len(want) or any(
        a not in (1, b) and a is not None for a, b in zip(got[::-1], want[::-1], strict=False)
    ):
        raise ValueError(f"values of shape {got} do not fit index result shape {want}")
    return TensorSpec(tuple(shape), dtypes.as_dtype(v.dtype))


INDEX_ADD = defop(
    "index_add",
    "indexing",
    inputs=("*g_and_indices",),
    params=[Param("index"), Param("shape", doc="shape of the result")],
    forward=_index_add_fwd,
    shape_rule=_index_add_rule,
    vjp=lambda g, ins, out, index, shape: (
        _indexed(GETITEM, g, fill_index(index, ins[1:])),
        *_no_grads(ins[1:]),
    ),
    formula="z = zeros(shape); z[index] += g",
    grad_formula="dg = g[index]",
    doc="Scatter-add into zeros (repeated indices add up): getitem's gradient.",
    differentiable_inputs=(0,),
)


def _setitem_fwd(xp: Any, x: Any, v: Any, *inputs: Any, index: tuple[Any, ...]) -> Any:
    out = x.copy()
    out[fill_index(index, inputs)] = v
    return out


def _setitem_rule(specs: tuple[TensorSpec, ...], index: tuple[Any, ...]) -> TensorSpec:
    x, v, *inputs = specs
    shape = tuple(d if d is not None else 1 for d in x.shape)
    want = len(_index_shape(shape, index, inputs))
    vshape = tuple(v.shape)
    while len(vshape) > want and vshape[0] == 1:  # numpy drops a value's extra leading 1s
        vshape = vshape[1:]
    _index_add_rule((TensorSpec(vshape, v.dtype), *inputs), index, shape)
    return TensorSpec(tuple(x.shape), dtypes.as_dtype(x.dtype))


def _setitem_vjp(g: Any, ins: Sequence[Any], out: Any, index: tuple[Any, ...]) -> tuple[Any, ...]:
    at = fill_index(index, ins[2:])
    dv = _indexed(GETITEM, g, at)  # numpy's order, as the op wrote the value
    extra = len(np.shape(ins[1])) - len(dv.shape)
    if extra > 0:  # a value with leading 1s beyond the indexed shape (v[0] = p, p (1, n))
        dv = F.reshape(dv, (1,) * extra + tuple(dv.shape))
    return (index_put(g, at, 0.0), dv, *_no_grads(ins[2:]))


SETITEM = defop(
    "setitem",
    "indexing",
    inputs=("*x_value_and_indices",),
    params=[Param("index")],
    forward=_setitem_fwd,
    shape_rule=_setitem_rule,
    vjp=_setitem_vjp,
    formula="z = x with z[index] = value",
    grad_formula="dx = g with g[index] = 0; dvalue = g[index]",
    doc="A copy of x with values written at index (the recorded form of x[i] = v).",
    differentiable_inputs=(0, 1),
)


def _indexed(op: OpDef, x: Any, index: Any, **params: Any) -> Any:
    """op on x at index: index tensors go in as inputs after x, the rest as the index param
    (an index of ints and slices takes the one-input fast path)."""
    template, inputs = split_index(x, index)
    params = {"index": template, **params}
    return dispatch(op, (x, *inputs), params) if inputs else unary(op, x, params)


def _is_int(i: Any) -> bool:
    return i.__class__ is int or isinstance(i, np.integer)


def _is_array(i: Any) -> bool:
    """An advanced entry of an index: an index tensor (INPUT), a list or a numpy array."""
    return i.__class__ is str or isinstance(i, (np.ndarray, list))


def _torch_split(template: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    """PyTorch applies an index's ints first, so index arrays that only ints separate stay
    together in place (`x[1, :, idx]` of (2, 5, 6) is (5, 3)); numpy counts ints as advanced
    and moves the block to the front ((3, 5)). When the two differ: (the ints with a full
    slice for every other dim, the rest without the ints), two numpy indexes in a row that
    give PyTorch's result; None when numpy already agrees."""
    ints = [k for k, i in enumerate(template) if _is_int(i)]
    arrays = [k for k, i in enumerate(template) if _is_array(i)]
    if not ints or not arrays:
        return None
    both = sorted(ints + arrays)
    if both[-1] - both[0] + 1 == len(both):  # numpy keeps them together as well
        return None
    rest = tuple(i for i in template if not _is_int(i))
    kept = [k for k, i in enumerate(rest) if _is_array(i)]
    if kept[-1] - kept[0] + 1 != len(kept):  # PyTorch moves them to the front too
        return None
    first: list[Any] = []
    for i in template:
        if _is_int(i) or i is Ellipsis:
            first.append(i)
        elif i is not None:
            dims = np.ndim(i) if isinstance(i, np.ndarray) and i.dtype == bool else 1
            first.extend([slice(None)] * dims)
    return tuple(first), rest


def getitem(x: Any, index: Any) -> Any:
    """x[index] as PyTorch indexes (numpy's rules, except that ints are applied first)."""
    template, inputs = split_index(x, index)
    split = _torch_split(template)
    if split is None:
        params = {"index": template}
        return dispatch(GETITEM, (x, *inputs), params) if inputs else unary(GETITEM, x, params)
    return dispatch(GETITEM, (unary(GETITEM, x, {"index": split[0]}), *inputs), {"index": split[1]})


def index_add(g: Any, index: Any, shape: tuple[int, ...]) -> Any:
    """zeros(shape) with g added at index (repeated indices accumulate)."""
    return _indexed(INDEX_ADD, g, index, shape=tuple(shape))


def index_put(x: Any, index: Any, value: Any) -> Any:
    """A copy of x with value written at index (functional setitem)."""
    template, inputs = split_index(x, index)
    return dispatch(SETITEM, (x, value, *inputs), {"index": template})


def _block_first(value: Any, template: tuple[Any, ...], inputs: Sequence[Any], ndim: int) -> Any:
    """A value given in PyTorch's order for x[template] (index arrays' block where the arrays
    sit, ints applied first) permuted into numpy's order (the block first), which the
    setitem op writes in."""
    ranks = [len(i.shape) for i in inputs]
    ranks += [1 if i.dtype == bool else i.ndim for i in template if isinstance(i, np.ndarray)]
    block = max(ranks)
    consumed = sum(
        np.ndim(i) if isinstance(i, np.ndarray) and i.dtype == bool else 1
        for i in template
        if i is not None and i is not Ellipsis
    )
    before = 0  # result dims before the block, in PyTorch's order (ints give none)
    for i in template:
        if _is_array(i):
            break
        if i is Ellipsis:
            before += ndim - consumed
        elif not _is_int(i):
            before += 1
    rank = block + sum(1 for i in template if i is None or isinstance(i, slice))
    if any(i is Ellipsis for i in template):
        rank += ndim - consumed
    vrank = len(value.shape)
    if vrank < rank:
        value = F.reshape(value, (1,) * (rank - vrank) + tuple(value.shape))
    elif vrank > rank:
        return value  # extra leading dims: numpy's broadcasting error says what is wrong
    order = [*range(before, before + block), *range(before), *range(before + block, rank)]
    return F.permute(value, order)


def setitem(x: Tensor, index: Any, value: Any) -> None:
    """x[index] = value: recorded as a setitem node when grad flows, the index or value is
    symbolic or a trace is running (so the graph writes it on every call), else written in
    place. The value is in PyTorch's order (see getitem)."""
    template, inputs = split_index(x, index)
    if isinstance(value, list):
        value = np.asarray(value)
    if _torch_split(template) is not None and len(getattr(value, "shape", ())) > 0:
        value = _block_first(value, template, inputs, len(x.shape))
    vgrad = isinstance(value, Tensor) and value.requires_grad
    if (
        (STATE.grad_enabled and (x.requires_grad or vgrad))
        or (_interceptors and _mine(_interceptors) is not None)  # tracing in this thread
        or any(not isinstance(i, Tensor) for i in inputs)
        or (value.__class__ not in _PLAIN_VALUES and _symbolic_handler(value) is not None)
    ):
        x._inplace(lambda old: dispatch(SETITEM, (old, value, *inputs), {"index": template}))
        return
    at = fill_index(template, [i.array for i in inputs])
    arr = value.array if isinstance(value, Tensor) else value
    try:
        x.array[at] = arr
    except ValueError:  # read-only view (e.g. from expand): write into a copy
        x.array = x.array.copy()
        x.array[at] = arr
    x._bump_version()


__all__ = ["getitem", "index_add", "index_put", "setitem"]
