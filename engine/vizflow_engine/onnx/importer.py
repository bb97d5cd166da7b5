"""ONNX ModelProto -> vf.Graph: initializers, typed placeholders, converted or fallback nodes."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..graph.ir import Graph, Value
from .context import NodeContext, Unsupported
from .control import CONTROL
from .errors import OnnxFormatError
from .fallback import fallback_node, one_node_model
from .import_ops import CONVERTERS
from .node_op import ONNX_NODE
from .types import dtype_of, elem_type_of, shape_of

MIN_OPSET = 13  # older models are converted up first (Softmax, Squeeze, Split changed at 13)
_RANDOM = {
    "RandomNormal",
    "RandomUniform",
    "RandomNormalLike",
    "RandomUniformLike",
    "Bernoulli",
    "Multinomial",
}


class Importer:
    """Builds a Graph from a checked, shape-inferred model, one ONNX node at a time."""

    def __init__(self, model: Any, strict: bool = False) -> None:
        self.model = model
        self.strict = strict
        self.opset = next(
            (o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), MIN_OPSET
        )
        self.types: dict[str, Any] = {}
        self._collect_types(model.graph)
        self.graph = Graph(model.graph.name or "onnx")
        self.fallbacks: dict[str, str] = {}  # node name -> why it runs in onnx's evaluator

    def _collect_types(self, g: Any) -> None:
        """Every declared or inferred value type, in the graph and its subgraphs."""
        stack = [g]
        while stack:
            cur = stack.pop()
            for vi in (*cur.input, *cur.output, *cur.value_info):
                if vi.type.HasField("tensor_type"):
                    self.types[vi.name] = vi.type
            for n in cur.node:
                for a in n.attribute:
                    if a.HasField("g"):
                        stack.append(a.g)
                    stack.extend(a.graphs)

    def build(self) -> Graph:
        """The whole graph: variables, placeholders, nodes in order, outputs."""
        g, mg = self.graph, self.model.graph
        vals: dict[str, Value] = {}
        inits = {t.name for t in mg.initializer}
        for inp in mg.input:
            if inp.name not in inits:
                vals[inp.name] = self._placeholder(inp)
        self._initializers(mg.initializer, vals)
        self.convert_nodes(mg.node, vals)
        for o in mg.output:
            if o.name not in vals:
                raise OnnxFormatError(f"graph output {o.name!r} is computed by no node")
            g.output(vals[o.name])
        return g

    def _placeholder(self, vi: Any) -> Value:
        dt = dtype_of(elem_type_of(vi.type))
        shape = shape_of(vi.type)
        if dt is None or shape is None:
            raise OnnxFormatError(
                f"graph input {vi.name!r}: vizflow needs a tensor of a numeric type and known "
                "rank (optional, sequence, map, string and bfloat16 inputs are not supported)"
            )
        return self.graph.placeholder(vi.name, shape, dt)

    def _initializers(self, tensors: Any, vals: MutableMapping[str, Value]) -> None:
        """Float initializers become variables (trainable weights); others constants."""
        from onnx import numpy_helper

        for t in tensors:
            arr = np.array(numpy_helper.to_array(t))  # a writable copy (training updates it)
            if dtype_of(int(t.data_type)) is None:
                raise OnnxFormatError(
                    f"initializer {t.name!r}: element type {t.data_type} is "
                    "not supported by vizflow"
                )
            if arr.dtype.kind == "f":
                vals[t.name] = self.graph.variable(t.name, arr)
            else:
                vals[t.name] = self.graph.constant(arr, t.name)

    def convert_nodes(self, nodes: Any, vals: MutableMapping[str, Value]) -> None:
        """Convert nodes in order (ONNX requires topological order), filling vals."""
        for i, node in enumerate(nodes):
            outs = self.convert(node, vals, i)
            for name, v in zip(node.output, outs, strict=False):
                if name and v is not None:
                    vals[name] = v

    def convert(
        self, node: Any, vals: MutableMapping[str, Value], index: int
    ) -> list[Value | None]:
        """One node's outputs: folded to a constant, converted, or run by the fallback."""
        missing = [n for n in node.input if n and n not in vals]
        if missing:
            raise OnnxFormatError(
                f"node {node.name or node.op_type!r} reads {missing[0]!r}, "
                "which no earlier node or input defines"
            )
        ins = [vals[n] if n else None for n in node.input]
        label = node.name.strip("/") or f"{node.op_type}_{index}"  # torch names: /block/Conv
        g = self.graph
        mark = (len(g.nodes), len(g.constants))
        outs: list[Value | None] | None = None
        done = self._try_fold(node, ins, vals) or self._try_convert(node, ins, vals, label)
        if done is None:
            self._rollback(mark)
            outs = fallback_node(self, node, ins, vals, label)
        else:
            outs = list(done)
        self._label(node, outs, label, mark[0])
        return outs

    def _try_fold(self, node: Any, ins: list[Value | None], vals: Any) -> list[Value] | None:
        """A node whose inputs are all constants becomes constants (computed by onnx)."""
        static = all(v is None or v.kind == "constant" for v in ins)
        if not static or node.op_type in _RANDOM or any(a.HasField("g") for a in node.attribute):
            return None
        if not ins and node.op_type != "Constant":
            return None
        from onnx.reference import ReferenceEvaluator

        try:
            model = one_node_model(self, node, ins, {})
            sess = ReferenceEvaluator(model)
            feeds = {n: np.asarray(v.value) for n, v in zip(node.input, ins, strict=True) if v}
            res = sess.run(None, feeds)
        except Exception:  # onnx raises many types; the node is then converted
            return None
        outs = []
        for name, r in zip(node.output, res, strict=False):
            arr = np.asarray(r)
            if dtype_of_array(arr) is None:
                return None
            outs.append(self.graph.constant(arr, name or "const"))
        return outs

    def _try_convert(
        self, node: Any, ins: list[Value | None], vals: Any, label: str
    ) -> list[Value] | None:
        if node.domain not in ("", "ai.onnx"):
            self.fallbacks[label] = f"domain {node.domain!r}"
            return None
        conv = CONTROL.get(node.op_type)
        if conv is not None:
            try:
                return conv(self, node, ins, vals, label)
            except Unsupported as exc:
                self.fallbacks[label] = str(exc)
                return None
        fn = CONVERTERS.get(node.op_type)
        if fn is None:
            self.fallbacks[label] = f"no vizflow op for {node.op_type}"
            return None
        try:
            outs = list(fn(NodeContext(self.graph, node, ins, self.opset)))
        except (Unsupported, ShapeError, ValueError, TypeError, IndexError) as exc:
            self.fallbacks[label] = f"{type(exc).__name__}: {exc}"
            return None
        if not self._types_match(node, outs):
            self.fallbacks[label] = "converted output types differ from ONNX's"
            return None
        return outs

    def _types_match(self, node: Any, outs: list[Value]) -> bool:
        """Each converted output has the dtype (and known dims) ONNX inference gave."""
        if len(outs) < len([o for o in node.output if o]):
            return False
        for name, v in zip(node.output, outs, strict=False):
            t = self.types.get(name)
            if not name or t is None:
                continue
            dt = dtype_of(elem_type_of(t))
            shape = shape_of(t)
            if dt is not None and dt != v.dtype:
                return False
            if shape is not None and (
                len(shape) != len(v.shape)
                or any(
                    isinstance(a, int) and isinstance(b, int) and a != b
                    for a, b in zip(shape, v.shape, strict=True)
                )
            ):
                return False
        return True

    def _rollback(self, mark: tuple[int, int]) -> None:
        """Drop what a failed converter added."""
        g = self.graph
        for n in g.nodes[mark[0] :]:
            g.out.pop(n, None)
        del g.nodes[mark[0] :]
        del g.constants[mark[1] :]

    def _label(self, node: Any, outs: list[Value | None], label: str, first: int) -> None:
        """Name outputs after the ONNX values; a node that became several shares a scope."""
        g = self.graph
        made = g.nodes[first:]
        if len(made) > 1:
            for n in made:
                n.scope = f"{label}/{n.scope}" if n.scope else label
        for name, v in zip(node.output, outs, strict=False):
            if v is None or not name or v.node is None or v.node.op is ONNX_NODE:
                continue
            if any(v.node is m for m in made):
                v.name = v.node.name = g.unique(name)


def dtype_of_array(arr: np.ndarray[Any, Any]) -> Any:
    """The array's dtype if vizflow supports it, else None."""
    from .types import DTYPE_TO_ELEM

    return arr.dtype if str(arr.dtype) in DTYPE_TO_ELEM else None
