"""Live shape inference over a Document: each node's output type, or why it has none.

Named dims ('batch') carry through the ops as in graph mode (graph/dims.py). A node whose
input is missing, whose params are wrong or whose shape rule refuses its inputs gets an error
with the op, the shapes and the rule's reason; the nodes after it get none of their own (they
say which input is not valid). Iterative over a topological order: no recursion in depth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..graph.dims import infer as infer_spec
from ..registry import REQUIRED, OpDef, TensorSpec
from .errors import EditError
from .model import Document, EdgeRec, NodeRec
from .params import check_op_params, op_def

MAX_CACHED = 100_000
_TYPES: dict[Any, NodeType] = {}  # op node types by what they depend on: edits change few

BROADCAST_RULE = (
    "broadcasting compares dims from the right: each pair must be equal, or one of them 1 "
    "(a missing dim counts as 1)"
)


@dataclass(frozen=True, slots=True)
class NodeType:
    """A node's output type, or the reason it has none (`rule` names the kind of error)."""

    shape: tuple[Any, ...] | None
    dtype: np.dtype[Any] | None
    error: str | None = None
    rule: str | None = None


def show_shape(shape: tuple[Any, ...] | None) -> str:
    """(batch, 64) as a person writes it; '?' for an unknown dim."""
    if shape is None:
        return "(?)"
    dims = ["?" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def leaf_type(doc: Document, node: NodeRec) -> NodeType:
    """A placeholder's, variable's or constant's declared type."""
    held = doc.arrays.get(node.id)
    if held is not None and (node.kind == "constant" or node.params.get("init") == "array"):
        return NodeType(tuple(held.shape), np.dtype(held.dtype))
    if node.kind == "constant":
        arr = np.asarray(node.params["value"], dtype=node.params["dtype"])
        return NodeType(arr.shape, arr.dtype)
    return NodeType(tuple(node.params["shape"]), np.dtype(node.params["dtype"]))


def port_count(op: OpDef, node: NodeRec, wired: dict[int, EdgeRec]) -> int:
    """Input ports shown: the op's, or a variadic op's filled ones and one free one after."""
    if not op.variadic:
        return len(op.inputs)
    used = [*wired, *node.literals]
    return (max(used) + 2) if used else 1


def port_name(op: OpDef, port: int) -> str:
    return f"{op.inputs[0].lstrip('*')}[{port}]" if op.variadic else op.inputs[port]


def op_type(
    doc: Document,
    node: NodeRec,
    wired: dict[int, EdgeRec],
    types: dict[str, NodeType],
    replace: tuple[int, NodeType] | None = None,
) -> NodeType:
    """An op node's output type from its inputs' types (`replace`: try one port with another
    type, as a wire being dragged would give it)."""
    op = op_def(node.op)
    n = port_count(op, node, wired)
    if replace is not None and op.variadic:
        n = max(n, replace[0] + 1)
    specs: list[TensorSpec] = []
    for port in range(n):
        if replace is not None and replace[0] == port:
            t: NodeType | None = replace[1]
        elif port in wired:
            t = types.get(wired[port].source)
        elif port in node.literals:
            specs.append(TensorSpec((), type(node.literals[port])))
            continue
        else:
            t = None
        if op.variadic and t is None and port == n - 1 and port > 0:
            break  # the free port after a variadic op's inputs
        if t is None:
            return _err(
                f"{op.name}: input {port_name(op, port)!r} is not connected", "missing_input"
            )
        if t.shape is None or t.dtype is None:
            src = doc.nodes[wired[port].source].name if port in wired else "?"
            return _err(
                f"{op.name}: input {port_name(op, port)!r} ({src!r}) has an error", "upstream"
            )
        specs.append(TensorSpec(t.shape, t.dtype))
    key = _cache_key(op, node.params, specs)
    known = _TYPES.get(key) if key is not None else None
    if known is None:
        known = _rule_type(op, node, specs)
        if key is not None:
            if len(_TYPES) >= MAX_CACHED:
                _TYPES.clear()
            _TYPES[key] = known
    return known


def _cache_key(op: OpDef, params: dict[str, Any], specs: list[TensorSpec]) -> Any:
    """What an op node's type depends on, hashable; None when a param is an array (its repr
    would not tell two arrays apart)."""
    if any(isinstance(v, np.ndarray) for v in params.values()):
        return None
    return op.name, repr(sorted(params.items())), tuple((s.shape, s.dtype) for s in specs)


def _rule_type(op: OpDef, node: NodeRec, specs: list[TensorSpec]) -> NodeType:
    """The op's params checked and its shape rule run on the inputs' specs."""
    missing = sorted(
        p.name for p in op.params if p.default is REQUIRED and p.name not in node.params
    )
    if missing:
        return _err(f"{op.name}: set param {missing[0]!r}", "param")
    try:
        check_op_params(op, node.params, [len(s.shape) for s in specs], len(specs), complete=True)
    except EditError as exc:
        return _err(str(exc), "param")
    try:
        spec = infer_spec(op, tuple(specs), node.params)
    except (ValueError, TypeError, IndexError, OverflowError, MemoryError) as exc:
        return _shape_error(op, specs, exc)
    return NodeType(tuple(spec.shape), np.dtype(spec.dtype))


def _err(message: str, rule: str) -> NodeType:
    return NodeType(None, None, message, rule)


def _shape_error(op: OpDef, specs: list[TensorSpec], exc: Exception) -> NodeType:
    """The op, its input shapes as written ((batch, 64) @ (32, 10)), and the rule's reason
    (whose shapes, printed by the rule with unknown dims as None, get their names back)."""
    joint = " @ " if op.name == "matmul" else ", "
    shown = joint.join(show_shape(s.shape) for s in specs)
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    for s in specs:
        plain = tuple(d if isinstance(d, int) else None for d in s.shape)
        if plain != s.shape:
            reason = reason.replace(str(plain), show_shape(s.shape))
    if shown in reason:  # said once, before the reason
        reason = " ".join(reason.replace(shown, "").split())
    if "broadcast" in reason:
        return _err(f"{op.name}: {shown} — {reason}; {BROADCAST_RULE}", "broadcast")
    return _err(f"{op.name}: {shown} — {reason}", "shape")


def infer_all(doc: Document) -> dict[str, NodeType]:
    """Every node's type, in one pass over a topological order."""
    into = doc.incoming()
    types: dict[str, NodeType] = {}
    for ident in doc.topological():
        types[ident] = node_type(doc, doc.nodes[ident], into.get(ident, {}), types)
    for ident in doc.nodes:
        if ident not in types:
            types[ident] = _err(f"{doc.nodes[ident].name!r} is on a cycle", "cycle")
    return types


def node_type(
    doc: Document, node: NodeRec, wired: dict[int, EdgeRec], types: dict[str, NodeType]
) -> NodeType:
    """One node's type, its inputs' types being in `types`."""
    if node.kind != "op":
        return leaf_type(doc, node)
    try:
        return op_type(doc, node, wired, types)
    except EditError as exc:
        return _err(str(exc), "op")


@dataclass(frozen=True, slots=True)
class ProbeTarget:
    """Whether a wire from the probed output fits one input port, and why not."""

    node: str
    port: int
    ok: bool
    reason: str | None


def probe(doc: Document, source: str, types: dict[str, NodeType]) -> list[ProbeTarget]:
    """Every input port of every other op node, with whether source's output fits it."""
    src = doc.node(source)
    src_type = types[src.id]
    before = doc.upstream(src.id)
    into = doc.incoming()
    found: list[ProbeTarget] = []
    for node in doc.nodes.values():
        if node.kind != "op" or node.id == src.id:
            continue
        try:
            op = op_def(node.op)
        except EditError:
            continue
        wired = into.get(node.id, {})
        for port in range(port_count(op, node, wired)):
            found.append(_fit(doc, node, port, wired, types, src, src_type, before))
    return found


def _fit(
    doc: Document,
    node: NodeRec,
    port: int,
    wired: dict[int, EdgeRec],
    types: dict[str, NodeType],
    src: NodeRec,
    src_type: NodeType,
    before: set[str],
) -> ProbeTarget:
    if node.id in before:
        why = f"would make a cycle: {src.name!r} already reads {node.name!r}"
        return ProbeTarget(node.id, port, False, why)
    if src_type.error is not None:
        return ProbeTarget(node.id, port, False, f"{src.name!r} has an error: {src_type.error}")
    t = op_type(doc, node, wired, types, replace=(port, src_type))
    if t.error is None or t.rule in ("missing_input", "upstream", "param"):
        return ProbeTarget(node.id, port, True, None)
    return ProbeTarget(node.id, port, False, t.error)
