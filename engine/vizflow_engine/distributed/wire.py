"""A graph as the bytes shipped to workers: graph mode's versioned JSON and its .npz of
arrays (never a pickle), named by a digest so each worker compiles it once."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass

import numpy as np

from ..graph.ir import Graph
from ..graph.serialize import arrays_of, to_json


@dataclass(frozen=True)
class GraphBytes:
    """A serialised graph: JSON text, .npz bytes and the sha256 digest of both."""

    digest: str
    json: bytes
    npz: bytes

    @property
    def nbytes(self) -> int:
        """The size shipped to each worker."""
        return len(self.json) + len(self.npz)


def encode_graph(g: Graph) -> GraphBytes:
    """g as graph mode's file format, in memory."""
    text = json.dumps(to_json(g), separators=(",", ":")).encode()
    buf = io.BytesIO()
    np.savez(buf, **arrays_of(g))  # type: ignore[arg-type]
    return from_parts(text, buf.getvalue())


def from_parts(text: bytes, npz: bytes) -> GraphBytes:
    """GraphBytes of a JSON document and its .npz (their digest computed here)."""
    h = hashlib.sha256(text)
    h.update(b"\0")
    h.update(npz)
    return GraphBytes(h.hexdigest(), text, npz)


def decode_graph(b: GraphBytes) -> Graph:
    """The graph in b, through the validating loader (schema, references, verifier)."""
    from ..graph.load import load_document

    return load_document(b.json, io.BytesIO(b.npz))
