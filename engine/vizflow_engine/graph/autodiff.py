"""Symbolic reverse mode: backward nodes built by tracing the registry's VJP rules on Values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .._state import STATE
from ..node import Node
from ..ops.creation import ONES
from ..ops.elementwise import cast
from ..ops.shape import sum_to_shape
from .errors import GraphError
from .graph_ops import STOP_GRADIENT
from .ir import Graph, Value


def _order(g: Graph, root: Value) -> list[Node]:
    """Nodes that root depends on, in graph order."""
    need: set[Node] = set()
    stack = [root]
    while stack:
        v = stack.pop()
        n = v.node
        if n is None or n in need:
            continue
        need.add(n)
        stack.extend(x for x in n.inputs if isinstance(x, Value))
    return [n for n in g.nodes if n in need]


def backward_values(
    root: Value,
    seed: Value | None = None,
    requires: set[int] | None = None,
    create_graph: bool = False,
    capture: frozenset[int] = frozenset(),
) -> dict[int, Value]:
    """Add nodes computing d(root)/d(value); returns {uid: grad} for every leaf reached, and
    for the op outputs whose uids are in `capture` (vf.grad with respect to an intermediate).

    A value is differentiated when it requires grad (or its uid is in `requires`). New nodes
    get phase "backward", forward_of = the node they differentiate, and that node's scope
    (so a layer's group holds its gradient too).
    """
    from .trace import active_tracer

    g = root.graph
    tr = active_tracer()  # while tracing, gradient hooks run as backward reaches their value
    st = STATE
    prev = (st.grad_enabled, st.phase, st.forward_of, st.scope)
    st.grad_enabled, st.phase, st.forward_of = create_graph, "backward", root.node
    try:
        if seed is None:
            seed = g.apply(ONES, (), {"shape": tuple(root.shape), "dtype": root.dtype}, name="seed")
        grads: dict[int, Value] = {root.uid: seed}
        leaves: dict[int, Value] = {}
        leaf_values: dict[int, Value] = {root.uid: root}

        def wants(x: Any) -> bool:
            return isinstance(x, Value) and (
                x.requires_grad if requires is None else x.uid in requires
            )

        versions = tr.leaf_versions if tr is not None else {}  # leaves written in the trace
        if root.node is None or root.uid in versions:
            leaves[root.uid] = seed
        captured: dict[int, Value] = {}
        for node in reversed(_order(g, root)):
            out = g.out[node]
            ct = grads.pop(out.uid, None)
            if ct is not None and tr is not None:
                ct = tr.run_hooks(out, ct)
            if ct is not None and out.uid in capture:
                captured[out.uid] = ct
            if ct is None or node.op.vjp is None or node.op is STOP_GRADIENT:
                continue
            st.forward_of, st.scope = node, node.scope
            cts = node.op.vjp(ct, node.inputs, out, **node.params)
            for x, c in zip(node.inputs, cts, strict=False):
                if c is None or not wants(x):
                    continue
                if not isinstance(c, Value):
                    c = g.constant(np.broadcast_to(np.asarray(c, x.dtype), x.shape).copy())
                if tuple(c.shape) != tuple(x.shape):
                    c = sum_to_shape(c, x.shape)
                if c.dtype != x.dtype:  # a float32 input's gradient is float32, as eager's is
                    c = cast(c, x.dtype)
                target = grads if x.node is not None and x.uid not in versions else leaves
                leaf_values[x.uid] = x
                p = target.get(x.uid)
                target[x.uid] = c if p is None else p + c
        if tr is not None:
            leaves = {u: tr.run_hooks(leaf_values[u], c) for u, c in leaves.items()}
        return {**leaves, **captured}
    finally:
        st.grad_enabled, st.phase, st.forward_of, st.scope = prev


def backward(root: Value, gradient: Any = None, create_graph: bool = False) -> None:
    """loss.backward() on a symbolic loss: build backward nodes, set variables' .grad."""
    from .trace import active_tracer

    g = root.graph
    if gradient is None and root.shape not in ((), (1,)):
        raise RuntimeError(
            f"backward needs a gradient for a non-scalar output of shape {root.shape}"
        )
    seed = None if gradient is None else g._own(gradient)
    if not root.requires_grad:
        raise RuntimeError(
            "backward on a value that does not require grad (no op makes it "
            "from a variable or input with requires_grad=True)"
        )
    leaves = backward_values(root, seed, create_graph=create_graph)
    tr = active_tracer()
    for v in [*g.inputs, *g.variables]:
        gv = leaves.get(v.uid)
        if gv is None:
            continue
        t = v.tensor
        if tr is not None and t is not None:
            tr.accumulate_grad(t, gv)
        else:
            v.grad = gv if v.grad is None else v.grad + gv
    if tr is not None:  # a leaf updated in place earlier in the trace is still that leaf
        for uid, t in tr.leaf_versions.items():
            if uid in leaves:
                tr.accumulate_grad(t, leaves[uid])


def grad_values(
    outputs: list[Any],
    inputs: list[Any],
    grad_outputs: list[Any] | None,
    create_graph: bool,
    allow_unused: bool,
) -> tuple[Value | None, ...]:
    """vf.grad on graph values (inside @vf.function or on a built graph): gradient nodes of
    the outputs with respect to each input (a variable, input or intermediate value; an
    eager tensor captured by the trace stands for its variable)."""
    from .trace import active_tracer

    tr = active_tracer()
    outs = [tr.convert(o) if tr is not None else o for o in outputs]
    ins = [tr.convert(x) if tr is not None else x for x in inputs]
    for o in outs:
        if not isinstance(o, Value) or not o.requires_grad:
            raise RuntimeError("grad of an output that does not require grad")
    capture = frozenset(x.uid for x in ins if isinstance(x, Value) and x.node is not None)
    total: dict[int, Value] = {}
    for k, o in enumerate(outs):
        given = None if grad_outputs is None else grad_outputs[k]
        if given is None and tuple(o.shape) not in ((), (1,)):
            raise RuntimeError(f"grad of a non-scalar output of shape {o.shape} needs grad_outputs")
        seed = None if given is None else o.graph._own(given)
        for uid, part in backward_values(o, seed, None, create_graph, capture).items():
            total[uid] = part if uid not in total else total[uid] + part
    res: list[Value | None] = []
    for i, x in enumerate(ins):
        gv = total.get(x.uid) if isinstance(x, Value) else None
        if gv is None and not allow_unused:
            raise RuntimeError(
                f"input {i} was not used to compute the outputs (or does not require grad); "
                "pass allow_unused=True to get None for it"
            )
        res.append(gv)
    return tuple(res)


def _requires(g: Graph, wrt: list[Value]) -> set[int]:
    """uids of values that depend differentiably on some wrt value (forward phase only)."""
    req = {v.uid for v in wrt}
    for n in g.nodes:
        if n.op.vjp is None or n.phase != "forward":
            continue
        if any(isinstance(x, Value) and x.uid in req for x in n.inputs):
            out = g.out[n]
            if out.dtype.kind == "f":
                req.add(out.uid)
    return req


def grad_graph(g: Graph, wrt: Iterable[Any] | Any = None, output: int = 0) -> Graph:
    """A new graph computing g's outputs plus d(outputs[output])/d(wrt), appended as outputs.

    wrt: names or Values of inputs/variables (default: every float variable requiring grad).
    """
    from .rewrite import Rewriter

    rw = Rewriter(g).run()
    ng = rw.finish()
    if wrt is None:
        targets = [v for v in ng.variables if v.requires_grad]
    else:
        items = [wrt] if isinstance(wrt, (str, Value)) else list(wrt)
        targets = [ng.value(w if isinstance(w, str) else w.name) for w in items]
    if not ng.outputs:
        raise ValueError("grad_graph needs a graph with an output to differentiate")
    root = ng.outputs[output]
    if root.shape not in ((), (1,)):
        raise ValueError(
            f"grad_graph differentiates a scalar output; output {output} has shape {root.shape}"
        )
    _require_known_shapes(ng)
    leaves = backward_values(root, requires=_requires(ng, targets))
    for v in targets:
        gv = leaves.get(v.uid)
        if gv is None:
            from ..ops.creation import ZEROS

            gv = ng.apply(
                ZEROS, (), {"shape": tuple(v.shape), "dtype": v.dtype}, name=f"zero_grad_{v.name}"
            )
        ng.output(gv)
    from .passes.dce import dce

    return dce(ng)  # VJP rules also build cotangents of literals and non-wrt inputs


def _require_known_shapes(g: Graph) -> None:
    """VJP rules need concrete shapes (they expand and reshape to them): say so, and how."""
    for v in g.all_values():
        if not all(isinstance(d, int) for d in v.shape):
            raise GraphError(
                v.name,
                f"shape {tuple(v.shape)} has dims unknown until run time; gradients need "
                "concrete shapes: call specialize(g, input_shapes) first, or trace with "
                "example arrays",
            )
