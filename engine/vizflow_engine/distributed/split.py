"""Split a traced training step into the graph a worker runs on its shard (loss and weighted
gradients) and the update the combined gradients feed (the optimiser's nodes).

The cut is where the step assigns `p.grad`: everything those gradients and the step's outputs
depend on is the worker's; every other node (the optimiser, clipping) reads the combined
gradients instead. Pure functions Graph -> Graph; nothing recursive in the graph's depth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..graph.graph_ops import mutated_inputs, mutates
from ..graph.ir import Graph, Value
from ..graph.trace import Traced
from ..node import Node
from ..registry import TensorSpec, get_op
from ..tensor import Tensor

WEIGHT = "shard_weight"


class SplitError(ValueError):
    """A training step DataParallel cannot split into per-shard gradients and one update."""


@dataclass(frozen=True)
class Split:
    """The two halves of a step: the worker graph and the update graph, and how they meet.

    worker: inputs are the batch arrays, then the variables the loss reads (by name), then one
    shard weight per float dtype; outputs are the step's outputs, then the gradients (in
    `grad_names` order), each multiplied by the shard's weight.
    update: inputs are the combined gradients (gradient number `update_feeds[i]` feeds input
    i); variables are the model's and optimiser's live tensors, written in place when its
    plan runs.
    """

    worker: Graph
    update: Graph
    n_batch: int
    param_names: tuple[str, ...]  # variables the worker graph takes as inputs
    grad_names: tuple[str, ...]  # the parameter each gradient output belongs to
    update_feeds: tuple[int, ...]  # the gradient each update input takes
    weights: tuple[tuple[str, str], ...]  # (weight input name, dtype)
    variables: dict[str, Value]  # the traced step's variables by name (live tensors)
    stores: tuple[tuple[Tensor, Tensor], ...]  # (parameter, the tensor p.grad becomes)
    clears: tuple[Tensor, ...]  # tensors whose .grad the step sets to None


def split_step(t: Traced) -> Split:
    """Cut a traced step (vf.function's trace on one shard) into worker and update graphs."""
    g = t.graph
    if t.grads.inputs:
        names = ", ".join(_tensor_name(g, x) for x in t.grads.inputs)
        raise SplitError(
            f"the step reads .grad before it computes it ({names}): gradients accumulated "
            "across calls cannot be combined across workers; call opt.zero_grad() at the "
            "start of the step"
        )
    if t.grads.args or t.grads.writes:
        raise SplitError(
            "the step differentiates or writes its batch arguments; DataParallel shards "
            "them, so pass batches without requires_grad and do not modify them in place"
        )
    store_param = {id(store): p for p, store in t.grads.stores}
    grads: dict[str, Value] = {}  # parameter variable name -> its gradient in g
    for var, new in g.updates:
        p = store_param.get(id(var.tensor)) if var.tensor is not None else None
        if p is not None:
            grads[_variable_name(g, p, var)] = new
    if not grads:
        raise SplitError(
            "the step computes no parameter gradient (no loss.backward() that fills p.grad); "
            "DataParallel combines gradients, so the step must call loss.backward()"
        )
    mine = _ancestors(g, [*g.outputs, *grads.values()])
    for n in g.nodes:
        if n in mine and mutates(n.op):
            raise SplitError(
                f"the step's outputs or gradients depend on node {n.name!r} ({n.op.name}), "
                "which writes state (an optimiser update, a running statistic); each worker "
                "would write its own copy, so DataParallel cannot split this step: return the "
                "loss computed before opt.step()"
            )
    for o in g.outputs:
        if o.shape != () or o.dtype.kind != "f":
            raise SplitError(
                f"the step returns {o.name!r} of shape {list(o.shape)} and dtype {o.dtype}; "
                "DataParallel averages the outputs over shards, so return scalar losses "
                "(compute other metrics after the call)"
            )
    worker, param_names, weights = _worker_graph(g, mine, grads)
    update, feeds = _update_graph(g, mine, grads)
    return Split(
        worker=worker,
        update=update,
        n_batch=len(g.inputs),
        param_names=param_names,
        grad_names=tuple(grads),
        update_feeds=feeds,
        weights=weights,
        variables={v.name: v for v in g.variables},
        stores=tuple(t.grads.stores),
        clears=tuple(t.grads.clears),
    )


def _tensor_name(g: Graph, t: Tensor) -> str:
    for v in g.variables:
        if v.tensor is t:
            return v.name
    return t.name or "a tensor"


def _variable_name(g: Graph, p: Tensor, store: Value) -> str:
    """The name of p's variable (the .grad store's name less '.grad' when p is not read)."""
    for v in g.variables:
        if v.tensor is p:
            return v.name
    return store.name.removesuffix(".grad")


def _ancestors(g: Graph, roots: list[Value]) -> set[Node]:
    """The nodes the roots depend on (an explicit stack: graphs may be 100,000 nodes deep)."""
    seen: set[Node] = set()
    stack = [v.node for v in roots if v.node is not None]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        stack.extend(x.node for x in n.inputs if isinstance(x, Value) and x.node is not None)
    return seen


def copy_node(
    dst: Graph,
    n: Node,
    out: Value,
    ins: tuple[Any, ...],
    fwd: Node | None,
    scope: str | None = None,
) -> Value:
    """n (whose result is out) added to dst on inputs ins, linked to forward node fwd; under
    `scope` when given, else in n's own scope."""
    return dst.add_node(
        n.op,
        dict(n.params),
        ins,
        TensorSpec(out.shape, out.dtype),  # type: ignore[arg-type]
        out.device,
        n.name or n.op.name,
        n.scope if scope is None else scope,
        n.phase,
        fwd,
        n.source,
    )


def _worker_graph(
    g: Graph, mine: set[Node], grads: dict[str, Value]
) -> tuple[Graph, tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The loss and gradients on one shard, each scaled by the shard's weight."""
    w = Graph(f"{g.name}/gradients")
    vmap: dict[int, Value] = {}
    nmap: dict[Node, Node] = {}
    read = {x.uid for n in mine for x in n.inputs if isinstance(x, Value)}
    read |= {v.uid for v in [*g.outputs, *grads.values()]}
    for v in g.inputs:
        vmap[v.uid] = w.placeholder(v.name, v.shape, v.dtype, v.device)
    params = []
    for v in g.variables:
        if v.uid in read:
            vmap[v.uid] = w.placeholder(v.name, v.shape, v.dtype, v.device)
            if vmap[v.uid].name != v.name:
                raise SplitError(
                    f"the step's variable {v.name!r} has the name of a batch argument; "
                    "rename the argument"
                )
            params.append(v.name)
    for v in g.constants:
        if v.uid in read:
            vmap[v.uid] = w.constant(v.value, v.name)
    for n in g.nodes:
        if n in mine:
            ins = tuple(vmap[x.uid] if isinstance(x, Value) else x for x in n.inputs)
            fwd = nmap.get(n.forward_of) if n.forward_of is not None else None
            new = copy_node(w, n, g.out[n], ins, fwd)
            assert new.node is not None
            nmap[n] = new.node
            vmap[g.out[n].uid] = new
    weights: dict[str, Value] = {}
    mul = get_op("mul")
    tagged = [(v, "forward", v.name) for v in g.outputs]
    tagged += [(v, "backward", f"{name}.grad") for name, v in grads.items()]
    for v, phase, label in tagged:
        dt = str(v.dtype)
        if dt not in weights:
            weights[dt] = w.placeholder(WEIGHT, (), dt, v.device)
        src = vmap[v.uid]
        scope = v.node.scope if v.node is not None else ""
        w.outputs.append(
            w.add_node(
                mul,
                {},
                (src, weights[dt]),
                TensorSpec(v.shape, v.dtype),  # type: ignore[arg-type]
                v.device,
                f"{label} (weighted)",
                scope,
                phase,
            )
        )
    return w, tuple(params), tuple((x.name, dt) for dt, x in weights.items())


def _update_graph(
    g: Graph, mine: set[Node], grads: dict[str, Value]
) -> tuple[Graph, tuple[int, ...]]:
    """The nodes outside the worker's part, reading the combined gradients as inputs."""
    u = Graph(f"{g.name}/update")
    u.refresh = g.refresh
    vmap: dict[int, Value] = {}
    nmap: dict[Node, Node] = {}
    feeds = []
    for k, (name, v) in enumerate(grads.items()):
        if v.uid not in vmap:
            vmap[v.uid] = u.placeholder(f"{name}.grad (combined)", v.shape, v.dtype, v.device)
            feeds.append(k)
    effects = [g.out[n] for n in g.nodes if n not in mine and mutates(n.op)]
    live = _ancestors(g, [*effects, *(new for _, new in g.updates)])
    rest = [n for n in g.nodes if n in live and n not in mine]  # dead backward nodes go
    used = {x.uid for n in rest for x in n.inputs if isinstance(x, Value)}
    targets = {var.uid for var, _ in g.updates}
    for v in g.variables:
        if v.uid in used or v.uid in targets:
            vmap[v.uid] = u.variable(v.name, v.tensor if v.tensor is not None else v.value)
            vmap[v.uid].requires_grad = v.requires_grad
    for v in g.constants:
        if v.uid in used:
            vmap[v.uid] = u.constant(v.value, v.name)
    for n in rest:
        ins = []
        for x in n.inputs:
            if isinstance(x, Value):
                if x.uid not in vmap:
                    raise SplitError(_batch_read(n, x))
                ins.append(vmap[x.uid])
            else:
                ins.append(x)
        fwd = nmap.get(n.forward_of) if n.forward_of is not None else None
        new = copy_node(u, n, g.out[n], tuple(ins), fwd)
        assert new.node is not None
        nmap[n] = new.node
        vmap[g.out[n].uid] = new
    for var, new in g.updates:
        if new.uid not in vmap:
            raise SplitError(_batch_read(None, new, var.name))
        u.updates.append((vmap[var.uid], vmap[new.uid]))
    return u, tuple(feeds)


def _batch_read(n: Node | None, x: Value, target: str | None = None) -> str:
    who = f"node {n.name!r} ({n.op.name})" if n is not None else f"the update of {target!r}"
    return (
        f"{who} reads {x.name!r}, which is computed from the batch but is not a parameter "
        "gradient (a batch-norm running statistic, say); after the split only the combined "
        "gradients reach the update, so DataParallel cannot run this step: keep such state "
        "out of the step (eval() mode for those layers) or compute it after the call"
    )


def written_variables(u: Graph) -> list[str]:
    """Names of the update graph's variables it writes (in-place ops or assignments)."""
    out: dict[str, None] = {}
    for n in u.nodes:
        if mutates(n.op):
            for i in mutated_inputs(n.op):
                root = _root(n.inputs[i]) if i < len(n.inputs) else None
                if root is not None and root.kind == "variable":
                    out[root.name] = None
    for var, _ in u.updates:
        out[var.name] = None
    return list(out)


def _root(x: Any) -> Value | None:
    """The variable an in-place chain writes (each mutating op returns an alias of input 0)."""
    while isinstance(x, Value) and x.node is not None and mutates(x.node.op):
        x = x.node.inputs[0]
    return x if isinstance(x, Value) else None


def nbytes(shape: tuple[Any, ...], dtype: Any) -> int:
    """Bytes of an array of this shape and dtype."""
    return int(np.prod([int(d) for d in shape], dtype=np.int64)) * np.dtype(dtype).itemsize
