"""Compile a Graph into a flat Plan: slots, kernels, preallocated buffers, generated code."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...backend import CPU, Device, to_device
from ...node import Node
from ...tensor import Tensor
from ..graph_ops import lookup, mutates
from ..ir import Graph, Value
from ..memory import MemoryPlan, only_first_step, plan_memory
from .kernels import REDUCE_OUT, UFUNC_NAMES, call_expr, generic, out_capable, view_expr

HEAVY_ELEMENTS = 1 << 17  # nodes this big may run on another thread (numpy drops the GIL)


_POOLS: dict[int, ThreadPoolExecutor] = {}


def shared_pool(workers: int) -> ThreadPoolExecutor:
    """One process-wide thread pool per size, shared by every parallel plan."""
    pool = _POOLS.get(workers)
    if pool is None:
        pool = _POOLS[workers] = ThreadPoolExecutor(workers, thread_name_prefix="vizflow-plan")
    return pool


class Cell:
    """Holds a graph-owned variable's array under `.data`, like an eager Tensor does."""

    __slots__ = ("v",)

    def __init__(self, v: Value) -> None:
        self.v = v

    @property
    def data(self) -> Any:
        """The variable's current array."""
        return self.v.value

    @data.setter
    def data(self, arr: Any) -> None:
        self.v.value = arr


@dataclass
class Instr:
    """One plan step: the node, its input slots (or literals), output slot, and runner."""

    node: Node
    args: tuple[Any, ...]  # slot index (int) or ("lit", value)
    out: int
    fn: Any  # fn(S) runs the node on the slot list S
    heavy: bool
    group: int


def _levels(g: Graph) -> list[list[Node]]:
    """Nodes grouped by dependency depth: nodes in one group are independent."""
    depth: dict[int, int] = {}
    groups: list[list[Node]] = []
    for n in g.nodes:
        d = 0
        for x in n.inputs:
            if isinstance(x, Value) and x.node is not None:
                d = max(d, depth[x.uid] + 1)
        depth[g.out[n].uid] = d
        while len(groups) <= d:
            groups.append([])
        groups[d].append(n)
    return groups


def _elements(v: Value) -> int:
    n = 1
    for d in v.shape:
        n *= d if isinstance(d, int) else 1
    return n


class Plan:
    """A compiled graph: run(*feeds) fast, or start(*feeds) to step node by node."""

    def __init__(
        self,
        g: Graph,
        parallel: bool | str = "auto",
        reuse: bool = True,
        preallocate: bool = True,
        workers: int = 2,
        heavy_elements: int = HEAVY_ELEMENTS,
    ) -> None:
        """parallel: True, False or "auto" (threads only where two big nodes can overlap);
        heavy_elements: output size from which a node is worth another thread."""
        self.graph = g
        self.device: Device = next((v.device for v in [*g.inputs, *g.variables]), CPU)
        xp = self.device.xp
        self.xp = xp
        groups = _levels(g)
        heavy_nodes = {
            n
            for n in g.nodes
            if n.op.name not in ("matmul", "einsum") and _elements(g.out[n]) >= heavy_elements
        }
        wide = any(sum(1 for n in grp if n in heavy_nodes) >= 2 for grp in groups)
        # in-place updates must run after every reader of what they write: keep trace order
        effects = any(mutates(n.op) for n in g.nodes)
        self.parallel = bool(wide if parallel == "auto" else parallel) and not effects
        order = [n for grp in groups for n in grp] if self.parallel else list(g.nodes)
        self.groups = groups if self.parallel else [[n] for n in g.nodes]
        self.memory: MemoryPlan = plan_memory(
            g, self.groups, reuse, preallocate, lambda n: out_capable(g, n)
        )
        mp = self.memory
        self.buffers = [xp.empty(size, dtype=np.uint8).view(dt) for size, dt in mp.buffers]
        slot: dict[int, int] = {}
        for v in g.all_values():
            slot[v.uid] = len(slot)
        self.slot = slot
        self.n_slots = len(slot)
        self.input_slots = [slot[v.uid] for v in g.inputs]
        self.cells: list[Any] = [v.tensor if v.tensor is not None else Cell(v) for v in g.variables]
        self.var_slots = [slot[v.uid] for v in g.variables]
        self.const_slots = [(slot[v.uid], to_device(v.value, v.device)) for v in g.constants]
        ns: dict[str, Any] = {"np": np, "xp": xp, "asarray": xp.asarray}
        self._ns = ns
        lines: list[str] = []
        instr_src: list[str] = []
        group_of = {n: k for k, grp in enumerate(self.groups) for n in grp}
        self.instrs: list[Instr] = []
        var_index = {v.uid: i for i, v in enumerate(g.variables)}
        dead = self._deaths(order, slot)
        for i, n in enumerate(order):
            pre, expr, args = self._node_expr(n, i, slot, ns, var_index)
            o = slot[g.out[n].uid]
            local = [f"s{a}" for a in args]
            lines.extend("    " + p.format(*local) for p in pre)
            lines.append(f"    s{o} = " + expr.format(*local))
            lines.extend(f"    del s{d}" for d in dead.get(n, ()))
            indexed = [f"S[{a}]" for a in args]
            body = "".join(f"    {p.format(*indexed)}\n" for p in pre)
            instr_src.append(f"def i{i}(S):\n{body}    S[{o}] = {expr.format(*indexed)}\n")
            lit = iter(x for x in n.inputs if not isinstance(x, Value))
            ins_args = tuple(
                slot[x.uid] if isinstance(x, Value) else ("lit", next(lit)) for x in n.inputs
            )
            self.instrs.append(Instr(n, ins_args, o, None, n in heavy_nodes, group_of[n]))
        self._outputs = self._output_exprs(g, slot)
        self._updates = [
            (var_index[var.uid], slot[new.uid])
            for var, new in g.updates
            if new.uid not in mp.var_inplace
        ]
        head = ["def run(F, V, C):"]
        head += [f"    s{s} = F[{i}]" for i, s in enumerate(self.input_slots)]
        head += [f"    s{s} = V[{i}].data" for i, s in enumerate(self.var_slots)]
        head += [f"    s{s} = C[{i}]" for i, (s, _) in enumerate(self.const_slots)]
        # outputs are copied before the updates: an output may read a variable that is updated
        tail = ["    res = [" + ", ".join(e.format(f"s{s}") for s, e in self._outputs) + "]"]
        tail += [f"    np_copyto(V[{vi}].data, s{s})" for vi, s in self._updates]
        tail.append("    return res")
        ns["np_copyto"] = xp.copyto
        self.source = "\n".join(head + lines + tail) + "\n"
        exec(compile(self.source, f"<vizflow plan {g.name}>", "exec"), ns)
        self._run = ns["run"]
        exec(compile("".join(instr_src) or "pass\n", f"<vizflow steps {g.name}>", "exec"), ns)
        for i, ins in enumerate(self.instrs):
            ins.fn = ns[f"i{i}"]
        self._consts = [c for _, c in self.const_slots]
        self._pool: ThreadPoolExecutor | None = shared_pool(workers) if self.parallel else None

    # ---- compilation helpers -------------------------------------------------------------
    def _node_expr(
        self, n: Node, i: int, slot: dict[int, int], ns: dict[str, Any], var_index: dict[int, int]
    ) -> tuple[list[str], str, list[Any]]:
        """Statements to run first, a format string for the value ({k}: k-th slot), the slots."""
        g = self.graph
        out = g.out[n]
        mp = self.memory
        slots: list[int] = []
        arg_fmt: list[str] = []
        for x in n.inputs:
            if isinstance(x, Value):
                arg_fmt.append(f"{{{len(slots)}}}")
                slots.append(slot[x.uid])
            else:
                arg_fmt.append(self._literal(n, x, ns))
        dest: str | None = None
        if out.uid in mp.var_inplace:
            target = mp.var_inplace[out.uid]
            j = next(
                (k for k, x in enumerate(n.inputs) if isinstance(x, Value) and x.uid == target.uid),
                None,
            )
            if j is None:  # the node does not read the variable: its slot is the destination
                dest = f"{{{len(slots)}}}"
                slots.append(slot[target.uid])
            else:
                dest = arg_fmt[j]
        elif out.uid in mp.buffer_of:
            ns[f"b{i}"] = self.buffers[mp.buffer_of[out.uid]].reshape(
                tuple(d for d in out.shape if isinstance(d, int))
            )
            dest = f"b{i}"
        if n.inputs and isinstance(n.inputs[0], Value):
            view = view_expr(n, out)
            if view is not None and out.uid not in mp.buffer_of:
                ns["broadcast_to"] = self.xp.broadcast_to
                return [], view, slots
        capable = out_capable(g, n)
        if n.op.name == "fused" and capable:
            var = mp.var_inplace.get(out.uid)
            late = var is not None and not only_first_step(n, var)
            pre, expr = self._fused_code(n, i, arg_fmt, dest, ns, late)
            return pre, expr, slots
        if capable and (dest is not None or n.op.name in UFUNC_NAMES):
            fname = n.op.name if n.op.name in REDUCE_OUT else UFUNC_NAMES[n.op.name]
            ns[f"k{i}"] = getattr(self.xp, fname)
            return [], call_expr(n, f"k{i}", arg_fmt, dest), slots
        ns[f"k{i}"] = generic(n, out, self.xp)
        return [], f"k{i}({', '.join(arg_fmt)})", slots

    def _literal(self, n: Node, x: Any, ns: dict[str, Any]) -> str:
        """Source for a literal input; floats next to same-dtype arrays become numpy scalars."""
        out = self.graph.out[n]
        if (
            isinstance(x, float)
            and out.dtype.kind == "f"
            and all(y.dtype == out.dtype for y in n.inputs if isinstance(y, Value))
        ):
            name = f"c{len(ns)}"
            ns[name] = out.dtype.type(x)
            return name
        if isinstance(x, float) and not np.isfinite(x):
            return f"float({str(x)!r})"
        return repr(x)

    def _fused_code(
        self,
        n: Node,
        i: int,
        arg_fmt: list[str],
        dest: str | None,
        ns: dict[str, Any],
        late: bool = False,
    ) -> tuple[list[str], str]:
        """Statements running a fused program in one buffer, and the name holding the result.

        late: dest is a variable that later steps read, so the steps run in scratch memory
        and only the last one writes dest.
        """
        program = n.params["program"]
        pre = []
        final = dest if late else None
        cur = None if late else dest
        for j, (name, _params, refs) in enumerate(program):
            fn = f"k{i}_{j}"
            ns[fn] = getattr(self.xp, UFUNC_NAMES[name])
            a = [
                arg_fmt[r[1]]
                if isinstance(r, tuple) and r[0] == "in"
                else ("_t" if isinstance(r, tuple) else self._literal(n, r, ns))
                for r in refs
            ]
            if name == "relu":
                a = [a[0], "0"]
            if final is not None and j == len(program) - 1:
                pre.append(f"_t = {fn}({', '.join(a)}, out={final})")
            elif cur is None:
                pre.append(f"_t = asarray({fn}({', '.join(a)}))")  # numpy gives 0-d scalars
                cur = "_t"
            elif j == 0:
                pre.append(f"_t = {fn}({', '.join(a)}, out={cur})")
            else:
                pre.append(f"{fn}({', '.join(a)}, out=_t)")
        return pre, "_t"

    def _deaths(self, order: list[Node], slot: dict[int, int]) -> dict[Node, list[int]]:
        """Slots to drop after each node (their last reader), so dead arrays are freed."""
        g = self.graph
        keep = {v.uid for v in g.outputs} | {new.uid for _, new in g.updates}
        keep |= {v.uid for v in [*g.inputs, *g.variables, *g.constants]}
        last: dict[int, Node] = {}
        for n in order:
            last[g.out[n].uid] = n
            for x in n.inputs:
                if isinstance(x, Value):
                    last[x.uid] = n
        mp = self.memory
        dead: dict[Node, list[int]] = {}
        for uid, n in last.items():
            if uid not in keep and uid not in mp.buffer_of and uid not in mp.var_inplace:
                dead.setdefault(n, []).append(slot[uid])
        for d in dead.values():
            d.sort()
        return dead

    def _output_exprs(self, g: Graph, slot: dict[int, int]) -> list[tuple[int, str]]:
        """Output slots with a copy where the value lives in plan-owned or caller memory."""
        mp = self.memory
        res = []
        for v in g.outputs:
            r = mp.alias_of.get(v.uid, v.uid)
            rv = next((x for x in g.all_values() if x.uid == r), v)
            fresh = rv.node is not None and r not in mp.buffer_of and r not in mp.var_inplace
            res.append((slot[v.uid], "asarray({})" if fresh else "{}.copy()"))
        return res

    # ---- running ---------------------------------------------------------------------------
    def _feeds(self, feeds: tuple[Any, ...]) -> list[Any]:
        if len(feeds) != len(self.input_slots):
            names = [v.name for v in self.graph.inputs]
            raise TypeError(
                f"graph {self.graph.name!r} takes {len(names)} inputs {names}, got {len(feeds)}"
            )
        return [f.data if isinstance(f, Tensor) else f for f in feeds]

    def run(self, *feeds: Any) -> list[Any]:
        """Run the whole plan; returns the output arrays (fresh memory, safe to keep)."""
        for refresh in self.graph.refresh:
            refresh()
        f = self._feeds(feeds)
        if self._pool is None:
            res: list[Any] = self._run(f, self.cells, self._consts)
            return res
        return self._run_parallel(f)

    def _load(self, f: list[Any]) -> list[Any]:
        S: list[Any] = [None] * self.n_slots
        for s, a in zip(self.input_slots, f, strict=True):
            S[s] = a
        for s, c in zip(self.var_slots, self.cells, strict=True):
            S[s] = c.data
        for s, a in self.const_slots:
            S[s] = a
        return S

    def _finish(self, S: list[Any]) -> list[Any]:
        xp = self.xp
        res = [
            xp.asarray(S[s]) if e.startswith("asarray") else S[s].copy() for s, e in self._outputs
        ]
        for vi, s in self._updates:
            xp.copyto(self.cells[vi].data, S[s])
        return res

    def _run_parallel(self, f: list[Any]) -> list[Any]:
        S = self._load(f)
        pool = self._pool
        assert pool is not None
        k = 0
        instrs = self.instrs
        n = len(instrs)
        while k < n:
            grp = instrs[k].group
            j = k
            while j < n and instrs[j].group == grp:
                j += 1
            heavy = [ins.fn for ins in instrs[k:j] if ins.heavy]
            futs = [pool.submit(fn, S) for fn in heavy[1:]]
            for ins in instrs[k:j]:
                if not ins.heavy or ins.fn is heavy[0]:
                    ins.fn(S)
            for fu in futs:
                fu.result()
            k = j
        return self._finish(S)

    def start(self, *feeds: Any, copy: bool = True) -> Run:
        """Begin a stepped run (for the debugger): see Run."""
        for refresh in self.graph.refresh:
            refresh()
        return Run(self, self._load(self._feeds(feeds)), copy)

    def __repr__(self) -> str:
        return (
            f"<Plan {self.graph.name!r}: {len(self.instrs)} steps, parallel="
            f"{self.parallel}, {self.memory.report()}>"
        )


@dataclass
class Event:
    """What one step did: the node, its input and output values, seconds and output bytes."""

    index: int
    node: Node
    inputs: list[Any]
    output: Any
    time_s: float
    nbytes: int

    @property
    def name(self) -> str:
        """The node's name."""
        return self.node.name or self.node.op.name

    def __repr__(self) -> str:
        """One line: which node, the output's shape and dtype, time and bytes (no arrays)."""
        out = self.output
        shape = tuple(getattr(out, "shape", ()))
        dtype = getattr(out, "dtype", type(out).__name__)
        return (
            f"<Event #{self.index} {self.name} ({self.node.op.name}) -> {shape} {dtype}, "
            f"{self.time_s * 1e6:.0f} µs, {self.nbytes} B>"
        )


class Run:
    """A stepped execution of a Plan: step() runs one node and returns its Event.

    The interpreter loop (read inputs, run, write output) as a generator the debugger drives.
    Values are copied into events unless copy=False (buffers are reused by later steps).
    """

    def __init__(self, plan: Plan, slots: list[Any], copy: bool = True) -> None:
        self.plan = plan
        self.slots = slots
        self.pc = 0
        self.copy = copy
        self.outputs: list[Any] | None = None

    @property
    def done(self) -> bool:
        """True when every node has run."""
        return self.pc >= len(self.plan.instrs)

    @property
    def next_node(self) -> Node | None:
        """The node the next step will run."""
        return None if self.done else self.plan.instrs[self.pc].node

    def step(self) -> Event:
        """Run the next node and return its Event (StopIteration when finished)."""
        if self.done:
            raise StopIteration("the run is finished")
        ins = self.plan.instrs[self.pc]
        S = self.slots
        t0 = time.perf_counter()
        ins.fn(S)
        if self.plan.device.type == "cuda":  # pragma: no cover - needs a GPU
            self.plan.xp.cuda.get_current_stream().synchronize()
        dt = time.perf_counter() - t0
        out = S[ins.out]
        inputs = [S[a] if isinstance(a, int) else a[1] for a in ins.args[: len(ins.node.inputs)]]
        if self.copy:
            out = self.plan.xp.array(out, copy=True)
            inputs = [
                self.plan.xp.array(a, copy=True) if hasattr(a, "shape") else a for a in inputs
            ]
        ev = Event(self.pc, ins.node, inputs, out, dt, int(getattr(out, "nbytes", 0)))
        self.pc += 1
        return ev

    def __iter__(self) -> Run:
        return self

    def __next__(self) -> Event:
        return self.step()

    def run_until(self, predicate: Any) -> Event | None:
        """Step until predicate(event) is true; that event, or None if the run finished."""
        while not self.done:
            ev = self.step()
            if predicate(ev):
                return ev
        return None

    def set_value(self, name: str, value: Any) -> None:
        """Overwrite a computed value (by name) before the nodes after it read it."""
        v = self.plan.graph.value(name)
        self.slots[self.plan.slot[v.uid]] = self.plan.xp.asarray(value, dtype=v.dtype)

    def value(self, name: str) -> Any:
        """The current value of a graph value (input, variable, constant or node output)."""
        return self.slots[self.plan.slot[self.plan.graph.value(name).uid]]

    def finish(self) -> list[Any]:
        """Run the remaining nodes, apply variable updates, return the outputs."""
        while not self.done:
            self.plan.instrs[self.pc].fn(self.slots)
            self.pc += 1
        if self.outputs is None:
            self.outputs = self.plan._finish(self.slots)
        return self.outputs


__all__ = ["Cell", "Event", "Instr", "Plan", "Run", "lookup"]
