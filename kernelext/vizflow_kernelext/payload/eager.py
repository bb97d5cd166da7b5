"""GraphPayload of an eager tensor's recorded history (one node per op and per leaf)."""

from __future__ import annotations

from typing import Any

import numpy as np

from vizflow_engine.tensor import Tensor
from vizflow_kernelext.payload.common import (
    BuiltGraph,
    SourceLocations,
    compact_node,
    dtype_text,
    nonfinite_mark,
    op_docs_for,
    op_fields,
)
from vizflow_kernelext.payload.scopes import place_scopes
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


def _metrics(tensor: Tensor) -> tuple[dict[str, float | None], bool]:
    """The node's metrics, and whether its value holds NaN/Inf."""
    data = tensor.numpy()
    grad = tensor.grad
    nonfinite = int(data.size - np.isfinite(data).sum()) if data.dtype.kind in "fc" else 0
    grad_norm = float(np.linalg.norm(grad.numpy().astype(np.float64))) if grad is not None else None
    metrics = {"bytes": float(data.nbytes), "grad_norm": grad_norm, "nan_count": float(nonfinite)}
    return metrics, nonfinite > 0


def build_from_tensor(root: Tensor, title: str | None = None) -> BuiltGraph:
    """Serialise the graph that produced `root`: one node per op and per leaf tensor."""
    tensors = _collect(root)
    ids: dict[int, str] = {}
    bad: dict[int, bool] = {}  # key -> whether the tensor holds NaN/Inf
    leaves: dict[str, Tensor] = {}
    built = BuiltGraph(payload={})
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    sources = SourceLocations()
    for index, tensor in enumerate(tensors):
        node_id = f"n{index}"
        key = _key(tensor)
        ids[key] = node_id
        built.values[node_id] = tensor
        parents = [p for p in tensor.node.inputs if isinstance(p, Tensor)] if tensor.node else []
        if tensor.node is None:
            record = _leaf_node(tensor)
            leaves[node_id] = tensor
            built.current.add(node_id)
        else:
            record = _op_node(tensor, ids, sources)
        metrics, bad[key] = _metrics(tensor)
        record.update(
            id=node_id,
            metrics=metrics,
            has_value=True,
            has_grad=tensor.grad is not None,
            nonfinite=nonfinite_mark(bad[key], (bad[_key(p)] for p in parents)),
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
                        "dtype": dtype_text(parent.dtype),
                    }
                )
    scope_types = place_scopes(nodes, leaves)
    built.payload = {
        "version": PROTOCOL_VERSION,
        "title": title or (root.name or "tensor"),
        "nodes": [compact_node(n) for n in nodes],
        "edges": edges,
        "outputs": [ids[_key(root)]],
        "metrics": EAGER_METRICS,
        "op_docs": op_docs_for(nodes),
    }
    if scope_types:
        built.payload["scope_types"] = scope_types
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
        "dtype": dtype_text(tensor.dtype),
        "device": str(tensor.device),
        "scope": "",
        "phase": "input",
        "forward_of": None,
        "params": {},
        "source": None,
    }


def _op_node(tensor: Tensor, ids: dict[int, str], sources: SourceLocations) -> dict[str, Any]:
    node = tensor.node
    assert node is not None
    forward_of = ids.get(id(node.forward_of)) if node.forward_of is not None else None
    name = node.name or tensor.name or ""
    shape = [int(d) for d in tensor.shape]
    return op_fields(node, name, shape, tensor.dtype, tensor.device, forward_of, sources)
