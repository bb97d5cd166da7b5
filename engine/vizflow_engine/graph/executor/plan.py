"""Compile a Graph into a flat Plan: slots, kernels, preallocated buffers, generated code."""

from __future__ import annotations

import builtins
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

import numpy as np

from ...backend import CPU, Device, to_device
from ...errors import ShapeError
from ...node import Node
from ...ops.elementwise import quiet
from ...tensor import Tensor
from ..graph_ops import lookup, mutated_inputs, mutates
from ..ir import Graph, Value
from ..memory import MemoryPlan, only_first_step, plan_memory
from ..overwrites import protect_overwrites
from .kernels import REDUCE_OUT, UFUNC_NAMES, call_expr, generic, out_capable, view_expr
from .source import Code, Hole, Name, Namespace, call, join, slot_item, slot_local

HEAVY_ELEMENTS = 1 << 17  # nodes this big may run on another thread (numpy drops the GIL)
# buffers beyond this many bytes are allocated at the first run, once the feeds' shapes match
PREALLOC_BUDGET = 256 << 20
CHUNK = 64  # steps per function of Plan.chunk_code


_POOLS: dict[int, ThreadPoolExecutor] = {}


def shared_pool(workers: int) -> ThreadPoolExecutor:
    """One process-wide thread pool per size, shared by every parallel plan."""
    pool = _POOLS.get(workers)
    if pool is None:
        pool = _POOLS[workers] = ThreadPoolExecutor(workers, thread_name_prefix="vizflow-plan")
    return pool


class Cell:
    """Holds a graph-owned variable's array under `.array`, like an eager Tensor does."""

    __slots__ = ("v",)

    def __init__(self, v: Value) -> None:
        self.v = v

    @property
    def array(self) -> Any:
        """The variable's current array."""
        return self.v.value

    @array.setter
    def array(self, arr: Any) -> None:
        self.v.value = arr


@dataclass
class Instr:
    """One plan step: the node, its input slots (or literals), output slot, and scheduling."""

    node: Node
    args: tuple[Any, ...]  # slot index (int) or ("lit", value)
    out: int
    heavy: bool
    group: int


class _State:
    """One call's private memory: a set of the plan's buffers and the functions bound to it."""

    __slots__ = ("namespace", "run", "steps")

    def __init__(self, run: Any, steps: list[Any], namespace: dict[str, Any]) -> None:
        self.run = run  # run(F, V, C): the whole plan
        self.steps = steps  # steps[k](S) runs instruction k on the slot list S
        self.namespace = namespace  # what the generated code runs in (its buffers bound)


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
    """A compiled graph: run(*feeds) fast, or start(*feeds) to step node by node.

    Thread-safe: every call runs in its own set of preallocated buffers, taken from a pool
    that grows to the number of calls running at once (a stepped Run has a set of its own);
    a plan that writes variables (a training step) also runs one call at a time
    under a lock, so each call's updates land whole. Stepped runs never take the lock.
    Generated code names slots and namespace entries only: no graph text reaches exec.
    Buffers over prealloc_budget bytes (PREALLOC_BUDGET, 256 MiB, by default) are allocated
    at the first run, after the feeds' shapes are checked against the declared ones.
    """

    def __init__(
        self,
        g: Graph,
        parallel: bool | str = "auto",
        reuse: bool = True,
        preallocate: bool = True,
        workers: int = 2,
        heavy_elements: int = HEAVY_ELEMENTS,
        prealloc_budget: int = PREALLOC_BUDGET,
        keep_tail: int = 0,
    ) -> None:
        """parallel: True, False or "auto" (threads only where two big nodes can overlap);
        heavy_elements: output size from which a node is worth another thread;
        prealloc_budget: buffer bytes allocated at compile time (more waits for the feeds);
        keep_tail: the memory written by the last keep_tail steps is not written again for
        keep_tail more steps (a debugger's history keeps references to those values)."""
        g = protect_overwrites(g, partial(out_capable, g))  # reads never see later writes
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
            g,
            self.groups,
            reuse,
            preallocate,
            lambda n: out_capable(g, n),
            keep_tail + 1 if keep_tail else 0,
            len(self.groups) - keep_tail,
        )
        mp = self.memory
        slot: dict[int, int] = {}
        for v in g.all_values():
            slot[v.uid] = len(slot)
        self.slot = slot
        self.n_slots = len(slot)
        self.input_slots = [slot[v.uid] for v in g.inputs]
        self.cells: list[Any] = [v.tensor if v.tensor is not None else Cell(v) for v in g.variables]
        self.var_slots = [slot[v.uid] for v in g.variables]
        written = {var.uid for var, _ in g.updates} | {
            x.uid
            for n in g.nodes
            if mutates(n.op)
            for x in (n.inputs[i] for i in mutated_inputs(n.op))
            if isinstance(x, Value) and x.kind == "variable"
        }
        # eager tensors a call writes: each call counts one write of each (Tensor._version)
        self._written = [
            c
            for c, v in zip(self.cells, g.variables, strict=True)
            if v.uid in written and isinstance(c, Tensor)
        ]
        # one device per plan: constants, folded ones included, are moved to it
        self.const_slots = [(slot[v.uid], to_device(v.value, self.device)) for v in g.constants]
        ns = Namespace(
            {"asarray": xp.asarray, "broadcast_to": xp.broadcast_to, "np_copyto": xp.copyto}
        )
        self._ns = ns
        self._views: list[tuple[str, int, tuple[int, ...]]] = []  # (name, buffer, shape)
        lines: list[str] = []
        steps: list[str] = []
        self._bodies: list[list[str]] = []  # each step's statements, on the slot list S
        group_of = {n: k for k, grp in enumerate(self.groups) for n in grp}
        self.instrs: list[Instr] = []
        var_index = {v.uid: i for i, v in enumerate(g.variables)}
        dead = self._deaths(order, slot)
        for i, n in enumerate(order):
            pre, expr, args = self._node_code(n, slot, ns)
            o = slot[g.out[n].uid]
            local = [slot_local(a) for a in args]
            lines.extend(Code("    ", p).render(local) for p in pre)
            lines.append(Code("    ", slot_local(o), " = ", expr).render(local))
            lines.extend(Code("    ", "del ", slot_local(d)).render() for d in dead.get(n, ()))
            indexed = [slot_item(a) for a in args]
            body = [Code("    ", p).render(indexed) for p in pre]
            body.append(Code("    ", slot_item(o), " = ", expr).render(indexed))
            steps.append(Code("def ", Name("i", i), "(", "S", ")", ":").render())
            steps.extend(body)
            self._bodies.append(body)
            lit = iter(x for x in n.inputs if not isinstance(x, Value))
            ins_args = tuple(
                slot[x.uid] if isinstance(x, Value) else ("lit", next(lit)) for x in n.inputs
            )
            self.instrs.append(Instr(n, ins_args, o, n in heavy_nodes, group_of[n]))
        self._outputs = self._output_exprs(g, slot)
        # a value may feed several updates: the node wrote one of them in place (if any)
        self._updates = [
            (var_index[var.uid], slot[new.uid])
            for var, new in g.updates
            if mp.var_inplace.get(new.uid) is not var
        ]
        head = [Code("def ", "run", "(", "F", ", ", "V", ", ", "C", ")", ":")]
        head += [
            Code("    ", slot_local(s), " = ", "F", "[", i, "]")
            for i, s in enumerate(self.input_slots)
        ]
        head += [
            Code("    ", slot_local(s), " = ", "V", "[", i, "]", ".array")
            for i, s in enumerate(self.var_slots)
        ]
        head += [
            Code("    ", slot_local(s), " = ", "C", "[", i, "]")
            for i, (s, _) in enumerate(self.const_slots)
        ]
        # outputs are copied before the updates: an output may read a variable that is updated
        res = [
            call("asarray", [slot_local(s)]) if fresh else Code(slot_local(s), ".copy()")
            for s, fresh in self._outputs
        ]
        tail = [Code("    ", "res", " = ", "[", join(res), "]")]
        tail += [
            Code("    ", call("np_copyto", [Code("V", "[", vi, "]", ".array"), slot_local(s)]))
            for vi, s in self._updates
        ]
        tail.append(Code("    ", "return ", "res"))
        self.source = (
            "\n".join([*(c.render() for c in head), *lines, *(c.render() for c in tail)]) + "\n"
        )
        # fixed file names: neither the graph's name nor any of its text reaches compile()
        self._run_code = compile(self.source, "<vizflow plan>", "exec")
        self._steps_code = compile(
            "\n".join(steps) + "\n" if steps else "pass\n", "<vizflow plan steps>", "exec"
        )
        self._step_names = [Name("i", k).text for k in range(len(self.instrs))]
        self._chunks: dict[tuple[bool, ...], Any] = {}  # chunk_code's, by which steps look
        self._consts = [c for _, c in self.const_slots]
        self._pool: ThreadPoolExecutor | None = shared_pool(workers) if self.parallel else None
        # calls that write variables run one at a time, so each call's updates land whole
        self._lock = threading.Lock() if effects or g.updates else None
        self._lazy = mp.buffer_bytes > prealloc_budget
        self._free: list[_State] = [] if self._lazy else [self._new_state(None)]
        # numpy's floating-point warnings off, as eagerly: log(0) is -inf silently (PyTorch)
        self._quiet_call = quiet(self._call)

    # ---- compilation helpers -------------------------------------------------------------
    def _node_code(
        self, n: Node, slot: dict[int, int], ns: Namespace
    ) -> tuple[list[Code], Code, list[int]]:
        """Statements to run first, the value's code (Hole(k): the k-th slot), and the slots."""
        g = self.graph
        out = g.out[n]
        mp = self.memory
        slots: list[int] = []
        arg: list[Code] = []
        for x in n.inputs:
            if isinstance(x, Value):
                arg.append(Code(Hole(len(slots))))
                slots.append(slot[x.uid])
            else:
                arg.append(Code(self._literal(n, x, ns)))
        dest: Code | None = None
        if out.uid in mp.var_inplace:
            target = mp.var_inplace[out.uid]
            j = next(
                (k for k, x in enumerate(n.inputs) if isinstance(x, Value) and x.uid == target.uid),
                None,
            )
            if j is None:  # the node does not read the variable: its slot is the destination
                dest = Code(Hole(len(slots)))
                slots.append(slot[target.uid])
            else:
                dest = arg[j]
        elif out.uid in mp.buffer_of:
            b = ns.fresh("b")  # bound per call state (_new_state): each has its own buffers
            shape = tuple(d for d in out.shape if isinstance(d, int))
            self._views.append((b.text, mp.buffer_of[out.uid], shape))
            dest = Code(b)
        if n.inputs and isinstance(n.inputs[0], Value) and out.uid not in mp.buffer_of:
            view = view_expr(n, out, ns)
            if view is not None:
                return [], view, slots
        capable = out_capable(g, n)
        if n.op.name == "fused" and capable:
            var = mp.var_inplace.get(out.uid)
            late = var is not None and not only_first_step(n, var)
            pre, expr = self._fused_code(n, arg, dest, ns, late)
            return pre, expr, slots
        if capable and (dest is not None or n.op.name in UFUNC_NAMES):
            fname = n.op.name if n.op.name in REDUCE_OUT else UFUNC_NAMES[n.op.name]
            return [], call_expr(n, ns.bind("k", getattr(self.xp, fname)), arg, dest, ns), slots
        return [], call(ns.bind("k", generic(n, out, self.xp)), arg), slots

    def _literal(self, n: Node, x: Any, ns: Namespace) -> Name:
        """A literal input as a namespace object (never source text); floats next to
        same-dtype arrays become numpy scalars of that dtype."""
        out = self.graph.out[n]
        if (
            isinstance(x, float)
            and out.dtype.kind == "f"
            and all(y.dtype == out.dtype for y in n.inputs if isinstance(y, Value))
        ):
            return ns.bind("c", out.dtype.type(x))
        return ns.bind("c", x)

    def _fused_code(
        self,
        n: Node,
        arg: list[Code],
        dest: Code | None,
        ns: Namespace,
        late: bool = False,
    ) -> tuple[list[Code], Code]:
        """Statements running a fused program in one buffer, and the code naming the result.

        late: dest is a variable that later steps read, so the steps run in scratch memory
        and only the last one writes dest.
        """
        program = n.params["program"]
        pre: list[Code] = []
        t = Code("_t")
        final = dest if late else None
        cur = None if late else dest
        for j, (name, _params, refs) in enumerate(program):
            fn = ns.bind("k", getattr(self.xp, UFUNC_NAMES[name]))
            a = [
                arg[r[1]]
                if isinstance(r, tuple) and r[0] == "in"
                else (t if isinstance(r, tuple) else Code(self._literal(n, r, ns)))
                for r in refs
            ]
            if name == "relu":
                a = [a[0], Code(ns.bind("c", 0))]
            if final is not None and j == len(program) - 1:
                pre.append(Code("_t", " = ", call(fn, a, final)))
            elif cur is None:  # numpy gives 0-d results as scalars
                pre.append(Code("_t", " = ", call("asarray", [call(fn, a)])))
                cur = t
            elif j == 0:
                pre.append(Code("_t", " = ", call(fn, a, cur)))
            else:
                pre.append(call(fn, a, t))
        return pre, t

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

    def _output_exprs(self, g: Graph, slot: dict[int, int]) -> list[tuple[int, bool]]:
        """Output slots, each with fresh=False where the value lives in plan-owned or caller
        memory and must be copied."""
        mp = self.memory
        res = []
        for v in g.outputs:
            r = mp.alias_of.get(v.uid, v.uid)
            rv = next((x for x in g.all_values() if x.uid == r), v)
            fresh = rv.node is not None and r not in mp.buffer_of and r not in mp.var_inplace
            res.append((slot[v.uid], fresh))
        return res

    def _new_state(self, feeds: list[Any] | None) -> _State:
        """A fresh set of buffers with the generated functions bound to it (one per
        concurrent call); a lazy plan checks the feeds' shapes before allocating."""
        if self._lazy:
            self._check_feeds(feeds or [])
        xp = self.xp
        bufs = [xp.empty(size, dtype=np.uint8).view(dt) for size, dt in self.memory.buffers]
        # generated code calls no builtin; cupy's Cython kernels import lazily through the
        # calling frame's builtins, so __import__ alone is there
        ns = {"__builtins__": {"__import__": builtins.__import__}, **self._ns.objects}
        for name, b, shape in self._views:
            ns[name] = bufs[b].reshape(shape)
        exec(self._run_code, ns)
        exec(self._steps_code, ns)
        return _State(ns["run"], [ns[name] for name in self._step_names], ns)

    def chunk_code(self, looks: tuple[bool, ...]) -> Any:
        """Compiled functions j<c>(S, F) running steps c*CHUNK… straight through (a stretch
        of a run without a call per step), returning, as soon as F is true or after a step
        `looks` marks, how many of the chunk's steps precede the one just run (CHUNK when all
        ran). Made once per `looks`."""
        code = self._chunks.get(looks)
        if code is None:
            src: list[str] = []
            for c in range(0, len(self._bodies), CHUNK):
                src.append(Code("def ", Name("j", c // CHUNK), "(", "S, F", "):").render())
                for j, body in enumerate(self._bodies[c : c + CHUNK]):
                    src.extend(body)
                    back = () if looks[c + j] else ("if ", "F", ":")
                    src.append(Code("    ", *back, "return ", j).render())
                src.append(Code("    ", "return ", CHUNK).render())
            text = "\n".join(src) + "\n" if src else "pass\n"
            code = compile(text, "<vizflow plan chunks>", "exec")
            self._chunks[looks] = code
        return code

    def _check_feeds(self, f: list[Any]) -> None:
        """Refuse feeds whose shapes differ from the declared ones (before a big allocation)."""
        for v, a in zip(self.graph.inputs, f, strict=True):
            given = tuple(np.shape(a))
            if given != tuple(v.shape):
                raise ShapeError(
                    f"input {v.name!r} of graph {self.graph.name!r}",
                    [given],
                    f"declared with shape {tuple(v.shape)} but given shape {given}; feed an "
                    "array of the declared shape, or declare the dims that vary as None",
                )

    def _acquire(self, f: list[Any]) -> _State:
        """A buffer set no other call is using: a pooled one, or a new one."""
        try:
            return self._free.pop()
        except IndexError:
            return self._new_state(f)

    # ---- running ---------------------------------------------------------------------------
    def _feeds(self, feeds: tuple[Any, ...]) -> list[Any]:
        if len(feeds) != len(self.input_slots):
            names = [v.name for v in self.graph.inputs]
            raise TypeError(
                f"graph {self.graph.name!r} takes {len(names)} inputs {names}, got {len(feeds)}"
            )
        return [f.array if isinstance(f, Tensor) else f for f in feeds]

    def run(self, *feeds: Any) -> list[Any]:
        """Run the whole plan; returns the output arrays (fresh memory, safe to keep)."""
        for refresh in self.graph.refresh:
            refresh()
        f = self._feeds(feeds)
        if self._lock is not None:
            with self._lock:  # one call at a time: the pool's first set is enough
                if not self._free:
                    self._free.append(self._new_state(f))
                res = self._quiet_call(f, self._free[0])
                for t in self._written:
                    t._bump_version()
                return res
        st = self._acquire(f)
        try:
            return self._quiet_call(f, st)
        finally:
            self._free.append(st)

    def _call(self, f: list[Any], st: _State) -> list[Any]:
        """Run the whole plan in buffer set st."""
        if self._pool is None:
            res: list[Any] = st.run(f, self.cells, self._consts)
            return res
        return self._run_parallel(f, st)

    def _load(self, f: list[Any]) -> list[Any]:
        S: list[Any] = [None] * self.n_slots
        for s, a in zip(self.input_slots, f, strict=True):
            S[s] = a
        for s, c in zip(self.var_slots, self.cells, strict=True):
            S[s] = c.array
        for s, a in self.const_slots:
            S[s] = a
        return S

    def _finish(self, S: list[Any]) -> list[Any]:
        xp = self.xp
        res = [xp.asarray(S[s]) if fresh else S[s].copy() for s, fresh in self._outputs]
        for vi, s in self._updates:
            xp.copyto(self.cells[vi].array, S[s])
        return res

    def _run_parallel(self, f: list[Any], st: _State) -> list[Any]:
        S = self._load(f)
        pool = self._pool
        assert pool is not None
        steps = st.steps
        k = 0
        instrs = self.instrs
        n = len(instrs)
        while k < n:
            grp = instrs[k].group
            j = k
            while j < n and instrs[j].group == grp:
                j += 1
            heavy = [m for m in range(k, j) if instrs[m].heavy]
            futs = [pool.submit(steps[m], S) for m in heavy[1:]]
            for m in range(k, j):
                if not instrs[m].heavy or m == heavy[0]:
                    steps[m](S)
            for fu in futs:
                fu.result()
            k = j
        return self._finish(S)

    def start(self, *feeds: Any, copy: bool = True) -> Run:
        """Begin a stepped run (for the debugger) in a buffer set of its own: see Run."""
        for refresh in self.graph.refresh:
            refresh()
        f = self._feeds(feeds)
        return Run(self, self._load(f), copy, self._new_state(f))

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
    A run has its own buffer set for its lifetime, so values stay readable after finish().
    """

    def __init__(self, plan: Plan, slots: list[Any], copy: bool, state: _State) -> None:
        self.plan = plan
        self.slots = slots
        # the steps unwrapped, for a caller that silences numpy once around many steps
        # (np.errstate) and so pays no per-step wrapper: kernels[k](slots) runs step k
        self.kernels: list[Any] = state.steps
        self._namespace = state.namespace
        self._chunks: tuple[Any, list[Any]] | None = None
        self.pc = 0
        self.copy = copy
        self.outputs: list[Any] | None = None

    def chunks(self, looks: tuple[bool, ...]) -> list[Any]:
        """This run's chunk functions (Plan.chunk_code), bound to its buffers: chunks[c] runs
        steps c*CHUNK… (a caller that silences numpy, as for kernels)."""
        code = self.plan.chunk_code(looks)
        if self._chunks is None or self._chunks[0] is not code:
            ns = self._namespace
            exec(code, ns)
            n = (len(self.kernels) + CHUNK - 1) // CHUNK
            self._chunks = (code, [ns[Name("j", c).text] for c in range(n)])
        return self._chunks[1]

    @cached_property
    def steps(self) -> list[Any]:
        """The steps, each silent as run() is (wrapped on first use: a caller stepping through
        `kernels` never pays for wrapping 10,000 of them)."""
        return [quiet(fn) for fn in self.kernels]

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
        self.steps[self.pc](S)
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

    def event_at(self, index: int, time_s: float = 0.0) -> Event:
        """The Event of step `index` (run already) with the values its slots hold now, no
        copies: for a caller that steps through `kernels` and wants the event of one step."""
        ins = self.plan.instrs[index]
        S = self.slots
        out = S[ins.out]
        inputs = [S[a] if isinstance(a, int) else a[1] for a in ins.args[: len(ins.node.inputs)]]
        return Event(index, ins.node, inputs, out, time_s, int(getattr(out, "nbytes", 0)))

    def restart(self, *feeds: Any) -> Run:
        """Begin again from the first step on new feeds, in this run's buffer set and with its
        step functions (no allocation, no compilation): every value of the run so far is
        overwritten as it steps on, so nothing may still read them. Returns this run."""
        plan = self.plan
        for refresh in plan.graph.refresh:
            refresh()
        f = plan._feeds(feeds)
        if plan._lazy:  # as start() does before its buffers are allocated
            plan._check_feeds(f)
        self.slots = plan._load(f)
        self.pc = 0
        self.outputs = None
        return self

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
            self.steps[self.pc](self.slots)
            self.pc += 1
        if self.outputs is None:
            self.outputs = self.plan._finish(self.slots)
        return self.outputs


__all__ = ["Cell", "Event", "Instr", "Plan", "Run", "lookup"]
