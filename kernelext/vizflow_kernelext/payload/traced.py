"""GraphPayload of a traced or built `vf.Graph`: inputs, variables, constants, op nodes,
and one `assign` node per in-place update (phase "update").

Every update-phase node that writes a variable links to it (`updates`), and a variable only
update nodes read (an optimiser's state, its learning rate) is drawn in the update phase."""

from __future__ import annotations

from typing import Any

from vizflow_engine.graph import Graph, Value
from vizflow_kernelext.payload.common import (
    BuiltGraph,
    SourceLocations,
    compact_node,
    dtype_text,
    holds_nonfinite,
    nonfinite_mark,
    op_docs_for,
    op_fields,
)
from vizflow_kernelext.payload.profile import Profile
from vizflow_kernelext.payload.scopes import place_scopes
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
        "dtype": dtype_text(value.dtype),
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


def _written_variable(value: Any) -> Value | None:
    """The variable an in-place update's target value stands for: the variable itself, or
    the latest of a chain of in-place updates on it (followed through input 0)."""
    while isinstance(value, Value):
        if value.kind == "variable":
            return value
        node = value.node
        if node is None or not _writes(node) or not node.inputs:
            return None
        value = node.inputs[0]
    return None


def _writes(node: Any) -> bool:
    """Whether an op writes its input 0 in place (update ops end in "_"; assign too)."""
    name: str = node.op.name
    return name.endswith("_") or name == "assign"


def _update_phase_state(graph: Graph) -> set[int]:
    """uids of the variables read only by update-phase nodes (optimiser state)."""
    phases: dict[int, set[str]] = {}
    for node in graph.nodes:
        for x in node.inputs:
            if isinstance(x, Value) and x.kind == "variable":
                phases.setdefault(x.uid, set()).add(node.phase)
    for v in graph.outputs:
        phases.setdefault(v.uid, set()).add("output")
    return {uid for uid, seen in phases.items() if seen == {"update"}}


def build_from_graph(
    graph: Graph, title: str | None = None, profile: Profile | None = None
) -> BuiltGraph:
    """Serialise a Graph for the viewer; leaf values become inspectable, and with a profile
    (one stepped run) every node has its time and an inspectable output value. Each node
    whose value is known says whether it holds NaN/Inf it produced or passed on."""
    built = BuiltGraph(payload={})
    ids: dict[int, str] = {}
    node_ids: dict[int, str] = {}
    bad: dict[int, bool] = {}  # uid -> whether the value (when known) holds NaN/Inf
    leaves: dict[str, Any] = {}
    grads: dict[int, str] = {}  # id of a variable's .grad tensor -> the variable's node id
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    sources = SourceLocations()

    def edge(source: Value, target: str, port: int) -> None:
        edges.append(
            {
                "id": f"e{len(edges)}",
                "source": ids[source.uid],
                "target": target,
                "target_port": port,
                "shape": _dims(source),
                "dtype": dtype_text(source.dtype),
            }
        )

    def mark(record: dict[str, Any], value: Value, known: Any, inputs: list[Any]) -> None:
        bad[value.uid] = holds_nonfinite(known)
        ins = (bad.get(x.uid, False) for x in inputs if isinstance(x, Value))
        record["nonfinite"] = nonfinite_mark(bad[value.uid], ins)

    read = {x.uid for n in graph.nodes for x in n.inputs if isinstance(x, Value)}
    read |= {v.uid for v in graph.outputs}
    state = _update_phase_state(graph)
    for value in (*graph.inputs, *graph.variables, *graph.constants):
        if value.kind == "variable" and value.uid not in read:
            continue  # write-only state (a gradient's .grad): its assign node stands for it
        node_id = f"n{len(nodes)}"
        ids[value.uid] = node_id
        record = _leaf(value, node_id)
        if value.uid in state:
            record["phase"] = "update"
        held = _held(value)
        if held is not None:
            built.current.add(node_id)
        elif profile is not None:
            held = profile.inputs.get(value.name) if value.kind == "input" else None
            record["has_value"] = held is not None
        if held is not None:
            built.values[node_id] = held
            mark(record, value, held, [])
        if value.tensor is not None:
            leaves[node_id] = value.tensor
            if value.tensor.grad is not None:
                grads[id(value.tensor.grad)] = node_id
        elif value.kind == "variable":  # a loaded graph's: its layer is found by its name
            leaves[node_id] = value
        nodes.append(record)
    for node in graph.nodes:
        out = graph.out[node]
        node_id = f"n{len(nodes)}"
        ids[out.uid] = node_id
        node_ids[id(node)] = node_id
        forward_of = node_ids.get(id(node.forward_of)) if node.forward_of is not None else None
        record = op_fields(
            node, node.name or out.name, _dims(out), out.dtype, out.device, forward_of, sources
        )
        record.update(id=node_id, metrics={"bytes": _bytes(out)})
        if profile is not None and out.name in profile.seconds:
            record["metrics"]["time"] = profile.seconds[out.name] * 1e6
            built.values[node_id] = profile.outputs[out.name]
            record["has_value"] = True
            mark(record, out, profile.outputs[out.name], list(node.inputs))
        if node.phase == "update" and _writes(node) and node.inputs:
            written = _written_variable(node.inputs[0])
            if written is not None and written.uid in ids:
                record["updates"] = ids[written.uid]
        nodes.append(record)
        for port, parent in enumerate(node.inputs):
            if isinstance(parent, Value) and parent.uid in ids:
                edge(parent, node_id, port)
    for variable, new in graph.updates:
        node_id = f"n{len(nodes)}"
        held = _held(variable)
        writes = ids.get(variable.uid)
        if writes is None and variable.tensor is not None:
            writes = grads.get(id(variable.tensor))  # a .grad: placed by its parameter
        record = {
            "id": node_id,
            "op": "assign",
            "name": f"{variable.name} ←",
            "category": "update",
            "shape": _dims(variable),
            "dtype": dtype_text(variable.dtype),
            "device": str(variable.device),
            "scope": "",
            "phase": "update",
            "forward_of": None,
            "params": {"variable": variable.name},
            "source": None,
            "metrics": {},
            "has_value": held is not None,
            "has_grad": False,
            "updates": writes,
        }
        if held is not None:  # inspecting the update shows the variable's current value
            built.values[node_id] = held
            built.current.add(node_id)
        if new.uid in bad:  # it writes the value of `new`, as the run computed it
            record["nonfinite"] = "passed" if bad[new.uid] else None
        nodes.append(record)
        edge(new, node_id, 0)
    scope_types = place_scopes(nodes, leaves)
    built.payload = {
        "version": PROTOCOL_VERSION,
        "title": title or graph.name,
        "nodes": [compact_node(n) for n in nodes],
        "edges": edges,
        "outputs": [ids[v.uid] for v in graph.outputs if v.uid in ids],
        "metrics": GRAPH_METRICS + ([TIME_METRIC] if profile is not None else []),
        "op_docs": op_docs_for(nodes),
    }
    if scope_types:
        built.payload["scope_types"] = scope_types
    return built
