"""The distributed step as one vf.Graph for vf.show: a lane (scope) per worker holding its copy
of the gradient graph, transfer nodes (to_device) named with the bytes they move, the
combine tree and the update (on the driver, or in every replica's lane)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..graph.ir import Graph, Value
from ..node import Node
from ..registry import TensorSpec, get_op
from .split import Split, copy_node, nbytes

if TYPE_CHECKING:
    from .trainer import DataParallel


def human_bytes(n: int) -> str:
    """1234567 -> '1.2 MB' (decimal units, as Dask's dashboard shows them)."""
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


def _send(g: Graph, x: Value, label: str, scope: str, phase: str) -> Value:
    """A transfer node: x's value copied to where it is read, named with its bytes."""
    size = human_bytes(nbytes(x.shape, x.dtype))
    return g.add_node(
        get_op("to_device"),
        {"device": x.device.name},
        (x,),
        TensorSpec(x.shape, x.dtype),  # type: ignore[arg-type]
        x.device,
        f"{label} ({size})",
        scope,
        phase,
    )


def _paste(g: Graph, src: Graph, vmap: dict[int, Value], scope: str) -> None:
    """Copy src's nodes into g under `scope` (vmap gives src's leaves and receives its nodes)."""
    nmap: dict[Node, Node] = {}
    for n in src.nodes:
        out = src.out[n]
        ins = tuple(vmap[x.uid] if isinstance(x, Value) else x for x in n.inputs)
        fwd = nmap.get(n.forward_of) if n.forward_of is not None else None
        v = copy_node(g, n, out, ins, fwd, f"{scope}/{n.scope}" if n.scope else scope)
        assert v.node is not None
        nmap[n] = v.node
        vmap[out.uid] = v


def _leaf(v: Value) -> Any:
    """A traced variable's live tensor (inspectable in the viewer), or its array."""
    return v.tensor if v.tensor is not None else v.value


def _leaf_array(v: Value) -> Any:
    """A copy of a traced variable's array (a replica's value as of the last sync)."""
    return (v.tensor.array if v.tensor is not None else v.value).copy()


def step_graph(tr: DataParallel, sp: Split) -> Graph:
    """The last step of trainer `tr` as a graph: lanes "worker 0".."worker N-1", "combine",
    and "driver" (parameter_server) holding the variables and the update."""
    w = len(tr.workers)
    g = Graph(f"{tr.name}: {tr.strategy} on {w} Dask workers")
    wg = sp.worker
    ps = tr.strategy == "parameter_server"
    names = list(dict.fromkeys([*sp.param_names, *(v.name for v in sp.update.variables)]))
    driver = {n: g.variable(n, _leaf(sp.variables[n])) for n in names} if ps else {}
    replicas: list[dict[str, Value]] = []
    lane_outputs: list[list[Value]] = []
    for k in range(w):
        lane = f"worker {k}"
        replica = (
            {}
            if ps
            else {n: g.variable(f"{n} [replica {k}]", _leaf_array(sp.variables[n])) for n in names}
        )
        replicas.append(replica)
        vmap: dict[int, Value] = {}
        for i, v in enumerate(wg.inputs):
            if i >= sp.n_batch and v.name in driver:
                vmap[v.uid] = _send(g, driver[v.name], f"{v.name} → {lane}", lane, "forward")
            elif i >= sp.n_batch and v.name in replica:
                vmap[v.uid] = replica[v.name]
            else:  # the shard's batch arrays and its weight
                vmap[v.uid] = g.placeholder(f"{v.name} [shard {k}]", v.shape, v.dtype, v.device)
        for c in wg.constants:
            vmap[c.uid] = g.constant(c.value, c.name)
        _paste(g, wg, vmap, lane)
        lane_outputs.append(
            [
                _send(g, vmap[o.uid], f"{_label(o)}: {lane} → combine", lane, _phase(o))
                for o in wg.outputs
            ]
        )
    combined = _combine(g, lane_outputs, wg.outputs)
    grads = combined[len(wg.outputs) - len(sp.grad_names) :]
    g.output(*combined[: len(wg.outputs) - len(sp.grad_names)])
    if ps:
        at = [
            _send(g, grads[i], f"{sp.grad_names[i]}.grad → driver", "driver", "backward")
            for i in sp.update_feeds
        ]
        _update(g, sp, at, driver, "driver/update")
    else:
        for k in range(w):
            lane = f"worker {k}"
            at = [
                _send(g, grads[i], f"{sp.grad_names[i]}.grad → {lane}", lane, "backward")
                for i in sp.update_feeds
            ]
            _update(g, sp, at, replicas[k], f"{lane}/update")
    return g


def _label(o: Value) -> str:
    """What a worker output carries: the loss or a parameter's gradient."""
    return o.name.removesuffix(" (weighted)")


def _phase(o: Value) -> str:
    return o.node.phase if o.node is not None else "forward"


def _combine(g: Graph, lanes: list[list[Value]], outputs: list[Value]) -> list[Value]:
    """The tree of additions that sums each output over the lanes (as the combine tasks do)."""
    add = get_op("add")
    names = [_label(o) for o in outputs]
    level = lanes
    while len(level) > 1:
        nxt = []
        for a, b in zip(level[::2], level[1::2], strict=False):
            nxt.append(
                [
                    g.add_node(
                        add,
                        {},
                        (x, y),
                        TensorSpec(x.shape, x.dtype),  # type: ignore[arg-type]
                        x.device,
                        f"∑ {names[j]}",
                        "combine",
                        _phase(outputs[j]),
                    )
                    for j, (x, y) in enumerate(zip(a, b, strict=True))
                ]
            )
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def _update(
    g: Graph, sp: Split, feeds: list[Value], variables: dict[str, Value], scope: str
) -> None:
    """The optimiser's nodes reading the combined gradients, writing `variables`."""
    u = sp.update
    vmap: dict[int, Value] = {}
    for v, f in zip(u.inputs, feeds, strict=True):
        vmap[v.uid] = f
    for v in u.variables:
        vmap[v.uid] = variables[v.name]
    for c in u.constants:
        vmap[c.uid] = g.constant(np.asarray(c.value), c.name)
    _paste(g, u, vmap, scope)
    for var, new in u.updates:
        g.updates.append((vmap[var.uid], vmap[new.uid]))
