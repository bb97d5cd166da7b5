"""Turn an eager tensor's recorded history into the protocol's GraphPayload."""

from __future__ import annotations

from typing import Any

from vizflow_engine import Tensor
from vizflow_kernelext.protocol import PROTOCOL_VERSION, validate_graph_payload

Payload = dict[str, Any]
_PARAM_SCALARS = (str, int, float, bool, type(None))


def _jsonable_param(value: Any) -> Any:
    """Params become JSON scalars or lists; anything else is shown by its repr."""
    if isinstance(value, _PARAM_SCALARS):
        return value
    if isinstance(value, (tuple, list)) and all(isinstance(v, _PARAM_SCALARS) for v in value):
        return list(value)
    return repr(value)


def _shape(tensor: Tensor) -> list[int]:
    return [int(d) for d in tensor.shape]


def _source(node: Any) -> dict[str, Any] | None:
    src = getattr(node, "source", None)
    if src is None:
        return None
    return {
        "file": str(src.file),
        "line": int(src.line),
        "cell": getattr(src, "cell_id", None),
        "function": getattr(src, "function", None),
    }


def _collect(root: Tensor) -> list[Tensor]:
    """Tensors of the history in topological order (inputs first), without recursion."""
    order: list[Tensor] = []
    seen: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        tensor, expanded = stack.pop()
        key = id(tensor.node) if tensor.node is not None else id(tensor)
        if expanded:
            order.append(tensor)
            continue
        if key in seen:
            continue
        seen.add(key)
        stack.append((tensor, True))
        if tensor.node is not None:
            for parent in reversed(tensor.node.inputs):
                if isinstance(parent, Tensor):
                    stack.append((parent, False))
    return order


def payload_from_tensor(root: Tensor, title: str | None = None) -> Payload:
    """Serialise the graph that produced `root`: one node per op and per leaf tensor."""
    tensors = _collect(root)
    ids: dict[int, str] = {}
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    node_ids_by_node: dict[int, str] = {}
    for index, tensor in enumerate(tensors):
        node = tensor.node
        node_id = f"n{index}"
        ids[id(node) if node is not None else id(tensor)] = node_id
        if node is None:
            nodes.append(_leaf_node(node_id, tensor))
            continue
        node_ids_by_node[id(node)] = node_id
        nodes.append(_op_node(node_id, tensor, node_ids_by_node))
        for port, parent in enumerate(node.inputs):
            if not isinstance(parent, Tensor):
                continue
            source_id = ids[id(parent.node) if parent.node is not None else id(parent)]
            edges.append(
                {
                    "id": f"e{len(edges)}",
                    "source": source_id,
                    "target": node_id,
                    "target_port": port,
                    "shape": _shape(parent),
                    "dtype": str(parent.dtype),
                }
            )
    root_key = id(root.node) if root.node is not None else id(root)
    payload: Payload = {
        "version": PROTOCOL_VERSION,
        "title": title or (root.name or "tensor"),
        "nodes": nodes,
        "edges": edges,
        "outputs": [ids[root_key]],
    }
    validate_graph_payload(payload)
    return payload


def _leaf_node(node_id: str, tensor: Tensor) -> dict[str, Any]:
    kind = "parameter" if tensor.requires_grad else "input"
    return {
        "id": node_id,
        "op": kind,
        "name": tensor.name or "",
        "category": "input",
        "shape": _shape(tensor),
        "dtype": str(tensor.dtype),
        "device": str(tensor.device),
        "scope": "",
        "phase": "input",
        "forward_of": None,
        "params": {},
        "source": None,
    }


def _op_node(node_id: str, tensor: Tensor, known: dict[int, str]) -> dict[str, Any]:
    node = tensor.node
    assert node is not None
    forward_of = getattr(node, "forward_of", None)
    return {
        "id": node_id,
        "op": node.op.name,
        "name": node.name or tensor.name or "",
        "category": node.op.category,
        "shape": _shape(tensor),
        "dtype": str(tensor.dtype),
        "device": str(tensor.device),
        "scope": node.scope or "",
        "phase": node.phase,
        "forward_of": known.get(id(forward_of)) if forward_of is not None else None,
        "params": {k: _jsonable_param(v) for k, v in node.params.items()},
        "source": _source(node),
    }
