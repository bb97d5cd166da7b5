"""Which steps contribute to each parameter's gradient, so a session can show the gradient
as it accumulates: the leaves of the backward add-tree whose sum the update (or a .grad
store) reads."""

from __future__ import annotations

from ..graph.executor.plan import Plan
from ..graph.ir import Value


def _terms(root: Value, step_of: dict[int, int]) -> list[int]:
    """The steps whose outputs sum to root through backward adds of the same shape."""
    terms: list[int] = []
    todo = [root]
    while todo:
        v = todo.pop()
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
            todo.extend(ins)
        else:
            terms.append(step_of[v.uid])
    return sorted(terms)


def gradient_terms(plan: Plan) -> dict[str, list[int]]:
    """Parameter name (or, for a gradient no update reads, its .grad store's name) -> the steps
    contributing to its gradient, in run order."""
    g = plan.graph
    step_of = {g.out[ins.node].uid: k for k, ins in enumerate(plan.instrs)}
    found: dict[str, list[int]] = {}
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
                if tuple(grad.shape) == tuple(v.shape):
                    found[v.name] = _terms(grad, step_of)
                    roots.add(grad.uid)
                    break
    for var, new in g.updates:
        backward = new.node is not None and new.node.phase == "backward"
        if backward and new.uid not in roots and var.name not in found:
            found[var.name] = _terms(new, step_of)
    return found
