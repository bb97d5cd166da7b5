"""A graph as the bytes shipped to workers: graph mode's versioned JSON and its .npz of
arrays (never a pickle), named by a digest so each worker compiles it once.

The file format holds every value on the cpu (its arrays live in the .npz), so a GPU graph
travels as its cpu twin plus the name of its device, and the worker places it there."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass

import numpy as np

from ..backend import CPU, get_device, to_device
from ..graph.ir import Graph
from ..graph.serialize import arrays_of, to_json


@dataclass(frozen=True)
class GraphBytes:
    """A serialised graph: JSON text, .npz bytes, the device it runs on, and their digest."""

    digest: str
    json: bytes
    npz: bytes
    device: str = "cpu"

    @property
    def nbytes(self) -> int:
        """The size shipped to each worker."""
        return len(self.json) + len(self.npz)


def encode_graph(g: Graph) -> GraphBytes:
    """g as graph mode's file format, in memory, with its device named beside it."""
    dev = next((v.device for v in [*g.inputs, *g.variables] if v.device is not CPU), CPU)
    doc = to_json(g)
    for d in doc["values"]:
        d["device"] = CPU.name
    for n in doc["nodes"]:
        n["output"]["device"] = CPU.name
    text = json.dumps(doc, separators=(",", ":")).encode()
    buf = io.BytesIO()
    np.savez(buf, **arrays_of(g))  # type: ignore[arg-type]
    return from_parts(text, buf.getvalue(), dev.name)


def from_parts(text: bytes, npz: bytes, device: str = "cpu") -> GraphBytes:
    """GraphBytes of a JSON document, its .npz and a device name (their digest computed here)."""
    h = hashlib.sha256(text)
    for part in (npz, device.encode()):
        h.update(b"\0")
        h.update(part)
    return GraphBytes(h.hexdigest(), text, npz, device)


def decode_graph(b: GraphBytes) -> Graph:
    """The graph in b, through the validating loader (schema, references, verifier), placed on
    b's device (a GPU graph's values on the GPU)."""
    from ..graph.load import load_document

    g = load_document(b.json, io.BytesIO(b.npz))
    dev = get_device(b.device)
    if dev is not CPU:
        for v in g.all_values():
            if v.kind in ("variable", "constant"):
                v.value = to_device(v.value, dev)
            v.device = dev
    return g
