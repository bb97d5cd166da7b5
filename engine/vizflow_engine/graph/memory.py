"""Memory plan: liveness, buffer reuse, in-place writes and a peak-memory estimate in bytes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..node import Node
from .graph_ops import mutates
from .ir import Graph, Value
from .op_sets import REDUCE_OUT, UFUNC_NAMES

# ops whose kernel returns a view of input 0 (no new memory; input stays alive while used)
VIEW_OPS = frozenset({"reshape", "transpose", "expand", "squeeze", "unsqueeze", "stop_gradient"})
# ops whose numpy kernel accepts out= (ufunc-like); in-place is safe only for ELEMENTWISE_OUT
ELEMENTWISE_OUT = frozenset(UFUNC_NAMES.keys() - {"matmul"}) | {"fused"}
OUT_OPS = ELEMENTWISE_OUT | {"matmul"} | REDUCE_OUT


def nbytes(v: Value) -> int:
    """Bytes of a value with known shape."""
    n = 1
    for d in v.shape:
        if not isinstance(d, int):
            raise ValueError(f"value {v.name} has unknown dims {v.shape}; specialise first")
        n *= d
    return n * v.dtype.itemsize


@dataclass
class MemoryPlan:
    """Where each node writes: a reused buffer, an input's buffer (in place), or fresh memory.

    buffer_of[uid] = buffer index; inplace[uid] = uid of the value whose memory is reused;
    var_inplace[uid] = the variable written in place by an update; peak_bytes the estimate.
    """

    buffers: list[tuple[int, np.dtype[Any]]] = field(default_factory=list)  # (nbytes, dtype)
    buffer_of: dict[int, int] = field(default_factory=dict)
    inplace: dict[int, int] = field(default_factory=dict)
    var_inplace: dict[int, Value] = field(default_factory=dict)
    alias_of: dict[int, int] = field(default_factory=dict)
    last_use: dict[int, int] = field(default_factory=dict)
    buffer_bytes: int = 0
    transient_peak: int = 0
    naive_bytes: int = 0

    @property
    def peak_bytes(self) -> int:
        """Estimated peak bytes the plan allocates: buffers plus the allocating kernels' peak."""
        return self.buffer_bytes + self.transient_peak

    def report(self) -> str:
        """One line for people."""
        return (
            f"{len(self.buffers)} buffers, {self.buffer_bytes} B preallocated, peak "
            f"≈ {self.peak_bytes} B (without reuse: {self.naive_bytes} B)"
        )


def plan_memory(
    g: Graph,
    groups: list[list[Node]] | None = None,
    reuse: bool = True,
    preallocate: bool = True,
    can_out: Callable[[Node], bool] | None = None,
) -> MemoryPlan:
    """Liveness over `groups` (nodes that may run together), then buffer assignment.

    A buffer freed in group k is reused from group k+1 on, so concurrent nodes never share.
    """
    if groups is None:
        groups = [[n] for n in g.nodes]
    if can_out is None:
        can_out = _default_can_out
    mp = MemoryPlan()
    out = g.out
    step: dict[Node, int] = {}
    for k, grp in enumerate(groups):
        for n in grp:
            step[n] = k
    root: dict[int, int] = {}

    def rt(v: Value) -> int:
        return root.get(v.uid, v.uid)

    for n in g.nodes:
        if is_alias(n) and isinstance(n.inputs[0], Value):
            root[out[n].uid] = rt(n.inputs[0])
    mp.alias_of = dict(root)
    end = len(groups) + 1
    last: dict[int, int] = {}
    readers: dict[int, list[Node]] = {}
    for n in g.nodes:
        for x in n.inputs:
            if isinstance(x, Value):
                r = rt(x)
                last[r] = max(last.get(r, -1), step[n])
                readers.setdefault(r, []).append(n)
    pinned = {rt(v) for v in g.outputs}
    for _var, new in g.updates:
        pinned.add(rt(new))
    for r in pinned:
        last[r] = end
    mp.last_use = last
    by_value: dict[int, Value] = {v.uid: v for v in g.all_values()}
    update_of = {new.uid: var for var, new in g.updates if new.node is not None}

    free: dict[tuple[int, str], list[int]] = {}
    owned: dict[int, int] = {}  # root uid -> buffer
    live_transient = 0
    for k, grp in enumerate(groups):
        scratch = 0  # numpy's buffers of the group's nodes so far (they may run together)
        for n in grp:
            v = out[n]
            name = n.op.name
            if is_alias(n):
                continue
            size = nbytes(v)
            mp.naive_bytes += size
            scratch += ufunc_scratch(n, v)
            mp.transient_peak = max(mp.transient_peak, live_transient + scratch)
            var: Value | None = update_of.get(v.uid)
            if (
                var is not None
                and name in ELEMENTWISE_OUT
                and can_out(n)
                and (only_first_step(n, var) or only_last_step(n, var))
                and _can_overwrite(n, var, v, rt, last, step, readers)
            ):
                mp.var_inplace[v.uid] = var
                continue
            if var is not None and can_out(n) and _can_write_fresh(n, var, v, rt, last, step):
                mp.var_inplace[v.uid] = var
                continue
            if v.uid in pinned or not can_out(n) or not preallocate:
                live_transient += size
                mp.transient_peak = max(mp.transient_peak, live_transient + scratch)
                continue
            done = False
            if name in ELEMENTWISE_OUT and reuse:
                for x in n.inputs:
                    if not isinstance(x, Value) or x.uid in root or x.uid not in owned:
                        continue
                    if (
                        only_first_step(n, x)
                        and x.shape == v.shape
                        and x.dtype == v.dtype
                        and last.get(x.uid) == k
                        and sum(1 for m in readers[x.uid] if step[m] == k) == 1
                        and sum(1 for m in readers[x.uid] if m is n) == 1
                    ):
                        owned[v.uid] = owned[x.uid]
                        mp.buffer_of[v.uid] = owned[x.uid]
                        mp.inplace[v.uid] = x.uid
                        done = True
                        break
            if done:
                continue
            key = (size, v.dtype.str)
            pool = free.get(key)
            if reuse and pool:
                b = pool.pop()
            else:
                b = len(mp.buffers)
                mp.buffers.append((size, v.dtype))
                mp.buffer_bytes += size
            owned[v.uid] = b
            mp.buffer_of[v.uid] = b
        # release what died in this group
        for n in grp:
            for x in n.inputs:
                if not isinstance(x, Value):
                    continue
                r = rt(x)
                if last.get(r) != k:
                    continue
                last[r] = -2  # released once
                if r in owned:
                    b = owned.pop(r)
                    if b not in owned.values():
                        size, dt = mp.buffers[b]
                        free.setdefault((size, dt.str), []).append(b)
                else:
                    rv = by_value.get(r)
                    if (
                        rv is not None
                        and rv.node is not None
                        and not is_alias(rv.node)
                        and r not in mp.var_inplace
                        and rv.uid not in pinned
                    ):
                        live_transient -= nbytes(rv)
    mp.last_use = {**mp.last_use}
    for r in pinned:
        mp.last_use[r] = end
    return mp


def ufunc_scratch(n: Node, v: Value) -> int:
    """Bytes numpy allocates while n's ufuncs run: a buffer of np.getbufsize() elements (at
    most the output's size) for each broadcast or strided-view operand it copies in chunks."""
    if n.op.name == "fused":
        steps = [
            [n.inputs[r[1]] for r in refs if _is_input(r)] for _, _, refs in n.params["program"]
        ]
    elif n.op.name in UFUNC_NAMES and n.op.name != "matmul":
        steps = [list(n.inputs)]
    else:
        return 0
    chunk = min(_elements(v), np.getbufsize())
    return max(
        sum(chunk * x.dtype.itemsize for x in xs if isinstance(x, Value) and _strided(x, v))
        for xs in steps
    )


def _is_input(r: Any) -> bool:
    """A fused program step's reference to one of the node's inputs."""
    return isinstance(r, tuple) and len(r) == 2 and r[0] == "in"


def _strided(x: Value, out: Value) -> bool:
    """x (more than one element) is broadcast to out's shape or is a transposed/expanded view,
    so a ufunc cannot stream it in one contiguous loop."""
    if _elements(x) <= 1:
        return False
    if x.shape != out.shape:
        return True
    return x.node is not None and x.node.op.name in ("transpose", "expand")


def _elements(v: Value) -> int:
    """Number of elements of a value with known shape."""
    return nbytes(v) // v.dtype.itemsize


def _can_overwrite(
    n: Node,
    var: Value,
    v: Value,
    rt: Any,
    last: dict[int, int],
    step: dict[Node, int],
    readers: dict[int, list[Node]],
) -> bool:
    """True when `n` may write its result straight into variable `var`'s array."""
    if var.shape != v.shape or var.dtype != v.dtype:
        return False
    if not any(isinstance(x, Value) and x.uid == var.uid for x in n.inputs):
        return False
    k = step[n]
    if last.get(rt(var), -1) > k:  # read later, e.g. the variable itself is an output
        return False
    return all(step[m] < k or m is n for m in readers.get(rt(var), []))


def _can_write_fresh(
    n: Node, var: Value, v: Value, rt: Any, last: dict[int, int], step: dict[Node, int]
) -> bool:
    """True when `n`, which does not read `var`, may compute straight into var's array
    (e.g. a gradient into the tensor's .grad): nothing reads var's old value from then on."""
    if var.shape != v.shape or var.dtype != v.dtype:
        return False
    if any(isinstance(x, Value) and rt(x) == rt(var) for x in n.inputs):
        return False
    return last.get(rt(var), -1) < step[n]


def _default_can_out(n: Node) -> bool:
    return n.op.name in OUT_OPS


def only_first_step(n: Node, x: Value) -> bool:
    """For a fused node, x may share the output buffer only if just its first step reads x."""
    if n.op.name != "fused":
        return True
    idx = [k for k, y in enumerate(n.inputs) if isinstance(y, Value) and y.uid == x.uid]
    return not any(
        isinstance(r, tuple) and r[0] == "in" and r[1] in idx
        for step in n.params["program"][1:]
        for r in step[2]
    )


def is_alias(n: Node) -> bool:
    """The node's output shares input 0's memory (a view, or an in-place update)."""
    return n.op.name in VIEW_OPS or mutates(n.op)


def only_last_step(n: Node, x: Value) -> bool:
    """For a fused node: only its last step reads x (earlier steps may use scratch memory)."""
    if n.op.name != "fused":
        return False
    idx = [k for k, y in enumerate(n.inputs) if isinstance(y, Value) and y.uid == x.uid]
    return not any(
        isinstance(r, tuple) and r[0] == "in" and r[1] in idx
        for step in n.params["program"][:-1]
        for r in step[2]
    )
