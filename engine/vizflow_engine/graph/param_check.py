"""Checks a loaded node's params against its op's declared param kinds (registry.PARAM_KINDS).

Each kind is a small function of (value, path, context) that raises GraphFormatError saying
what the param must be; values arrive decoded (tuples, slices, dtypes, devices, arrays).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from ..backend import Device
from ..onnx.node_op import PARAM_CHECKS as ONNX_PARAM_CHECKS
from ..ops.indexing import INPUT
from ..registry import REQUIRED, OpDef, all_ops, param_kind
from .errors import GraphFormatError
from .graph_ops import GRAPH_OPS, lookup, mutates
from .limits import MAX_ELEMENTS, MAX_INT, MAX_RANK
from .schema_check import member

DTYPES = (
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
)
"""Element types a graph file may name (no object, string, void or datetime dtypes)."""

MAX_PAIR = 2**31
_SUBSCRIPTS = re.compile(r"[A-Za-z,. ]*(->[A-Za-z. ]*)?")
_FIXED_INPUTS = {"getitem": 1, "index_add": 1, "setitem": 2}  # inputs before index tensors


class Context:
    """What a param check may need to know about its node: the inputs' ranks and count."""

    def __init__(self, op: OpDef, ranks: list[int], n_inputs: int) -> None:
        self.op = op
        self.ranks = ranks
        self.n_inputs = n_inputs

    @property
    def rank(self) -> int:
        """Rank of the first input (MAX_RANK when there is none to tell)."""
        return self.ranks[0] if self.ranks else MAX_RANK


def fail(path: str, reason: str) -> GraphFormatError:
    """The error for a bad param (raised by the caller)."""
    return GraphFormatError(path, reason)


def _int(v: Any, path: str, lo: int = -MAX_INT, hi: int = MAX_INT, what: str = "an int") -> int:
    if type(v) is not int:
        raise fail(path, f"must be {what}, not {_show(v)}")
    if not lo <= v <= hi:
        raise fail(path, f"must be {what} in [{lo}, {hi}], not {v}")
    return v


def _at(path: str, i: int) -> str:
    """The JSON path of entry i of an encoded tuple ({"tuple": [...]})."""
    return f"{path}.tuple[{i}]"


def _tuple(v: Any, path: str, what: str, max_len: int = MAX_RANK) -> tuple[Any, ...]:
    if not isinstance(v, tuple):
        raise fail(path, f"must be {what} (a tuple), not {_show(v)}")
    if len(v) > max_len:
        raise fail(path, f"has {len(v)} entries; at most {max_len} are allowed")
    return v


def _show(v: Any) -> str:
    """A short description of a value for a message: its kind, and the value if small."""
    if isinstance(v, np.dtype):
        return f"dtype {v}"
    if isinstance(v, np.ndarray):
        return f"an array of {v.dtype}"
    kind = {type(None): "null", Device: "device", type(Ellipsis): "ellipsis"}.get(
        type(v), type(v).__name__
    )
    text = repr(v)
    return f"{kind} {text}" if len(text) <= 40 else kind


def _axis(v: Any, path: str, ctx: Context) -> None:
    r = ctx.rank
    what = f"an axis of a rank-{r} input"
    if v is None:
        return
    if isinstance(v, tuple):
        for i, a in enumerate(_tuple(v, path, "None, an int or a tuple of ints")):
            _int(a, _at(path, i), -r - 1, r, what)
        return
    _int(v, path, -r - 1, r, what)


def _axes(v: Any, path: str, ctx: Context) -> None:
    if v is None:
        return
    r = ctx.rank
    for i, a in enumerate(_tuple(v, path, "a tuple of axes")):
        _int(a, _at(path, i), -r, max(r - 1, 0), f"an axis of a rank-{r} input")


def _bool(v: Any, path: str, ctx: Context) -> None:
    if type(v) is not bool:
        raise fail(path, f"must be true or false, not {_show(v)}")


def _elements(dims: list[int], path: str) -> None:
    n = math.prod(dims)
    if n > MAX_ELEMENTS:
        raise fail(path, f"has {n} elements; at most {MAX_ELEMENTS} (2**40) are allowed")


def _new_shape(v: Any, path: str, ctx: Context) -> None:
    dims = [
        _int(d, _at(path, i), -1, MAX_ELEMENTS, "a dim (>= -1)")
        for i, d in enumerate(_tuple(v, path, "a shape"))
    ]
    if dims.count(-1) > 1:
        raise fail(path, "has more than one -1 (only one dim can be inferred)")
    _elements([d for d in dims if d >= 0], path)


def _size(v: Any, path: str, ctx: Context) -> None:
    dims = [
        _int(d, _at(path, i), 0, MAX_ELEMENTS, "a dim (>= 0)")
        for i, d in enumerate(_tuple(v, path, "a shape"))
    ]
    _elements(dims, path)


def _dims_of_input(v: Any, path: str, ctx: Context) -> None:
    """None (the input's shape) or dims, each a size (an int >= 0) or (k,), the input's dim k."""
    if v is None:
        return
    sizes = []
    for i, d in enumerate(_tuple(v, path, "dims")):
        if isinstance(d, tuple):
            if len(d) != 1:
                raise fail(_at(path, i), f"must be (k,), one axis of the input, not {_show(d)}")
            _int(d[0], _at(_at(path, i), 0), 0, ctx.rank - 1, f"a dim of a rank-{ctx.rank} input")
        else:
            sizes.append(_int(d, _at(path, i), 0, MAX_ELEMENTS, "a size (>= 0) or (k,)"))
    _elements(sizes, path)


def _pad_width(v: Any, path: str, ctx: Context) -> None:
    for i, pair in enumerate(_tuple(v, path, "(before, after) pairs")):
        p = _tuple(pair, _at(path, i), "a (before, after) pair", 2)
        if len(p) != 2:
            raise fail(_at(path, i), f"must be a (before, after) pair, not {len(p)} ints")
        for j, n in enumerate(p):
            _int(n, _at(_at(path, i), j), 0, MAX_PAIR, "a padding (>= 0)")


def _number(v: Any, path: str, ctx: Context) -> None:
    if type(v) is float:
        return
    _int(v, path, what="a number")


def _number_or_none(v: Any, path: str, ctx: Context) -> None:
    if v is not None:
        _number(v, path, ctx)


def _scalar(v: Any, path: str, ctx: Context) -> None:
    if type(v) is not bool:
        _number(v, path, ctx)


def _integer(v: Any, path: str, ctx: Context) -> None:
    _int(v, path)


def _count(v: Any, path: str, ctx: Context) -> None:
    _int(v, path, 0, MAX_ELEMENTS, "a count (>= 0)")


def _positive_int(v: Any, path: str, ctx: Context) -> None:
    _int(v, path, 1, MAX_PAIR, "a positive int")


def _pair_of(lo: int) -> Callable[[Any, str, Context], None]:
    what = "an int >= 0" if lo == 0 else "a positive int"

    def check(v: Any, path: str, ctx: Context) -> None:
        if not isinstance(v, tuple):
            _int(v, path, lo, MAX_PAIR, f"{what} or a pair of them")
            return
        if len(v) != 2:
            raise fail(path, f"must be a pair (h, w), not {len(v)} entries")
        for i, n in enumerate(v):
            _int(n, _at(path, i), lo, MAX_PAIR, what)

    return check


def _or_none(check: Callable[[Any, str, Context], None]) -> Callable[[Any, str, Context], None]:
    def maybe(v: Any, path: str, ctx: Context) -> None:
        if v is not None:
            check(v, path, ctx)

    return maybe


def _dtype(v: Any, path: str, ctx: Context) -> None:
    if not isinstance(v, np.dtype) or str(v) not in DTYPES:
        raise fail(path, f"must be a dtype, one of {', '.join(DTYPES)}; not {_show(v)}")


def _device(v: Any, path: str, ctx: Context) -> None:
    if not isinstance(v, Device):
        raise fail(path, f'must be a device ({{"device": "cpu"}}), not {_show(v)}')


def _subscripts(v: Any, path: str, ctx: Context) -> None:
    if not isinstance(v, str) or len(v) > 256 or not _SUBSCRIPTS.fullmatch(v):
        raise fail(path, "must be einsum subscripts (letters, ',', '...', one '->'), ≤ 256 chars")


def _reduction(v: Any, path: str, ctx: Context) -> None:
    if not isinstance(v, str) or v not in ("mean", "sum", "none"):
        raise fail(path, f"must be 'mean', 'sum' or 'none', not {_show(v)}")


def _index(v: Any, path: str, ctx: Context) -> None:
    markers = 0
    ellipses = 0
    for i, item in enumerate(_tuple(v, path, "an index")):
        where = _at(path, i)
        if item is None:
            continue
        if item is Ellipsis:
            ellipses += 1
            if ellipses > 1:
                raise fail(where, "an index can hold only one ellipsis")
        elif isinstance(item, str):
            if item != INPUT:
                raise fail(where, f"the only string in an index is {INPUT!r}, not {_show(item)}")
            markers += 1
        elif isinstance(item, slice):
            for k, part in enumerate((item.start, item.stop, item.step)):
                if part is not None:
                    _int(part, f"{where}.slice[{k}]", what="a slice bound (an int or null)")
            if item.step == 0:
                raise fail(f"{where}.slice[2]", "a slice step cannot be zero")
        elif isinstance(item, np.ndarray):
            if item.dtype.kind not in "biu":
                raise fail(where, f"an index array must hold ints or bools, not {item.dtype}")
        else:
            _int(item, where, what="an int, a slice, null, an ellipsis or an index array")
    extra = ctx.n_inputs - _FIXED_INPUTS.get(ctx.op.name, 1)
    if markers != extra:
        raise fail(path, f"has {markers} {INPUT!r} markers but the node has {extra} index inputs")


def _program(v: Any, path: str, ctx: Context) -> None:
    steps = _tuple(v, path, "a fused program", 4096)
    if not steps:
        raise fail(path, "a fused program needs at least one step")
    for j, step in enumerate(steps):
        where = _at(path, j)
        if not isinstance(step, tuple) or len(step) != 3 or not isinstance(step[0], str):
            raise fail(where, "a program step is (op name, params, inputs)")
        name, params, refs = step
        op = known_op(name, _at(where, 0))
        if op.category != "elementwise" or op.variadic or name in GRAPH_OPS or mutates(op):
            raise fail(_at(where, 0), f"{name!r} is not an elementwise op a program can run")
        pairs = _tuple(params, _at(where, 1), "(name, value) pairs")
        if any(not isinstance(p, tuple) or len(p) != 2 or not isinstance(p[0], str) for p in pairs):
            raise fail(_at(where, 1), "params of a program step are (name, value) pairs")
        check_params(op, dict(pairs), Context(op, [], len(op.inputs)), _at(where, 1))
        refs = _tuple(refs, _at(where, 2), "the step's inputs")
        if len(refs) != len(op.inputs):
            raise fail(_at(where, 2), f"{name} takes {len(op.inputs)} inputs, not {len(refs)}")
        for k, r in enumerate(refs):
            _ref(r, _at(_at(where, 2), k), j, ctx)


def _ref(r: Any, path: str, step: int, ctx: Context) -> None:
    """A program step's input: ("in", i) for node input i, ("tmp", j) for step j, or a literal."""
    if isinstance(r, tuple):
        if len(r) != 2 or not isinstance(r[0], str) or r[0] not in ("in", "tmp"):
            raise fail(path, 'a step input is ("in", i), ("tmp", j) or a number')
        bound = ctx.n_inputs if r[0] == "in" else step
        _int(r[1], _at(path, 1), 0, bound - 1, f"an index below {bound}")
    else:
        _scalar(r, path, ctx)


KINDS: dict[str, Callable[[Any, str, Context], None]] = {
    "axis": _axis,
    "axes": _axes,
    "bool": _bool,
    "new_shape": _new_shape,
    "size": _size,
    "dims_of_input": _dims_of_input,
    "pad_width": _pad_width,
    "number": _number,
    "number_or_none": _number_or_none,
    "scalar": _scalar,
    "int": _integer,
    "count": _count,
    "positive_int": _positive_int,
    "pair": _pair_of(0),
    "positive_pair": _pair_of(1),
    "positive_pair_or_none": _or_none(_pair_of(1)),
    "dtype": _dtype,
    "device": _device,
    "subscripts": _subscripts,
    "reduction": _reduction,
    "index": _index,
    "program": _program,
    **ONNX_PARAM_CHECKS,  # the ONNX fallback op's serialized node, op type and shape
}


def known_op(name: str, path: str) -> OpDef:
    """The op called `name`, or a GraphFormatError naming up to 3 close matches."""
    try:
        return lookup(name)
    except KeyError:
        pass
    close = difflib.get_close_matches(name, [*GRAPH_OPS, *(op.name for op in all_ops())], n=3)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise fail(path, f"unknown op {_clip(name)!r}{hint}")


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def required(op: OpDef) -> set[str]:
    """Params a node of op must carry: those without a default (or without a declaration)."""
    declared = {p.name for p in op.params}
    return {p.name for p in op.params if p.default is REQUIRED} | (op.param_names - declared)


def check_params(op: OpDef, params: dict[str, Any], ctx: Context, path: str) -> None:
    """Refuse unknown or missing params and values of the wrong kind; path is the params'."""
    for name in params:
        if name not in op.param_names:
            have = ", ".join(sorted(op.param_names)) or "none"
            raise fail(
                member(path, name), f"{op.name} has no param {_clip(name)!r} (its params: {have})"
            )
    missing = sorted(required(op) - set(params))
    if missing:
        raise fail(path, f"{op.name} needs param {missing[0]!r}")
    for name, value in params.items():
        kind = param_kind(op.name, name)
        if kind is None:
            raise fail(member(path, name), f"{op.name}'s param {name!r} has no declared kind")
        KINDS[kind](value, member(path, name), ctx)
