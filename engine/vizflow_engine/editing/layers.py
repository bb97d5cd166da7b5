"""vf.nn layers as ready-made groups: a layer is traced on a described input and its nodes
join the document inside one group named after it, its input port left free to wire."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import nn
from ..graph.trace import spec, trace
from .convert import from_graph
from .errors import EditError
from .model import Document, EdgeRec, GroupRec, NodeRec

MAX_FEATURES = 65_536


@dataclass(frozen=True, slots=True)
class LayerArg:
    """One constructor argument of a layer: its name, kind (int, bool, number) and default."""

    name: str
    type: str
    default: Any = None
    doc: str = ""


@dataclass(frozen=True, slots=True)
class LayerDef:
    """A layer the palette offers: its class, arguments, and the input it is traced on."""

    name: str
    args: tuple[LayerArg, ...]
    doc: str
    input_shape: Any  # args -> the traced input's shape


LAYERS: dict[str, LayerDef] = {
    d.name: d
    for d in (
        LayerDef(
            "Linear",
            (
                LayerArg("in_features", "int", None, "size of each input row"),
                LayerArg("out_features", "int", None, "size of each output row"),
                LayerArg("bias", "bool", True, "add a learned bias"),
            ),
            "y = x Wᵀ + b",
            lambda a: ("batch", a["in_features"]),
        ),
        LayerDef(
            "Conv2d",
            (
                LayerArg("in_channels", "int", None, "input channels"),
                LayerArg("out_channels", "int", None, "output channels"),
                LayerArg("kernel_size", "int", 3, "square kernel size"),
                LayerArg("stride", "int", 1, ""),
                LayerArg("padding", "int", 0, ""),
            ),
            "y = conv2d(x, W) + b",
            lambda a: ("batch", a["in_channels"], 28, 28),
        ),
        LayerDef("ReLU", (), "y = max(x, 0)", lambda a: ("batch", 16)),
        LayerDef("Tanh", (), "y = tanh(x)", lambda a: ("batch", 16)),
        LayerDef("Sigmoid", (), "y = 1 / (1 + exp(-x))", lambda a: ("batch", 16)),
        LayerDef(
            "LayerNorm",
            (LayerArg("normalized_shape", "int", None, "size of the last dim"),),
            "y = (x - mean) / sqrt(var + eps) · γ + β",
            lambda a: ("batch", a["normalized_shape"]),
        ),
    )
}


def layer_args(layer: Any, args: Any) -> tuple[LayerDef, dict[str, Any]]:
    """The layer's definition and its checked arguments (defaults filled in)."""
    d = LAYERS.get(layer) if isinstance(layer, str) else None
    if d is None:
        raise EditError(f"unknown layer {str(layer)[:40]!r}; layers: {', '.join(LAYERS)}")
    if not isinstance(args, dict):
        raise EditError("a layer's args are an object")
    known = {a.name: a for a in d.args}
    for key in args:
        if key not in known:
            raise EditError(f"{d.name} has no argument {str(key)[:40]!r} (its: {', '.join(known)})")
    out: dict[str, Any] = {}
    for a in d.args:
        value = args.get(a.name, a.default)
        lowest = 0 if a.name == "padding" else 1
        if a.type == "int" and (type(value) is not int or not lowest <= value <= MAX_FEATURES):
            raise EditError(f"{d.name}'s {a.name} is an int in {lowest}..{MAX_FEATURES}")
        if a.type == "bool" and type(value) is not bool:
            raise EditError(f"{d.name}'s {a.name} is true or false")
        out[a.name] = value
    return d, out


def layer_document(layer: Any, args: Any) -> tuple[LayerDef, Document]:
    """The layer traced into a Document of its own (its input placeholder included)."""
    d, checked = layer_args(layer, args)
    module = getattr(nn, d.name)(**checked)
    g = trace(module, spec(d.input_shape(checked)))
    return d, from_graph(g)


def merge_layer(
    doc: Document, d: LayerDef, sub: Document, name: str, x: float, y: float, ident: str | None
) -> tuple[list[str], list[str]]:
    """Add the layer's nodes (not its input placeholder) to `doc` in a new group `name` at
    (x, y); variables get copies of their arrays. Returns the new node and group ids."""
    group = doc.claim_id(ident, "g")
    doc.groups[group] = GroupRec(group, name, d.name, None, False)
    groups = {g.id: doc.new_id("g") for g in sub.groups.values()}
    for old, new in groups.items():
        g = sub.groups[old]
        parent = groups[g.parent] if g.parent is not None else group
        doc.groups[new] = GroupRec(new, g.name, g.type, parent, False)
    ids: dict[str, str] = {}
    for node in sub.nodes.values():
        if node.kind == "placeholder":
            continue
        new = doc.new_id("n")
        ids[node.id] = new
        label = doc.unique_name(f"{name}.{node.name}")
        home = groups[node.group] if node.group is not None else group
        doc.insert(
            NodeRec(
                new,
                label,
                node.kind,
                node.op,
                dict(node.params),
                home,
                x + node.x,
                y + node.y,
                literals=dict(node.literals),
            )
        )
        if node.id in sub.arrays:
            held = sub.arrays[node.id]
            doc.arrays[new] = np.array(getattr(held, "array", held))
    for e in sub.edges.values():
        if e.source in ids and e.target in ids:
            eid = doc.new_id("e")
            doc.edges[eid] = EdgeRec(eid, ids[e.source], 0, ids[e.target], e.target_port)
    nested = [groups[g] for g in groups]
    return list(ids.values()), [group, *nested]
