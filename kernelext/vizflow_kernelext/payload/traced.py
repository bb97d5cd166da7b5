"""GraphPayload of a traced or built `vf.Graph`: inputs, variables, constants, op nodes,
and one `assign` node per in-place update (phase "update")."""

from __future__ import annotations

from typing import Any

from vizflow_engine.graph import Graph, Value
from vizflow_kernelext.payload.common import (
    BuiltGraph,
    compact_node,
    op_docs_for,
    op_fields,
)
from vizflow_kernelext.payload.profile import Profile
from vizflow_kernelext.protocol import PROTOCOL_VERSION

_LEAF_OPS = {"input": "placeholder", "variable": "variable", "constant": "constant"}
GRAPH_METRICS = [{"name": "bytes", "label": "Output size", "unit": "bytes"}]
TIME_METRIC = {"name": "time", "label": "Time", "unit": "µs"}


def _dims(value: Value) -> list[int | str | None]:
    return [d if isinstance(d, (int, str)) or d is None else str(d) for d in value.shape]


def _bytes(value: Value) -> float | None:
    count = 1
    for d in value.shape:
        if not isinstance(d, int):
            return None  # a symbolic or unknown dim: the size is not known yet
        count *= d
    return float(count * value.dtype.itemsize)


def _leaf(value: Value, node_id: str) -> dict[str, Any]:
    return {
        "id": node_id,
        "op": _LEAF_OPS.get(value.kind, value.kind),
        "name": value.name,
        "category": "input",
        "shape": _dims(value),
        "dtype": str(value.dtype),
        "device": str(value.device),
        "scope": "",
        "phase": "input",
        "forward_of": None,
        "params": {},
        "source": None,
        "metrics": {"bytes": _bytes(value)},
        "has_value": _held(value) is not None,
        "has_grad": False,
    }


def _held(value: Value) -> Any:
    """The array a leaf holds now (a variable's live tensor, or a constant's array)."""
    if value.tensor is not None:
        return value.tensor
    return value.value


def build_from_graph(
    graph: Graph, title: str | None = None, profile: Profile | None = None
) -> BuiltGraph:
    """Serialise a Graph for the viewer; leaf values become inspectable, and with a profile
    (one stepped run) every node has its time and an inspectable output value."""
    built = BuiltGraph(payload={})
    ids: dict[int, str] = {}
    node_ids: dict[int, str] = {}
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []

    def edge(source: Value, target: str, port: int) -> None:
        edges.append(
            {
                "id": f"e{len(edges)}",
                "source": ids[source.uid],
                "target": target,
                "target_port": port,
                "shape": _dims(source),
                "dtype": str(source.dtype),
            }
        )

    read = {x.uid for n in graph.nodes for x in n.inputs if isinstance(x, Value)}
    read |= {v.uid for v in graph.outputs}
    for value in (*graph.inputs, *graph.variables, *graph.constants):
        if value.kind == "variable" and value.uid not in read:
            continue  # write-only state (a gradient's .grad): its assign node stands for it
        node_id = f"n{len(nodes)}"
        ids[value.uid] = node_id
        nodes.append(_leaf(value, node_id))
        if (held := _held(value)) is not None:
            built.values[node_id] = held
    for node in graph.nodes:
        out = graph.out[node]
        node_id = f"n{len(nodes)}"
        ids[out.uid] = node_id
        node_ids[id(node)] = node_id
        forward_of = node_ids.get(id(node.forward_of)) if node.forward_of is not None else None
        record = op_fields(
            node, node.name or out.name, _dims(out), out.dtype, out.device, forward_of
        )
        record.update(id=node_id, metrics={"bytes": _bytes(out)})
        if profile is not None and out.name in profile.seconds:
            record["metrics"]["time"] = profile.seconds[out.name] * 1e6
            built.values[node_id] = profile.outputs[out.name]
            record["has_value"] = True
        nodes.append(record)
        for port, parent in enumerate(node.inputs):
            if isinstance(parent, Value) and parent.uid in ids:
                edge(parent, node_id, port)
    for variable, new in graph.updates:
        node_id = f"n{len(nodes)}"
        nodes.append(
            {
                "id": node_id,
                "op": "assign",
                "name": f"{variable.name} ←",
                "category": "update",
                "shape": _dims(variable),
                "dtype": str(variable.dtype),
                "device": str(variable.device),
                "scope": "",
                "phase": "update",
                "forward_of": None,
                "params": {"variable": variable.name},
                "source": None,
                "metrics": {},
                "has_value": (held := _held(variable)) is not None,
                "has_grad": False,
            }
        )
        if held is not None:  # inspecting the update shows the variable's current value
            built.values[node_id] = held
        edge(new, node_id, 0)
    built.payload = {
        "version": PROTOCOL_VERSION,
        "title": title or graph.name,
        "nodes": [compact_node(n) for n in nodes],
        "edges": edges,
        "outputs": [ids[v.uid] for v in graph.outputs if v.uid in ids],
        "metrics": GRAPH_METRICS + ([TIME_METRIC] if profile is not None else []),
        "op_docs": op_docs_for(nodes),
    }
    return built
