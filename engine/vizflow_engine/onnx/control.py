"""If, Loop and Scan: their bodies become scopes of ordinary nodes where the graph allows it.

An If whose condition is known takes its branch; otherwise both branches run and vf.where
picks (outputs of one shape and dtype). A Loop with a known trip count (at most MAX_UNROLL)
and a condition that stays true is unrolled, one scope per iteration, and so is a Scan over a
known sequence length (at most MAX_UNROLL steps). Anything else raises
Unsupported and the node runs whole in onnx's evaluator (an onnx_node).
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, MutableMapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..graph.ir import Value
from .context import Unsupported, attr_value

if TYPE_CHECKING:
    from .importer import Importer

MAX_UNROLL = 256
Control = Callable[
    ["Importer", Any, list[Value | None], MutableMapping[str, Value], str], list[Value]
]


def _body(
    imp: Importer, body: Any, vals: MutableMapping[str, Value], feeds: dict[str, Value], scope: str
) -> list[Value]:
    """Convert a subgraph with its inputs bound to feeds; its nodes go under `scope`."""
    g = imp.graph
    first = len(g.nodes)
    inner: ChainMap[str, Value] = ChainMap(dict(feeds), vals)
    imp._initializers(body.initializer, inner)
    imp.convert_nodes(body.node, inner)
    for n in g.nodes[first:]:
        n.scope = f"{scope}/{n.scope}" if n.scope else scope
    missing = [o.name for o in body.output if o.name not in inner]
    if missing:
        raise Unsupported(f"body output {missing[0]!r} is not computed")
    return [inner[o.name] for o in body.output]


def _if(
    imp: Importer, node: Any, ins: list[Value | None], vals: MutableMapping[str, Value], label: str
) -> list[Value]:
    import vizflow_engine as e

    attrs = {a.name: attr_value(a) for a in node.attribute}
    cond = ins[0]
    if cond is None:
        raise Unsupported("If without a condition")
    if cond.kind == "constant" and cond.value is not None:
        branch = "then_branch" if bool(np.asarray(cond.value).reshape(-1)[0]) else "else_branch"
        return _body(imp, attrs[branch], vals, {}, branch.split("_")[0])
    a = _body(imp, attrs["then_branch"], vals, {}, "then")
    b = _body(imp, attrs["else_branch"], vals, {}, "else")
    c = cond.reshape(()) if cond.shape != () else cond
    outs = []
    for x, y in zip(a, b, strict=True):
        if x.dtype != y.dtype or x.shape != y.shape:
            raise Unsupported("branches give outputs of different types")
        outs.append(e.where(c, x, y))
    return outs


def _loop(
    imp: Importer, node: Any, ins: list[Value | None], vals: MutableMapping[str, Value], label: str
) -> list[Value]:
    import vizflow_engine as e

    body = next(a.g for a in node.attribute if a.name == "body")
    m, cond = [*ins, None, None][:2]
    carried = [v for v in ins[2:] if v is not None]
    if m is None or m.kind != "constant" or m.value is None:
        raise Unsupported("Loop without a known trip count")
    trips = int(np.asarray(m.value).reshape(-1)[0])
    if cond is not None:
        if cond.kind != "constant" or cond.value is None:
            raise Unsupported("Loop with a run-time condition")
        if not bool(np.asarray(cond.value).reshape(-1)[0]):
            trips = 0
    if trips > MAX_UNROLL:
        raise Unsupported(f"Loop of {trips} iterations (unrolled up to {MAX_UNROLL})")
    n_scan = len(body.output) - 1 - len(carried)
    if trips == 0 and n_scan:
        raise Unsupported("empty Loop with scan outputs")
    g = imp.graph
    names = [i.name for i in body.input]
    scans: list[list[Value]] = [[] for _ in range(n_scan)]
    true = g.constant(np.array(True))
    for k in range(trips):
        feeds = {names[0]: g.constant(np.array(k, np.int64)), names[1]: true}
        feeds.update(zip(names[2:], carried, strict=True))
        res = _body(imp, body, vals, feeds, f"iter[{k}]")
        c = res[0]
        if c is not true and not (c.kind == "constant" and bool(np.asarray(c.value).all())):
            raise Unsupported("Loop whose condition changes in the body")
        carried = res[1 : 1 + len(carried)]
        for s, v in zip(scans, res[1 + len(carried) :], strict=True):
            s.append(v)
    outs = [e.clone(v) if any(v is x for x in ins) else v for v in carried]
    return outs + [e.stack(s, 0) for s in scans]


def _scan(
    imp: Importer, node: Any, ins: list[Value | None], vals: MutableMapping[str, Value], label: str
) -> list[Value]:
    """Scan (opset 9 on) unrolled over its known sequence length, one scope per step."""
    import vizflow_engine as e

    attrs = {a.name: attr_value(a) for a in node.attribute}
    body = attrs["body"]
    m = int(attrs["num_scan_inputs"])
    if any(v is None for v in ins):
        raise Unsupported("Scan with an omitted input")
    states: list[Value] = [v for v in ins[: len(ins) - m] if v is not None]
    seqs = [v for v in ins[len(ins) - m :] if v is not None]
    in_axes = [
        int(a) % s.ndim for a, s in zip(attrs.get("scan_input_axes") or [0] * m, seqs, strict=True)
    ]
    in_dirs = list(attrs.get("scan_input_directions") or [0] * m)
    lengths = {s.shape[a] for s, a in zip(seqs, in_axes, strict=True)}
    if len(lengths) != 1 or not isinstance(n := next(iter(lengths)), int):
        raise Unsupported("Scan over an unknown or uneven sequence length")
    if not 0 < n <= MAX_UNROLL:
        raise Unsupported(f"Scan of {n} steps (unrolled from 1 up to {MAX_UNROLL})")
    k = len(body.output) - len(states)
    out_axes = list(attrs.get("scan_output_axes") or [0] * k)
    out_dirs = list(attrs.get("scan_output_directions") or [0] * k)
    names = [i.name for i in body.input]
    scans: list[list[Value]] = [[] for _ in range(k)]
    for t in range(n):
        feeds = dict(zip(names, states, strict=False))
        for name, s, a, d in zip(names[len(states) :], seqs, in_axes, in_dirs, strict=True):
            feeds[name] = e.getitem(s, (slice(None),) * a + (n - 1 - t if d else t,))
        res = _body(imp, body, vals, feeds, f"iter[{t}]")
        states = res[: len(states)]
        for acc, v in zip(scans, res[len(states) :], strict=True):
            acc.append(v)
    outs = [e.clone(v) if any(v is x for x in ins) else v for v in states]
    for acc, a, d in zip(scans, out_axes, out_dirs, strict=True):
        seq = acc[::-1] if d else acc
        outs.append(e.stack(seq, int(a) % (seq[0].ndim + 1)))
    return outs


CONTROL: dict[str, Control] = {"If": _if, "Loop": _loop, "Scan": _scan}
