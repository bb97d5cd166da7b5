"""vf.Graph -> ONNX ModelProto: the forward graph, variables as initializers, typed outputs."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..graph.ir import Graph, Value
from ..node import Node
from .errors import OnnxExportError
from .export_ops import EMITTERS
from .types import elem_of


def _host(v: Value) -> np.ndarray[Any, Any]:
    """A variable's or constant's current array on the host."""
    arr = v.tensor.array if v.tensor is not None else v.value
    get = getattr(arr, "get", None)
    return np.asarray(arr.get() if callable(get) and not isinstance(arr, np.ndarray) else arr)


def forward_nodes(g: Graph) -> tuple[list[Node], list[Value]]:
    """The forward nodes the forward outputs need, in order, and those outputs."""
    outs = [v for v in g.outputs if v.node is None or v.node.phase == "forward"]
    if not outs:
        raise OnnxExportError(f"graph {g.name!r} has no forward output to export")
    need: set[int] = set()
    stack = [v for v in outs]
    while stack:
        v = stack.pop()
        if v.node is None or id(v.node) in need:
            continue
        need.add(id(v.node))
        stack.extend(x for x in v.node.inputs if isinstance(x, Value))
    return [n for n in g.nodes if id(n) in need], outs


class Exporter:
    """Collects ONNX nodes and initializers while walking a graph's forward nodes."""

    def __init__(self, g: Graph, opset: int) -> None:
        self.graph = g
        self.opset = opset
        self.names: dict[int, str] = {}
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self.used: set[str] = set()
        self.functions: list[Any] = []
        self.domains: dict[str, int] = {}
        self._count = 0

    # ---- names -----------------------------------------------------------------------------
    def fresh(self, base: str = "t") -> str:
        """A value name not used yet."""
        name = base
        while name in self.used:
            self._count += 1
            name = f"{base}_{self._count}"
        self.used.add(name)
        return name

    def name(self, v: Value) -> str:
        """The ONNX name of a graph value (leaves get theirs when first read)."""
        n = self.names.get(v.uid)
        if n is None:
            if v.kind in ("variable", "constant"):
                n = self.fresh(v.name)
                from onnx import numpy_helper

                self.inits.append(numpy_helper.from_array(_host(v), n))
            else:
                raise OnnxExportError(f"value {v.name!r} is read before it is computed")
            self.names[v.uid] = n
        return n

    def value(self, n: Node) -> Value:
        """The output value of node n."""
        return self.graph.out[n]

    # ---- inputs of one node ----------------------------------------------------------------
    def out_dtype(self, n: Node) -> np.dtype[Any]:
        return np.dtype(self.value(n).dtype)

    def common_dtype(self, n: Node) -> np.dtype[Any]:
        """The dtype both operands of a comparison are cast to (their numpy promotion)."""
        ds = [x.dtype for x in n.inputs if isinstance(x, Value)]
        return np.dtype(np.result_type(*ds)) if ds else np.dtype(np.float32)

    def arg(self, n: Node, i: int, dtype: Any = None) -> str:
        """Input i's ONNX name, cast to dtype if given; a Python literal becomes a constant."""
        x = n.inputs[i]
        if not isinstance(x, Value):
            return self.literal(x, dtype if dtype is not None else self.out_dtype(n))
        name = self.name(x)
        return self.cast_to(name, np.dtype(x.dtype), np.dtype(dtype)) if dtype is not None else name

    def cast_to(self, name: str, have: np.dtype[Any], want: np.dtype[Any]) -> str:
        """name cast from dtype have to want (itself when they agree)."""
        return name if have == want else self.emit("Cast", [name], to=elem_of(want))

    def literal(self, value: Any, dtype: Any) -> str:
        """A constant initializer holding value (in dtype when given)."""
        from onnx import numpy_helper

        arr = np.asarray(value, dtype=dtype) if dtype is not None else np.asarray(value)
        name = self.fresh("const")
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    # ---- nodes -----------------------------------------------------------------------------
    def emit(self, op_type: str, inputs: list[str], **attrs: Any) -> str:
        """Add a node; returns its (fresh) output name."""
        from onnx import helper

        out = self.fresh(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], **attrs))
        return out

    def add_node(self, node: Any, model: Any) -> None:
        """Add an imported node as it is, with the opsets and functions its model declared."""
        self.nodes.append(node)
        for o in model.opset_import:
            if o.domain not in ("", "ai.onnx"):
                self.domains[o.domain] = o.version
        have = {(f.domain, f.name) for f in self.functions}
        self.functions.extend(f for f in model.functions if (f.domain, f.name) not in have)

    def run(self) -> Any:
        """The ModelProto."""
        from onnx import helper

        g = self.graph
        nodes, outs = forward_nodes(g)
        needed = {id(x) for n in nodes for x in n.inputs} | {id(v) for v in outs}
        inputs = [v for v in g.inputs if id(v) in needed]
        for v in inputs:
            self.names[v.uid] = self.fresh(v.name)
        for n in nodes:
            emitter = EMITTERS.get(n.op.name)
            if emitter is None:
                raise OnnxExportError(
                    f"node {n.name!r}: op {n.op.name!r} has no ONNX export (export the forward "
                    "graph of a model; losses and optimizer steps stay in vizflow)"
                )
            out = emitter(self, n)
            self.names[self.value(n).uid] = out
        out_names = []
        for v in outs:
            name = self.name(v)
            if name in out_names or any(i.uid == v.uid for i in inputs) or v.kind != "op":
                name = self.emit("Identity", [name])
            out_names.append(name)
        in_infos = [_info(self.names[v.uid], v, f"{self.names[v.uid]}_d") for v in inputs]
        out_infos = [
            _info(nm, v, f"out{k}_d") for k, (nm, v) in enumerate(zip(out_names, outs, strict=True))
        ]
        graph = helper.make_graph(self.nodes, g.name or "vizflow", in_infos, out_infos, self.inits)
        opsets = [helper.make_opsetid("", self.opset)]
        opsets += [helper.make_opsetid(d, v) for d, v in self.domains.items()]
        model = helper.make_model(graph, opset_imports=opsets, producer_name="vizflow")
        model.functions.extend(self.functions)
        return model


def _info(name: str, v: Value, unknown: str) -> Any:
    """A value info whose dims are ints or names (an unknown dim gets a fresh name)."""
    from onnx import helper

    dims = [d if isinstance(d, (int, str)) else f"{unknown}{i}" for i, d in enumerate(v.shape)]
    return helper.make_tensor_value_info(name, elem_of(v.dtype), dims)
