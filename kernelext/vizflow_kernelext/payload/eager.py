"""GraphPayload of an eager tensor's recorded history (one node per op and per leaf)."""

from __future__ import annotations

from typing import Any

import numpy as np

from vizflow_engine.tensor import Tensor
from vizflow_kernelext.payload.common import (
    BuiltGraph,
    compact_node,
    op_docs_for,
    op_fields,
)
from vizflow_kernelext.protocol import PROTOCOL_VERSION

EAGER_METRICS = [
    {"name": "bytes", "label": "Output size", "unit": "bytes"},
    {"name": "grad_norm", "label": "Gradient norm", "unit": ""},
    {"name": "nan_count", "label": "NaN/Inf present", "unit": "values"},
]


def _key(tensor: Tensor) -> int:
    return id(tensor.node) if tensor.node is not None else id(tensor)


def _collect(root: Tensor) -> list[Tensor]:
    """Tensors of the history in topological order (inputs first), without recursion."""
    order: list[Tensor] = []
    seen: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        tensor, expanded = stack.pop()
        if expanded:
            order.append(tensor)
            continue
        key = _key(tensor)
        if key in seen:
            continue
        seen.add(key)
        stack.append((tensor, True))
        if tensor.node is not None:
            for parent in reversed(tensor.node.inputs):
                if isinstance(parent, Tensor):
                    stack.append((parent, False))
    return order


def _metrics(tensor: Tensor) -> dict[str, float | None]:
    data = tensor.numpy()
    grad = tensor.grad
    nonfinite = int(data.size - np.isfinite(data).sum()) if data.dtype.kind == "f" else 0
    grad_norm = float(np.linalg.norm(grad.numpy().astype(np.float64))) if grad is not None else None
    return {"bytes": float(data.nbytes), "grad_norm": grad_norm, "nan_count": float(nonfinite)}


def build_from_tensor(root: Tensor, title: str | None = None) -> BuiltGraph:
    """Serialise the graph that produced `root`: one node per op and per leaf tensor."""
    tensors = _collect(root)
    ids: dict[int, str] = {}
    built = BuiltGraph(payload={})
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for index, tensor in enumerate(tensors):
        node_id = f"n{index}"
        ids[_key(tensor)] = node_id
        built.values[node_id] = tensor
        record = _leaf_node(tensor) if tensor.node is None else _op_node(tensor, ids)
        record.update(
            id=node_id, metrics=_metrics(tensor), has_value=True, has_grad=tensor.grad is not None
        )
        nodes.append(record)
        for port, parent in enumerate(tensor.node.inputs if tensor.node is not None else ()):
            if isinstance(parent, Tensor):
                edges.append(
                    {
                        "id": f"e{len(edges)}",
                        "source": ids[_key(parent)],
                        "target": node_id,
                        "target_port": port,
                        "shape": [int(d) for d in parent.shape],
                        "dtype": str(parent.dtype),
                    }
                )
    built.payload = {
        "version": PROTOCOL_VERSION,
        "title": title or (root.name or "tensor"),
        "nodes": [compact_node(n) for n in nodes],
        "edges": edges,
        "outputs": [ids[_key(root)]],
        "metrics": EAGER_METRICS,
        "op_docs": op_docs_for(nodes),
    }
    return built


def payload_from_tensor(root: Tensor, title: str | None = None) -> dict[str, Any]:
    """The GraphPayload of `root`'s recorded history."""
    return build_from_tensor(root, title).payload


def _leaf_node(tensor: Tensor) -> dict[str, Any]:
    kind = "parameter" if tensor.requires_grad else "input"
    return {
        "op": kind,
        "name": tensor.name or "",
        "category": "input",
        "shape": [int(d) for d in tensor.shape],
        "dtype": str(tensor.dtype),
        "device": str(tensor.device),
        "scope": "",
        "phase": "input",
        "forward_of": None,
        "params": {},
        "source": None,
    }


def _op_node(tensor: Tensor, ids: dict[int, str]) -> dict[str, Any]:
    node = tensor.node
    assert node is not None
    forward_of = ids.get(id(node.forward_of)) if node.forward_of is not None else None
    name = node.name or tensor.name or ""
    shape = [int(d) for d in tensor.shape]
    return op_fields(node, name, shape, tensor.dtype, tensor.device, forward_of)
