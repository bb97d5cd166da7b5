"""Nodes vizflow has no op for: a one-node ONNX model run by onnx's ReferenceEvaluator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..backend import CPU
from ..graph.ir import Value
from ..registry import TensorSpec
from .errors import OnnxFormatError
from .node_op import ONNX_NODE
from .types import dtype_of, elem_of, elem_type_of, shape_of

if TYPE_CHECKING:
    from .importer import Importer


def _value_info(name: str, v: Value) -> Any:
    from onnx import helper

    dims = [d if isinstance(d, (int, str)) else None for d in v.shape]
    return helper.make_tensor_value_info(name, elem_of(v.dtype), dims)


def outer_names(node: Any) -> list[str]:
    """Names a node's subgraphs read from the enclosing scope (their implicit inputs)."""
    seen: list[str] = []
    stack = [a.g for a in node.attribute if a.HasField("g")]
    stack += [g for a in node.attribute for g in a.graphs]
    defined: set[str] = set()
    while stack:
        g = stack.pop()
        defined.update(i.name for i in g.input)
        defined.update(t.name for t in g.initializer)
        for n in g.node:
            defined.update(n.output)
        for n in g.node:
            for name in n.input:
                if name and name not in defined and name not in seen:
                    seen.append(name)
            stack.extend(a.g for a in n.attribute if a.HasField("g"))
            stack.extend(sg for a in n.attribute for sg in a.graphs)
    return [n for n in seen if n not in defined]


def one_node_model(
    imp: Importer, node: Any, ins: list[Value | None], outer: Mapping[str, Value]
) -> Any:
    """A model of this node alone: its inputs (and subgraphs' outer reads) as typed inputs."""
    from onnx import helper

    names: list[str] = []
    infos = []
    for name, v in [*zip(node.input, ins, strict=True), *((n, outer[n]) for n in outer)]:
        if name and v is not None and name not in names:
            names.append(name)
            infos.append(_value_info(name, v))
    outs = [helper.make_empty_tensor_value_info(o) for o in node.output if o]
    graph = helper.make_graph([node], f"{node.op_type}_node", infos, outs)
    m = imp.model
    model = helper.make_model(graph, opset_imports=list(m.opset_import))
    model.ir_version = m.ir_version
    model.functions.extend(m.functions)
    return model


def fallback_node(
    imp: Importer, node: Any, ins: list[Value | None], vals: Mapping[str, Value], label: str
) -> list[Value | None]:
    """One onnx_node per output, each running the whole ONNX node and taking its output."""
    import onnx

    outer = {n: vals[n] for n in outer_names(node) if n in vals}
    model = one_node_model(imp, node, ins, outer)
    inferred = _infer(onnx, model)
    data = np.frombuffer(model.SerializeToString(), dtype=np.uint8).copy()
    inputs = tuple(v for v in _unique_inputs(node, ins, outer))
    g = imp.graph
    outs: list[Value | None] = []
    k = -1  # the output's index among the one-node model's outputs (omitted ones left out)
    for name in node.output:
        if not name:
            outs.append(None)
            continue
        k += 1
        dt, shape = _typed(inferred.get(name), imp.types.get(name))
        if dt is None or shape is None:
            why = imp.fallbacks.get(label, "")
            raise OnnxFormatError(
                f"node {label!r} ({node.op_type}) runs in onnx's evaluator ({why}), and ONNX "
                f"shape inference gives no tensor type and rank for its output {name!r}"
            )
        params = {
            "model": data,
            "op_type": node.op_type,
            "output": k,
            "out_shape": shape,
            "in_shapes": tuple(v.shape for v in inputs),
            "dtype": dt,
        }
        spec = TensorSpec(tuple(d if isinstance(d, int) else None for d in shape), dt)
        dev = next((v.device for v in inputs), CPU)
        v = g.add_node(ONNX_NODE, params, inputs, spec, dev, name)
        v.shape = shape
        outs.append(v)
    return outs


def _typed(*types: Any) -> tuple[Any, Any]:
    """(dtype, shape) of the first type that gives both (None, None) if none does."""
    for t in types:
        if t is None:
            continue
        dt, shape = dtype_of(elem_type_of(t)), shape_of(t)
        if dt is not None and shape is not None:
            return dt, shape
    return None, None


def _unique_inputs(node: Any, ins: list[Value | None], outer: Mapping[str, Value]) -> list[Value]:
    """The node's inputs in the one-node model's input order (each name once)."""
    seen: set[str] = set()
    out: list[Value] = []
    for name, v in [*zip(node.input, ins, strict=True), *outer.items()]:
        if name and v is not None and name not in seen:
            seen.add(name)
            out.append(v)
    return out


def _infer(onnx: Any, model: Any) -> dict[str, Any]:
    """Output types of the one-node model by ONNX shape inference (empty if it fails)."""
    try:
        inf = onnx.shape_inference.infer_shapes(model, data_prop=True)
    except Exception:  # inference of an unknown op may fail; types may come from the model
        return {}
    return {
        vi.name: vi.type
        for vi in (*inf.graph.output, *inf.graph.value_info)
        if vi.type.HasField("tensor_type") and vi.type.tensor_type.elem_type
    }
