"""Shape inference pass: recompute every value's type from the op shape rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Integral
from typing import Any

from ...errors import ShapeError
from ...node import Node
from ..dims import infer as infer_spec
from ..errors import GraphError
from ..ir import Graph, Value, named_spec
from ..rewrite import Rewriter


def infer_shapes(g: Graph) -> Graph:
    """A copy of g with every node's output shape/dtype re-derived (errors name the node)."""
    return _reinfer(Rewriter(g))


Shapes = Sequence[Sequence[int]] | Mapping[str, Sequence[int]]


def specialize(g: Graph, shapes: Shapes) -> Graph:
    """A copy of g with inputs given concrete shapes, and everything re-inferred.

    shapes: one per input in order, or a dict by input name (inputs left out keep theirs).
    """
    rw = Rewriter(g)
    for v, shp in _by_input(rw.g, shapes):
        v.shape = _fitted(v, shp)
    return _reinfer(rw)


def _by_input(g: Graph, shapes: Shapes) -> list[tuple[Value, tuple[Any, ...]]]:
    """Pair inputs with their new shapes, failing on unknown names or a wrong count."""
    names = [v.name for v in g.inputs]
    if isinstance(shapes, Mapping):
        unknown = [k for k in shapes if k not in names]
        if unknown:
            raise ShapeError(
                "specialize",
                dict(shapes),
                f"graph {g.name!r} has no input named {', '.join(map(repr, unknown))}; "
                f"its inputs are {names}",
            )
        return [(v, tuple(shapes[v.name])) for v in g.inputs if v.name in shapes]
    if len(shapes) != len(names):
        raise ShapeError(
            "specialize",
            list(shapes),
            f"graph {g.name!r} takes inputs {names}, got {len(shapes)} shapes; "
            "give one per input in order, or a dict by input name",
        )
    return [(v, tuple(s)) for v, s in zip(g.inputs, shapes, strict=True)]


def _fitted(v: Value, shp: tuple[Any, ...]) -> tuple[int, ...]:
    """shp as ints, if it is concrete, of v's rank and keeps v's known dims (else ShapeError)."""
    why = None
    if not all(isinstance(d, Integral) and int(d) >= 0 for d in shp):
        why = "dims must be non-negative ints"
    elif len(shp) != len(v.shape):
        why = f"the input has {len(v.shape)} dims {v.shape}, the shape given has {len(shp)}"
    else:
        bad = [i for i, d in enumerate(v.shape) if isinstance(d, int) and d != shp[i]]
        if bad:
            why = f"dim {bad[0]} of the input is fixed at {v.shape[bad[0]]} (shape {v.shape})"
    if why is not None:
        raise ShapeError(f"input {v.name!r}", [shp], f"cannot take shape {shp}: {why}")
    return tuple(int(d) for d in shp)


def _reinfer(rw: Rewriter) -> Graph:
    def rule(r: Rewriter, node: Node) -> Any:
        ins = tuple(r.get(x) for x in node.inputs)
        try:
            spec = infer_spec(node.op, tuple(named_spec(x) for x in ins), node.params)
        except (ValueError, TypeError, IndexError) as exc:
            raise GraphError(
                node.name or node.op.name,
                f"{node.op.name}: {exc} (input shapes {[getattr(x, 'shape', ()) for x in ins]})",
            ) from None
        return r.emit(node, inputs=ins, spec=spec)

    return rw.run(rule).finish()
