"""Per-op sample table for the registry-driven tests: input domains, params, numpy reference.

Every registered op needs an entry (test_registry fails otherwise). Entries are hypothesis
strategies of Case(inputs, params); inputs are float64 numpy arrays, bool arrays or Python
scalars. Ops from ops/neural.py and ops/updates.py may keep their entries in
tests/engine/test_nn_op_samples.py as a dict NEURAL_SAMPLES; it is merged in when present.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import special

from vizflow_engine.ops.indexing import INPUT, fill_index


@dataclass
class Case:
    """One op application: inputs and params."""

    inputs: tuple[Any, ...]
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sample:
    """How to test one op: a strategy of Cases, a numpy reference, and what to check."""

    cases: st.SearchStrategy[Case]
    ref: Callable[..., Any] | None
    second_order: bool = True
    random: bool = False  # creation ops whose values are random: check shape/dtype only
    rtol: float = 1e-6


def _values(rng: np.random.Generator, shape: tuple[int, ...], domain: str) -> np.ndarray:
    """Values of a domain: 'real', 'pos' (0.5..2), 'nonzero' (|x| in 0.3..2), 'unit' (-0.9..0.9),
    'above1' (1.2..3), and int64 'int' (-40..39) and 'posint' (1..5)."""
    if domain == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "nonzero":
        return rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    if domain == "unit":
        return rng.uniform(-0.9, 0.9, shape)
    if domain == "bool":
        return rng.random(shape) > 0.5
    if domain == "above1":
        return rng.uniform(1.2, 3.0, shape)
    if domain == "int":
        return rng.integers(-40, 40, shape)
    if domain == "posint":
        return rng.integers(1, 6, shape)
    return rng.uniform(-2.0, 2.0, shape)


SHAPE = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)


@st.composite
def elementwise(
    draw: st.DrawFn,
    n: int,
    domains: tuple[str, ...] | str = "real",
    params: dict[str, Any] | None = None,
) -> Case:
    """n mutually broadcastable arrays (size-1 and empty dims included)."""
    shapes = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=n, max_dims=3, min_side=0, max_side=3)
    ).input_shapes
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    doms = (domains,) * n if isinstance(domains, str) else domains
    return Case(
        tuple(_values(rng, s, d) for s, d in zip(shapes, doms, strict=True)), dict(params or {})
    )


@st.composite
def scalar_mix(draw: st.DrawFn, domain: str = "real") -> Case:
    """One array and a Python float, in either order (weak scalar promotion)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    x = _values(rng, draw(SHAPE), domain)
    s = float(_values(rng, (), domain))
    return Case((x, s) if draw(st.booleans()) else (s, x))


def binary(domains: tuple[str, str] = ("real", "real")) -> st.SearchStrategy[Case]:
    """Two broadcastable arrays, sometimes one of them a Python scalar."""
    return st.one_of(
        elementwise(2, domains),
        scalar_mix(domains[0]) if domains[0] == domains[1] else elementwise(2, domains),
    )


@st.composite
def reduction(
    draw: st.DrawFn, domain: str = "real", nonempty: bool = False, single_axis: bool = False
) -> Case:
    """An array with an axis (None, int or tuple) and keepdims."""
    shape = draw(
        hnp.array_shapes(min_dims=0, max_dims=3, min_side=1 if nonempty else 0, max_side=3)
    )
    nd = len(shape)
    if single_axis:
        axis = draw(st.one_of(st.none(), st.integers(-nd, nd - 1))) if nd else None
    else:
        axis = draw(
            st.one_of(
                st.none(),
                st.integers(-nd, nd - 1) if nd else st.none(),
                st.lists(st.integers(0, max(nd - 1, 0)), unique=True, max_size=nd).map(tuple)
                if nd
                else st.none(),
            )
        )
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    return Case((_values(rng, shape, domain),), {"axis": axis, "keepdims": draw(st.booleans())})


@st.composite
def nonempty_reduction(draw: st.DrawFn, domain: str = "real") -> Case:
    """Like reduction, but every reduced dim is non-empty (max/min/argmax need elements)."""
    return draw(reduction(domain, nonempty=True))


@st.composite
def one(
    draw: st.DrawFn, domain: str = "real", params: dict[str, Any] | None = None, min_dims: int = 0
) -> Case:
    """One array of a random shape."""
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=0, max_side=3))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    return Case((_values(rng, shape, domain),), dict(params or {}))


@st.composite
def matmul_case(draw: st.DrawFn) -> Case:
    """matmul operands: 1-D cases, plain matrices, broadcast batches, empty dims."""
    m, k, n = draw(st.integers(0, 3)), draw(st.integers(1, 3)), draw(st.integers(0, 3))
    kind = draw(st.sampled_from(["vv", "vm", "mv", "mm", "bmm", "bcast", "vb", "bv"]))
    shapes = {
        "vv": ((k,), (k,)),
        "vm": ((k,), (k, n)),
        "mv": ((m, k), (k,)),
        "mm": ((m, k), (k, n)),
        "bmm": ((2, m, k), (2, k, n)),
        "bcast": ((2, 1, m, k), (3, k, n)),
        "vb": ((k,), (2, k, n)),
        "bv": ((2, m, k), (k,)),
    }[kind]
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    return Case(tuple(rng.uniform(-1, 1, s) for s in shapes))


EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 2)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 1)]),
    ("ij->i", [(2, 3)]),
    ("i,i->", [(3,), (3,)]),
    ("ij->ji", [(2, 3)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 2)]),
    ("ijk->", [(2, 1, 3)]),
    ("ij,k->ijk", [(2, 2), (3,)]),
    ("ij,ij", [(2, 3), (2, 3)]),
    ("ij", [(2, 3)]),
]


@st.composite
def einsum_case(draw: st.DrawFn) -> Case:
    """An einsum from a list of patterns (explicit, implicit, ellipsis)."""
    import vizflow_engine.ops.linalg as L

    subs, shapes = draw(st.sampled_from(EINSUM_CASES))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    return Case(
        tuple(rng.uniform(-1, 1, s) for s in shapes),
        {"subscripts": L._normalise(subs, [len(s) for s in shapes])},
    )


@st.composite
def reshape_case(draw: st.DrawFn) -> Case:
    """An array and a new shape with the same size (sometimes with -1)."""
    shape = draw(SHAPE)
    n = int(np.prod(shape))
    new: tuple[int, ...] = (n,) if draw(st.booleans()) else tuple(reversed(shape))
    if n and draw(st.booleans()):
        new = (1, *new)
    if new and n and draw(st.booleans()):
        i = draw(st.integers(0, len(new) - 1))
        new = tuple(-1 if j == i else d for j, d in enumerate(new))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    return Case((rng.uniform(-1, 1, shape),), {"shape": new})


@st.composite
def transpose_case(draw: st.DrawFn) -> Case:
    """An array and a permutation of its dims."""
    shape = draw(SHAPE)
    axes = tuple(draw(st.permutations(range(len(shape)))))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    return Case((rng.uniform(-1, 1, shape),), {"axes": axes})


@st.composite
def expand_case(draw: st.DrawFn) -> Case:
    """An array with size-1 dims and a target shape it broadcasts to."""
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=2))
    lead = tuple(draw(st.lists(st.integers(0, 3), max_size=2)))
    target = lead + tuple(
        draw(st.integers(2, 3))
        if d == 1 and draw(st.booleans())
        else (-1 if draw(st.booleans()) else d)
        for d in shape
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    return Case((rng.uniform(-1, 1, shape),), {"shape": target})


@st.composite
def squeeze_case(draw: st.DrawFn) -> Case:
    """An array with some size-1 dims; axis None or some of them."""
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=2))
    ones = [i for i, d in enumerate(shape) if d == 1]
    axis = draw(
        st.one_of(st.none(), st.sampled_from(ones) if ones else st.none(), st.just(tuple(ones)))
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    return Case((rng.uniform(-1, 1, shape),), {"axis": axis})


@st.composite
def unsqueeze_case(draw: st.DrawFn) -> Case:
    """An array and a position for a new dim."""
    shape = draw(SHAPE)
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    return Case((rng.uniform(-1, 1, shape),), {"axis": axis})


@st.composite
def join_case(draw: st.DrawFn, stack: bool) -> Case:
    """2-3 arrays that concatenate (or stack) along an axis."""
    shape = list(draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=3)))
    nd = len(shape)
    axis = draw(st.integers(-nd - 1 if stack else -nd, nd if stack else nd - 1))
    k = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    arrays = []
    for _ in range(k):
        s = list(shape)
        if not stack:
            s[axis] = draw(st.integers(0, 3))
        arrays.append(rng.uniform(-1, 1, s))
    return Case(tuple(arrays), {"axis": axis})


@st.composite
def pad_case(draw: st.DrawFn) -> Case:
    """An array and (before, after) pad widths per dim."""
    shape = draw(SHAPE)
    pw = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in shape)
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    return Case(
        (rng.uniform(-1, 1, shape),), {"pad_width": pw, "value": draw(st.sampled_from([0.0, 1.5]))}
    )


@st.composite
def index_for(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[Any, ...]:
    """A numpy index for shape: ints, slices, None, Ellipsis, int arrays (repeats), bool masks."""
    nd = len(shape)
    kind = draw(st.sampled_from(["basic", "int_array", "bool_mask", "mixed"]))
    if kind == "bool_mask" and nd:
        rng = np.random.default_rng(draw(st.integers(0, 2**31)))
        return (rng.random(shape[:1]) > 0.5,)
    if kind in ("int_array", "mixed") and nd and shape[0] > 0:
        idx = np.array(draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=4)))
        rest: tuple[Any, ...] = (slice(None, None, -1),) if kind == "mixed" and nd > 1 else ()
        return (idx, *rest)
    out: list[Any] = []
    for d in shape:
        choice = draw(st.sampled_from(["int", "slice", "all"])) if d else "all"
        if choice == "int":
            out.append(draw(st.integers(-d, d - 1)))
        elif choice == "slice":
            out.append(slice(draw(st.integers(0, d)), None, draw(st.sampled_from([1, 2]))))
        else:
            out.append(slice(None))
    if draw(st.booleans()):
        out.insert(draw(st.integers(0, len(out))), None)
    if out and draw(st.booleans()):
        out = [Ellipsis, *out[1:]]
    return tuple(out)


@st.composite
def index_inputs(
    draw: st.DrawFn, index: tuple[Any, ...]
) -> tuple[tuple[Any, ...], tuple[np.ndarray, ...]]:
    """The index as it is, or with its integer arrays as op inputs (index tensors)."""
    if not draw(st.booleans()):
        return index, ()
    arrays = tuple(i for i in index if isinstance(i, np.ndarray) and i.dtype != bool)
    return tuple(INPUT if any(i is a for a in arrays) else i for i in index), arrays


@st.composite
def getitem_case(draw: st.DrawFn) -> Case:
    """An array and an index into it."""
    shape = draw(SHAPE)
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    index, arrays = draw(index_inputs(draw(index_for(shape))))
    return Case((rng.uniform(-1, 1, shape), *arrays), {"index": index})


@st.composite
def index_add_case(draw: st.DrawFn) -> Case:
    """Values shaped like x[index], scattered into zeros of x's shape."""
    shape = draw(SHAPE)
    index = draw(index_for(shape))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    vshape = np.zeros(shape)[index].shape
    index, arrays = draw(index_inputs(index))
    return Case((rng.uniform(-1, 1, vshape), *arrays), {"index": index, "shape": shape})


@st.composite
def setitem_case(draw: st.DrawFn) -> Case:
    """An array, an index without repeats, and values broadcastable to x[index]."""
    shape = draw(SHAPE)
    index = draw(index_for(shape))
    if any(isinstance(i, np.ndarray) and i.dtype != bool for i in index):
        i0 = index[0] % shape[0]
        index = (np.unique(i0), *index[1:])
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    vshape = np.zeros(shape)[index].shape
    if vshape and draw(st.booleans()):
        vshape = vshape[1:]
    index, arrays = draw(index_inputs(index))
    return Case((rng.uniform(-1, 1, shape), rng.uniform(-1, 1, vshape), *arrays), {"index": index})


def _creation(params: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[Case]:
    return params.map(lambda p: Case((), p))


_dtype = st.sampled_from([np.dtype("float32"), np.dtype("float64")])
_shape_params = st.fixed_dictionaries({"shape": SHAPE, "dtype": _dtype})


@st.composite
def shaped_by_input(draw: st.DrawFn, params: dict[str, Any]) -> Case:
    """An input whose shape (not values) a creation op reads, and dims over it: None (its
    shape) or up to 3 entries, each a size 0..3 or (k,), the input's dim k."""
    case = draw(one())
    rank = np.ndim(case.inputs[0])
    entry = st.one_of(
        st.integers(0, 3), *([st.integers(0, rank - 1).map(lambda k: (k,))] if rank else [])
    )
    dims = draw(st.one_of(st.none(), st.lists(entry, max_size=3).map(tuple)))
    return Case(case.inputs, {**params, "dims": dims})


def _dims_shape(x: np.ndarray, dims: Any) -> tuple[int, ...]:
    """The shape dims name over x (the reference of the full_dims/rand_like shape rule)."""
    if dims is None:
        return x.shape
    return tuple(x.shape[d[0]] if isinstance(d, tuple) else d for d in dims)


@st.composite
def arange_dim_case(draw: st.DrawFn) -> Case:
    """An input of rank >= 1 and one of its dims."""
    case = draw(one(min_dims=1))
    axis = draw(st.integers(0, np.ndim(case.inputs[0]) - 1))
    dtype = draw(st.sampled_from([np.dtype("int64"), np.dtype("float32"), np.dtype("int32")]))
    return Case(case.inputs, {"axis": axis, "dtype": dtype})


def _ref_getitem(x: np.ndarray, *arrays: np.ndarray, index: Any) -> np.ndarray:
    return x[fill_index(index, arrays)]


def _ref_setitem(x: np.ndarray, v: np.ndarray, *arrays: np.ndarray, index: Any) -> np.ndarray:
    out = x.copy()
    out[fill_index(index, arrays)] = v
    return out


def _ref_index_add(g: np.ndarray, *arrays: np.ndarray, index: Any, shape: Any) -> np.ndarray:
    z = np.zeros(shape)
    np.add.at(z, fill_index(index, arrays), g)
    return z


def _count_ref(x: np.ndarray, axis: Any) -> np.ndarray:
    """Elements over axis as a float scalar."""
    axes = range(x.ndim) if axis is None else (axis,) if isinstance(axis, int) else axis
    return np.asarray(float(np.prod([x.shape[a] for a in axes])))


def _ref_arg(fn: Callable[..., Any]) -> Callable[..., Any]:
    def ref(x: np.ndarray, axis: Any, keepdims: bool) -> Any:
        if axis is None:
            r = fn(x)
            return np.reshape(r, (1,) * x.ndim) if keepdims else r
        return fn(x, axis=axis, keepdims=keepdims)

    return ref


def _squeeze_ref(x: np.ndarray, axis: Any) -> np.ndarray:
    return np.squeeze(x, axis)


def _expand_ref(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    off = len(shape) - x.ndim
    tgt = tuple(x.shape[i - off] if d == -1 else d for i, d in enumerate(shape))
    return np.broadcast_to(x, tgt)


def _cmp(fn: Callable[..., Any]) -> Sample:
    return Sample(elementwise(2), fn, second_order=False)


def _logical(fn: Callable[..., Any]) -> Sample:
    return Sample(elementwise(2, "bool"), fn, second_order=False)


def _clamp_case() -> st.SearchStrategy[Case]:
    bounds = st.sampled_from([(-0.5, 0.5), (None, 0.5), (-0.5, None), (None, None)])
    return st.tuples(one("real"), bounds).map(
        lambda cb: Case(
            (np.where(np.abs(np.abs(cb[0].inputs[0]) - 0.5) < 0.05, 0.0, cb[0].inputs[0]),),
            {"min": cb[1][0], "max": cb[1][1]},
        )
    )


def _clamp_ref(x: np.ndarray, min: Any, max: Any) -> np.ndarray:
    return np.clip(x, min, max) if (min is not None or max is not None) else x


SAMPLES: dict[str, Sample] = {
    "add": Sample(binary(), np.add),
    "sub": Sample(binary(), np.subtract),
    "mul": Sample(binary(), np.multiply),
    "div": Sample(binary(("real", "nonzero")), np.divide),
    "neg": Sample(one(), np.negative),
    "exp": Sample(one(), np.exp),
    "log": Sample(one("pos"), np.log),
    "log1p": Sample(one("pos"), np.log1p),
    "sqrt": Sample(one("pos"), np.sqrt),
    "square": Sample(one(), np.square),
    "reciprocal": Sample(one("nonzero"), np.reciprocal),
    "sin": Sample(one(), np.sin),
    "cos": Sample(one(), np.cos),
    "tanh": Sample(one(), np.tanh),
    "relu": Sample(one("nonzero"), lambda x: np.maximum(x, 0)),
    "leaky_relu": Sample(
        one("nonzero", {"negative_slope": 0.1}),
        lambda x, negative_slope: np.where(x > 0, x, x * negative_slope),
    ),
    "abs": Sample(one("nonzero"), np.abs),
    "sign": Sample(one("nonzero"), np.sign),
    "erf": Sample(one(), special.erf),
    "clamp": Sample(_clamp_case(), _clamp_ref),
    "pow": Sample(elementwise(2, ("pos", "real")), np.power),
    "maximum": Sample(elementwise(2), np.maximum),
    "minimum": Sample(elementwise(2), np.minimum),
    "where": Sample(elementwise(3, ("bool", "real", "real")), np.where),
    "cast": Sample(one("real", {"dtype": np.dtype("float64")}), lambda x, dtype: x.astype(dtype)),
    "clone": Sample(one(), np.copy),
    "to_device": Sample(one("real", {"device": "cpu"}), lambda x, device: x),
    "eq": _cmp(np.equal),
    "ne": _cmp(np.not_equal),
    "lt": _cmp(np.less),
    "le": _cmp(np.less_equal),
    "gt": _cmp(np.greater),
    "ge": _cmp(np.greater_equal),
    "logical_and": _logical(np.logical_and),
    "logical_or": _logical(np.logical_or),
    "logical_xor": _logical(np.logical_xor),
    "logical_not": Sample(one("bool"), np.logical_not, second_order=False),
    "isnan": Sample(st.just(Case((np.array([0.0, np.nan, np.inf, -1.0]),))), np.isnan),
    "isfinite": Sample(st.just(Case((np.array([0.0, np.nan, np.inf, -1.0]),))), np.isfinite),
    "all": Sample(reduction("bool"), np.all),
    "any": Sample(reduction("bool"), np.any),
    "sum": Sample(reduction(), np.sum),
    "max": Sample(nonempty_reduction(), np.max),
    "min": Sample(nonempty_reduction(), np.min),
    "prod": Sample(reduction("nonzero"), np.prod),
    "count": Sample(
        reduction().map(lambda c: Case(c.inputs, {"axis": c.params["axis"]})), _count_ref
    ),
    "argmax": Sample(reduction(nonempty=True, single_axis=True), _ref_arg(np.argmax)),
    "argmin": Sample(reduction(nonempty=True, single_axis=True), _ref_arg(np.argmin)),
    "matmul": Sample(matmul_case(), np.matmul),
    "einsum": Sample(einsum_case(), lambda *ops, subscripts: np.einsum(subscripts, *ops)),
    "reshape": Sample(reshape_case(), lambda x, shape: np.reshape(x, shape)),
    "transpose": Sample(transpose_case(), lambda x, axes: np.transpose(x, axes)),
    "expand": Sample(expand_case(), _expand_ref),
    "squeeze": Sample(squeeze_case(), _squeeze_ref),
    "unsqueeze": Sample(unsqueeze_case(), lambda x, axis: np.expand_dims(x, axis)),
    "concatenate": Sample(join_case(False), lambda *xs, axis: np.concatenate(xs, axis)),
    "stack": Sample(join_case(True), lambda *xs, axis: np.stack(xs, axis)),
    "pad": Sample(
        pad_case(),
        lambda x, pad_width, value: np.pad(x, pad_width, constant_values=value) if pad_width else x,
    ),
    "getitem": Sample(getitem_case(), _ref_getitem),
    "index_add": Sample(index_add_case(), _ref_index_add),
    "setitem": Sample(setitem_case(), _ref_setitem),
    "zeros": Sample(_creation(_shape_params), lambda shape, dtype: np.zeros(shape, dtype)),
    "ones": Sample(_creation(_shape_params), lambda shape, dtype: np.ones(shape, dtype)),
    "full": Sample(
        _creation(
            st.fixed_dictionaries({"shape": SHAPE, "dtype": _dtype, "fill_value": st.floats(-3, 3)})
        ),
        lambda shape, dtype, fill_value: np.full(shape, fill_value, dtype),
    ),
    "arange": Sample(
        _creation(
            st.fixed_dictionaries(
                {
                    "start": st.integers(-3, 3),
                    "end": st.integers(-3, 6),
                    "step": st.sampled_from([1, 2]),
                    "dtype": st.sampled_from([np.dtype("int64"), np.dtype("float32")]),
                }
            )
        ),
        lambda start, end, step, dtype: np.arange(start, end, step, dtype=dtype),
    ),
    "linspace": Sample(
        _creation(
            st.fixed_dictionaries(
                {
                    "start": st.floats(-2, 2),
                    "end": st.floats(-2, 2),
                    "steps": st.integers(0, 5),
                    "dtype": _dtype,
                }
            )
        ),
        lambda start, end, steps, dtype: np.linspace(start, end, steps, dtype=dtype),
    ),
    "eye": Sample(
        _creation(
            st.fixed_dictionaries({"n": st.integers(0, 3), "m": st.integers(0, 3), "dtype": _dtype})
        ),
        lambda n, m, dtype: np.eye(n, m, dtype=dtype),
    ),
    "rand": Sample(_creation(_shape_params), None, random=True),
    "randn": Sample(_creation(_shape_params), None, random=True),
    "rand_like": Sample(
        st.one_of(
            *(one(params={"dtype": d}) for d in (np.dtype("float32"), np.dtype("float64"))),
            shaped_by_input({"dtype": np.dtype("float32")}),
        ),
        None,
        random=True,
    ),
    "randn_like": Sample(
        st.one_of(
            one(params={"dtype": np.dtype("float32")}),
            shaped_by_input({"dtype": np.dtype("float64")}),
        ),
        None,
        random=True,
    ),
    "full_dims": Sample(
        st.one_of(
            *(
                shaped_by_input({"fill_value": v, "dtype": np.dtype(d)})
                for v, d in ((0, "float32"), (-0.0, "float64"), (2.5, "float32"), (7, "int64"))
            ),
            shaped_by_input({"fill_value": True, "dtype": np.dtype("bool")}),
        ),
        lambda x, fill_value, dtype, dims: np.full(_dims_shape(x, dims), fill_value, dtype),
    ),
    "arange_dim": Sample(
        arange_dim_case(), lambda x, axis, dtype: np.arange(x.shape[axis], dtype=dtype)
    ),
    "randint": Sample(
        _creation(
            st.fixed_dictionaries(
                {
                    "shape": SHAPE,
                    "dtype": st.just(np.dtype("int64")),
                    "low": st.just(-2),
                    "high": st.just(3),
                }
            )
        ),
        None,
        random=True,
    ),
}


@st.composite
def flip_case(draw: st.DrawFn) -> Case:
    """An array and a tuple of distinct dims to reverse."""
    shape = draw(SHAPE)
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    dims = draw(st.lists(st.integers(0, max(len(shape) - 1, 0)), unique=True, max_size=len(shape)))
    return Case((_values(rng, shape, "real"),), {"axis": tuple(sorted(dims))})


@st.composite
def round_case(draw: st.DrawFn) -> Case:
    """An array whose digits past `decimals` keep 0.1 away from a rounding half (so finite
    differences never cross one) and decimals in -1..2."""
    d = draw(st.integers(-1, 2))
    shape = draw(SHAPE)
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    scale = 10.0**d
    whole = rng.integers(-30, 30, shape) + rng.choice([0.2, 0.35, 0.65, 0.8], shape)
    return Case((whole / scale,), {"decimals": d})


def _int_pair(second: str = "int") -> st.SearchStrategy[Case]:
    """Two broadcastable int64 arrays (the second from `second`'s domain)."""
    return elementwise(2, ("int", second))


# issue 13's ops: math, rounding, bitwise and integer division, flip, isinf
SAMPLES.update(
    {
        "log2": Sample(one("pos"), np.log2),
        "log10": Sample(one("pos"), np.log10),
        "exp2": Sample(one(), np.exp2),
        "expm1": Sample(one(), np.expm1),
        "rsqrt": Sample(one("pos"), lambda x: 1.0 / np.sqrt(x)),
        "tan": Sample(one("unit"), np.tan),
        "asin": Sample(one("unit"), np.arcsin),
        "acos": Sample(one("unit"), np.arccos),
        "atan": Sample(one(), np.arctan),
        "sinh": Sample(one(), np.sinh),
        "cosh": Sample(one(), np.cosh),
        "asinh": Sample(one(), np.arcsinh),
        "acosh": Sample(one("above1"), np.arccosh),
        "atanh": Sample(one("unit"), np.arctanh),
        "erfinv": Sample(one("unit"), special.erfinv),
        "floor": Sample(one(), np.floor),
        "ceil": Sample(one(), np.ceil),
        "trunc": Sample(one(), np.trunc),
        "round": Sample(round_case(), lambda x, decimals: np.round(x, decimals)),
        "atan2": Sample(elementwise(2, ("nonzero", "nonzero")), np.arctan2),
        "copysign": Sample(elementwise(2, ("nonzero", "nonzero")), np.copysign),
        "hypot": Sample(elementwise(2, ("nonzero", "nonzero")), np.hypot),
        "floor_divide": Sample(
            st.one_of(_int_pair("posint"), elementwise(2, ("real", "nonzero"))), np.floor_divide
        ),
        "remainder": Sample(
            st.one_of(_int_pair("posint"), elementwise(2, ("real", "nonzero"))), np.remainder
        ),
        "fmod": Sample(
            st.one_of(_int_pair("posint"), elementwise(2, ("real", "nonzero"))), np.fmod
        ),
        "bitwise_and": Sample(st.one_of(_int_pair(), elementwise(2, "bool")), np.bitwise_and),
        "bitwise_or": Sample(st.one_of(_int_pair(), elementwise(2, "bool")), np.bitwise_or),
        "bitwise_xor": Sample(st.one_of(_int_pair(), elementwise(2, "bool")), np.bitwise_xor),
        "bitwise_not": Sample(st.one_of(one("int"), one("bool")), np.invert),
        "bitwise_left_shift": Sample(_int_pair("posint"), np.left_shift),
        "bitwise_right_shift": Sample(_int_pair("posint"), np.right_shift),
        "flip": Sample(flip_case(), lambda x, axis: np.flip(x, axis)),
        "isinf": Sample(st.just(Case((np.array([0.0, np.nan, np.inf, -np.inf]),))), np.isinf),
    }
)

try:
    _neural = importlib.import_module("tests.engine.test_nn_op_samples")
    SAMPLES.update(getattr(_neural, "NEURAL_SAMPLES", {}))
except ModuleNotFoundError:
    pass
