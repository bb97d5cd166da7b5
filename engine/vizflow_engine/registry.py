"""The op registry: each op declared once as data (shape rule, kernel, VJP, formulas, doc)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from . import dtypes

_F64 = np.dtype(np.float64)

CATEGORIES = (
    "creation",
    "elementwise",
    "reduction",
    "linalg",
    "shape",
    "indexing",
    "neural",
    "comparison",
    "logical",
)

REQUIRED: Any = type("REQUIRED", (), {"__repr__": lambda self: "REQUIRED"})()


class TensorSpec(NamedTuple):
    """Static description of a value: shape (None = unknown dim) and dtype.

    For Python scalars the dtype is the Python type (bool, int or float): they promote weakly.
    """

    shape: tuple[int | None, ...]
    dtype: Any


@dataclass(frozen=True, slots=True)
class Param:
    """One op attribute: name, default (REQUIRED if none) and a short description."""

    name: str
    default: Any = REQUIRED
    doc: str = ""


@dataclass(frozen=True, slots=True, eq=False)
class OpDef:
    """An op, declared once: everything tests, autodiff, the graph and the palette need.

    forward(xp, *arrays, **params) -> array is written against the array namespace so numpy
    and cupy share it. vjp(g, inputs, output, **params) -> one cotangent per input (None for
    non-differentiable inputs) is written with Tensor ops, so gradients of gradients work.
    shape_rule(specs, **params) -> TensorSpec raises ValueError with a reason on bad inputs.
    """

    name: str
    category: str
    inputs: tuple[str, ...]
    forward: Callable[..., Any]
    shape_rule: Callable[..., TensorSpec]
    vjp: Callable[..., tuple[Any, ...]] | None
    formula: str
    grad_formula: str
    doc: str
    params: tuple[Param, ...] = ()
    differentiable_inputs: tuple[int, ...] = ()
    variadic: bool = False
    differentiable: bool = True
    param_names: frozenset[str] = field(default=frozenset())

    def __repr__(self) -> str:
        return f"OpDef({self.name!r})"

    def defaults(self) -> dict[str, Any]:
        """Default values of the params that have one."""
        return {p.name: p.default for p in self.params if p.default is not REQUIRED}

    def infer(self, specs: tuple[TensorSpec, ...], **params: Any) -> TensorSpec:
        """Run the shape/dtype rule with defaults filled in (used by graph shape inference).

        A float64 result of inputs none of which is float64, from an op without a dtype param,
        is the default float dtype, as eager dispatch makes it (float32 + int64 is float32).
        """
        full = self.defaults()
        full.update(params)
        spec = self.shape_rule(specs, **full)
        if (
            spec.dtype == _F64
            and "dtype" not in self.param_names
            and not any(s.dtype == _F64 for s in specs)
        ):
            return TensorSpec(spec.shape, dtypes.get_default_dtype())
        return spec


_REGISTRY: dict[str, OpDef] = {}

# What each op param holds, by name: one name means one thing in every op, except where
# PARAM_KIND_OF_OP says otherwise. Loading a graph file checks each param against its kind
# (graph/param_check.py); a test checks that every param of every op has one.
PARAM_KINDS: dict[str, str] = {
    "axis": "axis",  # None, an int or a tuple of ints, within the input's rank
    "axes": "axes",  # a tuple of ints (a permutation), or None
    "keepdims": "bool",
    "ceil_mode": "bool",
    "nesterov": "bool",
    "decoupled": "bool",
    "input_grad": "bool",
    "shape": "new_shape",  # ints >= -1 (one -1 is inferred)
    "pad_width": "pad_width",  # a tuple of (before, after) pairs of ints >= 0
    "value": "number",
    "negative_slope": "number",
    "min": "number_or_none",
    "max": "number_or_none",
    "dtype": "dtype",
    "device": "device",
    "index": "index",
    "subscripts": "subscripts",
    "fill_value": "scalar",
    "start": "number",
    "end": "number",
    "step": "number",
    "steps": "count",
    "n": "count",
    "m": "count",
    "low": "int",
    "high": "int",
    "stride": "positive_pair",
    "padding": "pair",
    "dilation": "positive_pair",
    "output_padding": "pair",
    "kernel_size": "positive_pair",
    "groups": "positive_int",
    "reduction": "reduction",
    "label_smoothing": "number",
    "ignore_index": "int",
    "weight_decay": "number",
    "momentum": "number",
    "dampening": "number",
    "beta1": "number",
    "beta2": "number",
    "eps": "number",
    "program": "program",
    "decimals": "int",  # round's places (negative: tens, hundreds, …)
}
PARAM_KIND_OF_OP: dict[tuple[str, str], str] = {
    **{(op, "shape"): "size" for op in ("zeros", "ones", "full", "rand", "randn", "randint")},
    ("index_add", "shape"): "size",  # getitem's x's: known (gradient graphs need them)
    **{(op, "stride"): "positive_pair_or_none" for op in ("max_pool2d", "max_pool2d_grad")},
    ("max_pool2d_select", "stride"): "positive_pair_or_none",
}


def param_kind(op: str, param: str) -> str | None:
    """The declared kind of op's param `param` (None if undeclared)."""
    return PARAM_KIND_OF_OP.get((op, param), PARAM_KINDS.get(param))


def register(opdef: OpDef) -> OpDef:
    """Add an op to the registry; its name must be new."""
    if opdef.name in _REGISTRY:
        raise ValueError(f"op {opdef.name!r} is already registered")
    if opdef.category not in CATEGORIES:
        raise ValueError(f"op {opdef.name!r}: unknown category {opdef.category!r}")
    _REGISTRY[opdef.name] = opdef
    return opdef


def get_op(name: str) -> OpDef:
    """The registered op called `name`."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no op named {name!r}; registered: {sorted(_REGISTRY)}") from None


def all_ops() -> list[OpDef]:
    """Every registered op, in registration order."""
    return list(_REGISTRY.values())


def defop(
    name: str,
    category: str,
    *,
    inputs: Iterable[str] = ("x",),
    params: Iterable[Param | tuple[str, Any] | str] = (),
    forward: Callable[..., Any],
    shape_rule: Callable[..., TensorSpec],
    vjp: Callable[..., tuple[Any, ...]] | None,
    formula: str,
    grad_formula: str,
    doc: str,
    differentiable_inputs: Iterable[int] | None = None,
) -> OpDef:
    """Declare and register an op in one block; vjp=None marks it non-differentiable.

    inputs names the input ports; a single name starting with "*" makes the op variadic.
    """
    ins = tuple(inputs)
    ps = tuple(
        p if isinstance(p, Param) else Param(p) if isinstance(p, str) else Param(*p) for p in params
    )
    variadic = len(ins) == 1 and ins[0].startswith("*")
    if differentiable_inputs is None:
        diff: tuple[int, ...] = () if vjp is None else (() if variadic else tuple(range(len(ins))))
    else:
        diff = tuple(differentiable_inputs)
    return register(
        OpDef(
            name=name,
            category=category,
            inputs=ins,
            forward=forward,
            shape_rule=shape_rule,
            vjp=vjp,
            formula=formula,
            grad_formula=grad_formula,
            doc=doc,
            params=ps,
            differentiable_inputs=diff,
            variadic=variadic,
            differentiable=vjp is not None,
            param_names=frozenset(p.name for p in ps),
        )
    )


@dataclass(frozen=True, slots=True, eq=False)
class Composite:
    """A function written with primitive ops (gradients come free); listed for the palette."""

    name: str
    category: str
    fn: Callable[..., Any]
    formula: str
    doc: str
    params: tuple[str, ...] = ()


COMPOSITES: dict[str, Composite] = {}


def composite(
    name: str, category: str, formula: str, params: Iterable[str] = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator listing a composite (function of primitives) in COMPOSITES; doc = its docstring."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in COMPOSITES:
            raise ValueError(f"composite {name!r} is already registered")
        COMPOSITES[name] = Composite(
            name, category, fn, formula, (fn.__doc__ or "").strip(), tuple(params)
        )
        return fn

    return deco


def all_composites() -> list[Composite]:
    """Every registered composite, in registration order."""
    return list(COMPOSITES.values())


def op_count() -> dict[str, int]:
    """How many ops are registered: primitives, composites and both together."""
    n, m = len(_REGISTRY), len(COMPOSITES)
    return {"primitives": n, "composites": m, "total": n + m}
