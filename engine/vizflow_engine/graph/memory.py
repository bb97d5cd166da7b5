"""Memory plan: liveness, buffer reuse, in-place writes and a peak-memory estimate in bytes."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..node import Node
from .aliasing import alias_roots
from .ir import Graph, Value
from .op_sets import REDUCE_OUT, UFUNC_NAMES

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
    var_inplace[uid] = the variable the node computes straight into (other variables updated
    from the same value are copied from it after the run); alias_of[uid] = a value whose
    memory a view or in-place result shares; peak_bytes the estimate.
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
    reuse_after: int = 0,
    spaced_from: int = 0,
) -> MemoryPlan:
    """Liveness over `groups` (nodes that may run together), then buffer assignment.

    A buffer freed in group k is reused from group k+1 on, so concurrent nodes never share,
    and, when group `spaced_from` or a later one last wrote it, not before `reuse_after` groups
    after that (a debugger keeps references to the last values of a run that long).
    A value that may share memory with others (a view, an in-place op's result: see
    aliasing) keeps the memory it reads alive for as long as it is read itself.
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
    root = alias_roots(g, can_out)

    def rts(v: Value) -> tuple[int, ...]:
        return root.get(v.uid, (v.uid,))

    end = len(groups) + 1
    last: dict[int, int] = {}
    readers: dict[int, list[Node]] = {}
    for n in g.nodes:
        for x in n.inputs:
            if isinstance(x, Value):
                for r in rts(x):
                    last[r] = max(last.get(r, -1), step[n])
                    readers.setdefault(r, []).append(n)
    pinned = {r for v in g.outputs for r in rts(v)}
    pinned |= {r for _var, new in g.updates for r in rts(new)}
    for r in pinned:
        last[r] = end
    mp.last_use = last
    by_value: dict[int, Value] = {v.uid: v for v in g.all_values()}
    update_of = _update_targets(g)

    # freed buffers by size and dtype: (reusable from group, buffer), a heap with reuse_after
    free: dict[tuple[int, str], list[tuple[int, int]]] = {}
    written: dict[int, int] = {}  # buffer -> the group that last wrote it
    owned: dict[int, int] = {}  # root uid -> buffer
    live_transient = 0
    for k, grp in enumerate(groups):
        scratch = 0  # numpy's buffers of the group's nodes so far (they may run together)
        for n in grp:
            v = out[n]
            name = n.op.name
            if v.uid in root:
                continue
            size = nbytes(v)
            mp.naive_bytes += size
            scratch += ufunc_scratch(n, v)
            mp.transient_peak = max(mp.transient_peak, live_transient + scratch)
            var = next(
                (
                    t
                    for t in update_of.get(v.uid, ())
                    if can_out(n)
                    and (
                        (
                            name in ELEMENTWISE_OUT
                            and (only_first_step(n, t) or only_last_step(n, t))
                            and _can_overwrite(n, t, v, last, step, readers)
                        )
                        or _can_write_fresh(n, t, v, rts, last, step)
                    )
                ),
                None,
            )
            if var is not None:
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
                        and (
                            written[owned[x.uid]] < spaced_from
                            or k - written[owned[x.uid]] >= reuse_after
                        )
                        and x.shape == v.shape
                        and x.dtype == v.dtype
                        and last.get(x.uid) == k
                        and sum(1 for m in readers[x.uid] if step[m] == k) == 1
                        and sum(1 for m in readers[x.uid] if m is n) == 1
                    ):
                        owned[v.uid] = owned[x.uid]
                        written[owned[x.uid]] = k
                        mp.buffer_of[v.uid] = owned[x.uid]
                        mp.inplace[v.uid] = x.uid
                        done = True
                        break
            if done:
                continue
            key = (size, v.dtype.str)
            pool = free.get(key)
            if reuse and pool and (not reuse_after or pool[0][0] <= k):
                # the last freed first (warm in cache), or the first reusable when spaced out
                b = (heapq.heappop(pool) if reuse_after else pool.pop())[1]
            else:
                b = len(mp.buffers)
                mp.buffers.append((size, v.dtype))
                mp.buffer_bytes += size
            owned[v.uid] = b
            written[b] = k
            mp.buffer_of[v.uid] = b
        # release what died in this group
        for n in grp:
            for x in n.inputs:
                if not isinstance(x, Value):
                    continue
                for r in rts(x):
                    if last.get(r) != k:
                        continue
                    last[r] = -2  # released once
                    if r in owned:
                        b = owned.pop(r)
                        if b not in owned.values():
                            size, dt = mp.buffers[b]
                            pool = free.setdefault((size, dt.str), [])
                            if reuse_after:
                                at = written[b]
                                ready = at + reuse_after if at >= spaced_from else k + 1
                                heapq.heappush(pool, (max(k + 1, ready), b))
                            else:
                                pool.append((k + 1, b))
                    else:
                        rv = by_value.get(r)
                        if (
                            rv is not None
                            and rv.node is not None
                            and r not in root
                            and r not in mp.var_inplace
                            and rv.uid not in pinned
                        ):
                            live_transient -= nbytes(rv)
    mp.last_use = {**mp.last_use}
    for r in pinned:
        mp.last_use[r] = end
    mp.alias_of = {u: _held(rs, by_value, mp) for u, rs in root.items()}
    return mp


def _update_targets(g: Graph) -> dict[int, list[Value]]:
    """uid of each computed update value -> the variables it is written to (any number: equal
    gradients merged by CSE feed several .grad stores). A variable updated twice is left
    out: the later update must win, so both are written after the run, in order."""
    count: dict[int, int] = {}
    for var, _new in g.updates:
        count[var.uid] = count.get(var.uid, 0) + 1
    targets: dict[int, list[Value]] = {}
    for var, new in g.updates:
        if new.node is not None and count[var.uid] == 1:
            targets.setdefault(new.uid, []).append(var)
    return targets


def _held(rs: tuple[int, ...], by_value: dict[int, Value], mp: MemoryPlan) -> int:
    """Of the values whose memory an alias shares, one the plan does not allocate afresh on
    each run (a leaf, a buffer, a variable written in place) if any: an output that views
    it must be copied."""
    for r in rs:
        rv = by_value[r]
        if rv.node is None or r in mp.buffer_of or r in mp.var_inplace:
            return r
    return rs[0]


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
    last: dict[int, int],
    step: dict[Node, int],
    readers: dict[int, list[Node]],
) -> bool:
    """True when `n` may write its result straight into variable `var`'s array (it reads
    var, and nothing reads var's memory, through var or a view of it, after n)."""
    if var.shape != v.shape or var.dtype != v.dtype:
        return False
    if not any(isinstance(x, Value) and x.uid == var.uid for x in n.inputs):
        return False
    k = step[n]
    if last.get(var.uid, -1) > k:  # read later, e.g. the variable itself is an output
        return False
    return all(step[m] < k or m is n for m in readers.get(var.uid, []))


def _can_write_fresh(
    n: Node,
    var: Value,
    v: Value,
    rts: Callable[[Value], tuple[int, ...]],
    last: dict[int, int],
    step: dict[Node, int],
) -> bool:
    """True when `n`, which does not read `var`, may compute straight into var's array
    (e.g. a gradient into the tensor's .grad): nothing reads var's old value from then on."""
    if var.shape != v.shape or var.dtype != v.dtype:
        return False
    if any(isinstance(x, Value) and var.uid in rts(x) for x in n.inputs):
        return False
    return last.get(var.uid, -1) < step[n]


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
