"""vf.record(): record eager code's ops on a tape, then replay them in a debug session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..dispatch import record_tape
from ..graph.autodiff import grad_graph
from ..graph.ir import LITERALS, Graph, Value
from ..nn import Module
from ..registry import TensorSpec
from ..tensor import Tensor
from .history import DEFAULT_MAX_VALUES
from .session import DebugSession


class Recording:
    """The tensors eager ops made inside `with vf.record() as rec:` (in order), and the
    values of the leaves they read, copied when first seen at the end of the block."""

    def __init__(self) -> None:
        self.tape: list[Tensor] = []
        self._leaves: dict[int, Any] = {}

    def graph(self, loss: Tensor | None = None) -> Graph:
        """The recorded ops as a Graph: leaves that require grad become variables (holding
        copies, so a replay never changes the model), other leaves constants; its outputs are
        loss (if given) then every recorded tensor no later op read."""
        g = Graph("recording")
        done: dict[int, Value] = {}
        read: set[int] = set()
        for t in self.tape:
            node = t.node
            if node is None:
                continue
            ins: list[Any] = []
            for x in node.inputs:
                if isinstance(x, Tensor):
                    read.add(id(x))
                    known = done.get(id(x))
                    ins.append(self._leaf(g, x, done) if known is None else known)
                elif type(x) in LITERALS:
                    ins.append(x)
                else:
                    ins.append(g.constant(x))
            spec = TensorSpec(tuple(t.array.shape), t.array.dtype)
            v = g.add_node(
                node.op,
                dict(node.params),
                tuple(ins),
                spec,
                t.device,
                node.name or node.op.name,
                node.scope,
                node.phase,
                None,
                node.source,
            )
            v.requires_grad = t.requires_grad
            done[id(t)] = v
        if loss is not None:
            if id(loss) not in done:
                raise ValueError("the loss given was not computed inside this recording")
            g.output(done[id(loss)])
        seen = {id(loss)} if loss is not None else set()
        for t in self.tape:
            if t.node is not None and id(t) not in read and id(t) not in seen:
                g.output(done[id(t)])
        return g

    def _leaf(self, g: Graph, x: Tensor, done: dict[int, Value]) -> Value:
        arr = self._leaves.get(id(x), np.array(x.array, copy=True))
        name = x.name or ("param" if x.requires_grad else "const")
        v = g.variable(name, arr) if x.requires_grad else g.constant(arr, name)
        done[id(x)] = v
        return v

    def snapshot_leaves(self) -> None:
        """Copy the arrays of every leaf the tape read, before later code changes them."""
        produced = {id(t) for t in self.tape}
        for t in self.tape:
            if t.node is None:
                continue
            for x in t.node.inputs:
                if isinstance(x, Tensor) and id(x) not in produced and id(x) not in self._leaves:
                    self._leaves[id(x)] = np.array(x.array, copy=True)

    def debug(
        self,
        loss: Tensor | None = None,
        max_values: int = DEFAULT_MAX_VALUES,
        max_bytes: int | None = None,
    ) -> DebugSession:
        """A debug session replaying the recording node by node; given the loss, the backward
        pass (gradients of every variable) follows the forward as in a traced step."""
        g = self.graph(loss)
        if loss is not None and any(v.requires_grad for v in g.variables):
            g = grad_graph(g)
        return DebugSession(g, (), max_values, max_bytes)


@contextmanager
def record(*state: Module | Tensor) -> Iterator[Recording]:
    """Record every eager op inside (with or without grad) for a later rec.debug() replay.

    Leaves are copied at the end of the block; pass the modules or tensors the block updates
    (vf.record(model) around a training step) to copy theirs at the start instead, so the
    replay reads the values the ops read, not the values after opt.step().
    """
    rec = Recording()
    for item in state:
        for t in item.parameters() if isinstance(item, Module) else [item]:
            rec._leaves[id(t)] = np.array(t.array, copy=True)
    with record_tape() as tape:
        rec.tape = tape
        yield rec
    rec.snapshot_leaves()
