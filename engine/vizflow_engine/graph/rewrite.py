"""Copy a graph node by node while substituting values: the engine of every pass."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..node import Node
from ..registry import OpDef, TensorSpec
from .dims import infer as infer_spec
from .ir import LITERALS, Graph, Value, named_spec

Rule = Callable[["Rewriter", Node], Any]


class Rewriter:
    """Builds a new Graph from `src`: leaves copied, nodes re-emitted or replaced by a rule."""

    def __init__(self, src: Graph) -> None:
        self.src = src
        self.g = Graph(src.name)
        self.g.refresh = src.refresh
        self.map: dict[int, Any] = {}
        self.node_map: dict[Node, Node] = {}
        for kind in ("inputs", "variables", "constants"):
            for v in getattr(src, kind):
                nv = Value(
                    self.g,
                    v.kind,
                    v.shape,
                    v.dtype,
                    v.device,
                    self.g.unique(v.name),
                    requires_grad=v.requires_grad,
                )
                nv.tensor, nv.value = v.tensor, v.value
                getattr(self.g, kind).append(nv)
                self.map[v.uid] = nv

    def get(self, x: Any) -> Any:
        """The new graph's counterpart of an old input (literals pass through)."""
        if isinstance(x, Value):
            return self.map[x.uid]
        return x

    def emit(
        self,
        node: Node,
        op: OpDef | None = None,
        params: dict[str, Any] | None = None,
        inputs: tuple[Any, ...] | None = None,
        spec: TensorSpec | None = None,
    ) -> Value:
        """Re-emit `node` (optionally with another op/params/inputs), keeping name and origin."""
        old = self.src.out[node]
        ins = tuple(self.get(x) for x in node.inputs) if inputs is None else inputs
        op = op or node.op
        params = dict(node.params) if params is None else params
        if spec is None:
            same = op is node.op and inputs is None and params == node.params
            spec = (
                TensorSpec(old.shape, old.dtype)  # type: ignore[arg-type]
                if same
                else infer_spec(op, tuple(_spec(x) for x in ins), params)
            )
        fwd = self.node_map.get(node.forward_of) if node.forward_of is not None else None
        v = self.g.add_node(
            op,
            params,
            ins,
            spec,
            old.device,
            node.name or op.name,
            node.scope,
            node.phase,
            fwd,
            node.source,
        )
        v.requires_grad = old.requires_grad
        new_node = v.node
        assert new_node is not None
        self.node_map[node] = new_node
        return v

    def constant(self, arr: Any, name: str) -> Value:
        """A new constant in the output graph."""
        return self.g.constant(arr, name)

    def run(self, rule: Rule | None = None) -> Rewriter:
        """Visit nodes in order; rule returns a replacement (Value/literal) or None to copy."""
        for node in self.src.nodes:
            r = rule(self, node) if rule is not None else None
            if r is None:
                r = self.emit(node)
            self.map[self.src.out[node].uid] = r
        return self

    def finish(self) -> Graph:
        """Map outputs and updates, and return the new graph (runs `run()` if not yet run)."""
        if (
            len(self.map)
            == len(self.src.inputs) + len(self.src.variables) + len(self.src.constants)
            and self.src.nodes
        ):
            self.run()
        g = self.g
        for o in self.src.outputs:
            g.outputs.append(self._value(o))
        for var, new in self.src.updates:
            g.updates.append((self.map[var.uid], self._value(new)))
        return g

    def _value(self, x: Any) -> Value:
        """Mapped value; a literal that replaced an output becomes a constant."""
        r = self.get(x)
        if isinstance(r, Value):
            return r
        return self.g.constant(r, "literal")


def _spec(x: Any) -> TensorSpec:
    if isinstance(x, Value):
        return named_spec(x)
    if type(x) in LITERALS:
        return TensorSpec((), type(x))
    raise TypeError(f"bad node input {x!r}")
