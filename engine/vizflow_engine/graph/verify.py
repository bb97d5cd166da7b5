"""The verifier: types, shapes, order (acyclicity), dangling inputs; errors name the node."""

from __future__ import annotations

import math

from ..registry import TensorSpec
from .dims import infer as infer_spec
from .errors import GraphError
from .ir import LITERALS, Graph, Value, concrete, named_spec
from .limits import MAX_ELEMENTS

# what a shape rule raises for inputs or params it cannot take (a bad param can divide by
# zero or overflow inside the rule): each becomes a GraphError naming the node
_RULE_ERRORS = (ValueError, TypeError, IndexError, KeyError, ZeroDivisionError, OverflowError)


def _compatible(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    return len(a) == len(b) and all(
        x is None or y is None or x == y for x, y in zip(a, b, strict=True)
    )


def verify(g: Graph) -> Graph:
    """Check g and return it; raise GraphError naming the first bad node."""
    defined: set[int] = set()
    names: set[str] = set()
    for v in [*g.inputs, *g.variables, *g.constants]:
        if v.graph is not g:
            raise GraphError(v.name, "belongs to another graph")
        if v.name in names:
            raise GraphError(v.name, "name used twice")
        if v.kind == "constant" and v.value is None:
            raise GraphError(v.name, "constant without a value")
        names.add(v.name)
        defined.add(v.uid)
    for i, n in enumerate(g.nodes):
        name = n.name or f"#{i}"
        out = g.out.get(n)
        if out is None:
            raise GraphError(name, "node has no output value")
        if name in names:
            raise GraphError(name, "name used twice")
        names.add(name)
        specs = []
        for j, x in enumerate(n.inputs):
            if isinstance(x, Value):
                if x.graph is not g:
                    raise GraphError(name, f"input {j} ({x.name}) belongs to another graph")
                if x.uid not in defined:
                    raise GraphError(
                        name,
                        f"input {j} ({x.name}) is not computed before this "
                        "node: a dangling input or a cycle",
                    )
                specs.append(named_spec(x))
            elif type(x) in LITERALS:
                specs.append(TensorSpec((), type(x)))
            else:
                raise GraphError(name, f"input {j} is neither a value nor a literal: {x!r}")
        if not n.op.variadic and len(n.inputs) != len(n.op.inputs):
            raise GraphError(
                name, f"{n.op.name} takes {len(n.op.inputs)} inputs, has {len(n.inputs)}"
            )
        try:
            spec = infer_spec(n.op, tuple(specs), n.params)
        except _RULE_ERRORS as exc:
            raise GraphError(
                name, f"{n.op.name} rejects input shapes {[tuple(s.shape) for s in specs]}: {exc}"
            ) from None
        size = math.prod(d for d in spec.shape if isinstance(d, int))
        if size > MAX_ELEMENTS:
            raise GraphError(
                name,
                f"{n.op.name} gives {size} elements; at most {MAX_ELEMENTS} (2**40) are allowed",
            )
        if not _compatible(concrete(spec.shape), concrete(out.shape)):
            raise GraphError(
                name, f"output shape {out.shape} but {n.op.name} gives {tuple(spec.shape)}"
            )
        if str(spec.dtype) != str(out.dtype):
            raise GraphError(name, f"output dtype {out.dtype} but {n.op.name} gives {spec.dtype}")
        if n.phase not in ("forward", "backward", "update"):
            raise GraphError(name, f"unknown phase {n.phase!r}")
        defined.add(out.uid)
    for k, o in enumerate(g.outputs):
        if o.uid not in defined:
            raise GraphError(o.name, f"output {k} is not computed by the graph")
    for var, new in g.updates:
        if var.kind != "variable" or var.uid not in defined:
            raise GraphError(var.name, "update target is not a variable of this graph")
        if new.uid not in defined:
            raise GraphError(new.name, f"update of {var.name} is not computed by the graph")
        if not _compatible(concrete(var.shape), concrete(new.shape)) or var.dtype != new.dtype:
            raise GraphError(
                new.name,
                f"update of {var.name} {var.dtype}{list(var.shape)} has "
                f"type {new.dtype}{list(new.shape)}",
            )
    return g
