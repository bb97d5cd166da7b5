"""Graph-only ops (stop_gradient, fused elementwise): OpDefs kept out of the eager registry."""

from __future__ import annotations

from typing import Any

from ..onnx.node_op import ONNX_NODE
from ..ops._rules import same
from ..registry import OpDef, TensorSpec, get_op


def _identity(xp: Any, x: Any) -> Any:
    return x


STOP_GRADIENT = OpDef(
    name="stop_gradient",
    category="elementwise",
    inputs=("x",),
    forward=_identity,
    shape_rule=same,
    vjp=None,
    formula="z = x",
    grad_formula="dx = 0 (gradient stops here)",
    doc="x.detach() in a graph: the same value, no gradient flows back through it.",
    differentiable=False,
)


def run_program(xp: Any, arrays: tuple[Any, ...], program: tuple[Any, ...]) -> Any:
    """Run a fused elementwise program; step refs are ("in", i), ("tmp", j) or literals."""
    tmps: list[Any] = []
    for name, params, refs in program:
        op = lookup(name)
        args = [_ref(r, arrays, tmps) for r in refs]
        tmps.append(op.forward(xp, *args, **dict(params)))
    return tmps[-1]


def _ref(r: Any, arrays: tuple[Any, ...], tmps: list[Any]) -> Any:
    if isinstance(r, tuple) and len(r) == 2 and r[0] in ("in", "tmp"):
        return arrays[r[1]] if r[0] == "in" else tmps[r[1]]
    return r


def _fused_rule(
    specs: tuple[TensorSpec, ...], program: tuple[Any, ...], spec: Any = None
) -> TensorSpec:
    tmp: list[TensorSpec] = []
    for name, params, refs in program:
        ins = tuple(
            (specs[r[1]] if r[0] == "in" else tmp[r[1]])
            if isinstance(r, tuple)
            else TensorSpec((), type(r))
            for r in refs
        )
        tmp.append(lookup(name).infer(ins, **dict(params)))
    return tmp[-1]


def _fused_forward(xp: Any, *arrays: Any, program: tuple[Any, ...]) -> Any:
    return run_program(xp, arrays, program)


FUSED = OpDef(
    name="fused",
    category="elementwise",
    inputs=("*x",),
    forward=_fused_forward,
    shape_rule=_fused_rule,
    vjp=None,
    formula="z = f_n(…f_1(x)…)",
    grad_formula="fuse after differentiating",
    variadic=True,
    doc="A chain of elementwise ops run as one node (made by the fusion pass).",
    params=(),
    differentiable=False,
    param_names=frozenset({"program"}),
)

# in-place state updates (vf.optim, batch-norm statistics): which inputs each one writes
_MUTATED = {
    "assign": (0,),
    "sgd_update_": (0,),
    "sgd_momentum_update_": (0, 2, 3),
    "adam_update_": (0, 2, 3, 4),
}


def mutates(op: OpDef) -> bool:
    """True for ops that write into their inputs (they return an alias of input 0)."""
    return op.name in _MUTATED or (op.name.endswith("_") and not op.differentiable)


def mutated_inputs(op: OpDef) -> tuple[int, ...]:
    """Indices of the inputs an in-place op writes."""
    return _MUTATED.get(op.name, (0,))


GRAPH_OPS: dict[str, OpDef] = {
    STOP_GRADIENT.name: STOP_GRADIENT,
    FUSED.name: FUSED,
    ONNX_NODE.name: ONNX_NODE,  # an ONNX node vizflow lacks (vf.onnx.load's fallback)
}


def lookup(name: str) -> OpDef:
    """The op called `name`: a graph-only op or one from the engine registry."""
    op = GRAPH_OPS.get(name)
    return op if op is not None else get_op(name)
