"""Which steps contribute to each parameter's gradient, so a session can show the gradient
as it accumulates: the leaves of the backward add-tree whose sum the update (or a .grad
store) reads, each with the node it flows into on the way."""

from __future__ import annotations

from dataclasses import dataclass

from ..graph.executor.plan import Plan
from ..graph.ir import Value


@dataclass(frozen=True)
class GradientFlow:
    """How one parameter's gradient is summed: its terms in run order, each as (step, name of
    the node its value flows into: a backward add of the sum, or the reader of the whole sum),
    the step making the whole sum, and the node reading it (None for a .grad store)."""

    terms: tuple[tuple[int, str | None], ...]
    root: int
    reader: str | None


def _terms(
    root: Value, reader: str | None, step_of: dict[int, int], plan: Plan
) -> list[tuple[int, str | None]]:
    """The steps whose outputs sum to root through backward adds of the same shape, each with
    the name of the node it flows into (reader for root itself)."""
    g = plan.graph
    terms: list[tuple[int, str | None]] = []
    todo: list[tuple[Value, str | None]] = [(root, reader)]
    while todo:
        v, into = todo.pop()
        n = v.node
        if n is None or v.uid not in step_of:
            continue
        ins = [x for x in n.inputs if isinstance(x, Value)]
        if (
            n.op.name == "add"
            and n.phase == "backward"
            and len(ins) == 2
            and all(tuple(x.shape) == tuple(root.shape) for x in ins)
        ):
            todo.extend((x, g.out[n].name) for x in ins)
        else:
            terms.append((step_of[v.uid], into))
    return sorted(terms, key=lambda t: t[0])


def gradient_flows(plan: Plan) -> dict[str, GradientFlow]:
    """Parameter name (or, for a gradient no update reads, its .grad store's name) -> how its
    gradient is summed."""
    g = plan.graph
    step_of = {g.out[ins.node].uid: k for k, ins in enumerate(plan.instrs)}
    found: dict[str, GradientFlow] = {}
    roots: set[int] = set()  # gradients already attributed to a parameter
    for ins in plan.instrs:
        n = ins.node
        if n.phase != "update":
            continue
        values = [x for x in n.inputs if isinstance(x, Value)]
        grads = [x for x in values if x.node is not None and x.node.phase == "backward"]
        for v in values:
            if v.kind != "variable" or not v.requires_grad or v.name in found:
                continue
            for grad in grads:
                if tuple(grad.shape) == tuple(v.shape) and grad.uid in step_of:
                    reader = g.out[n].name
                    terms = _terms(grad, reader, step_of, plan)
                    found[v.name] = GradientFlow(tuple(terms), step_of[grad.uid], reader)
                    roots.add(grad.uid)
                    break
    for var, new in g.updates:
        backward = new.node is not None and new.node.phase == "backward"
        if backward and new.uid in step_of and new.uid not in roots and var.name not in found:
            terms = _terms(new, None, step_of, plan)
            found[var.name] = GradientFlow(tuple(terms), step_of[new.uid], None)
    return found


def gradient_terms(plan: Plan) -> dict[str, list[int]]:
    """Parameter name (or .grad store name) -> the steps contributing to its gradient, in run
    order."""
    return {name: [k for k, _ in f.terms] for name, f in gradient_flows(plan).items()}
