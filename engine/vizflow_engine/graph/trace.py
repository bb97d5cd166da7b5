"""Tracing: run Python once with symbolic values, recording every dispatched op as a Node.

How it hooks in: while a trace runs, `dispatch.intercept(Tracer.handle)` sees every op, so
eager tensors a function closes over (model parameters, optimiser state) are captured too;
outside a trace, `register_symbolic_type(Value, ...)` routes any op with a Value input to that
Value's graph (the explicit builder). Shapes and dtypes come from each op's shape_rule.

Semantics (as tf.function / jax.jit):
- Python control flow runs at trace time and is unrolled; `bool(value)` raises TraceError.
- Arguments are pytrees (tuples, lists, dicts; keyword arguments by name): their array leaves
  are graph inputs. A new signature (structure; shape, dtype, device and requires_grad of each
  array; type and value of any other leaf, which is baked in) traces again, and so does a
  changed train/eval mode of a Module that ran during the trace.
- Python state the graph reads through a captured tensor (an optimiser's learning rate) is
  copied into it before every call by callbacks the traced code registered (before_each_call).
- Captured eager tensors are variables read by reference on every call; in-place writes to
  them (p -= lr * g, vf.optim's update ops) become variable updates applied by the plan.
- Deterministic creation ops (zeros, ones, …) with no symbolic input run once at trace time;
  a tensor made so (or by vf.tensor) that only the graph still holds once the trace is over
  becomes a constant, which folding can evaluate; one kept elsewhere (optimiser state) stays
  a variable. Random ops stay in the graph and draw new numbers on each call.
- Tensors the traced code creates are per-call values, also after in-place writes (acc += p).
  `t.detach()` of a captured tensor is a stop-gradient of its variable: it reads t on every
  call and no gradient flows back through it.
- `loss.backward()` on a symbolic loss adds backward nodes; during the trace `p.grad` holds
  the symbolic gradient, and a compiled call leaves it in p.grad as eager backward does: added
  to the .grad that exists when the call starts (read as a graph input), or fresh where there
  is none. Whether each .grad the trace read first was None is part of the cache key, so
  gradient accumulation and `p.grad = None` / `zero_grad()` steps both behave as in eager mode.
"""

from __future__ import annotations

import functools
import operator
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .. import functional as F
from ..creation import full
from ..dispatch import intercept, register_symbolic_type
from ..node import Node
from ..registry import OpDef
from ..tensor import RemovableHandle, StorageAlias, Tensor, _make
from .grad_watch import SLOT, raw_grad, watching_grads
from .graph_ops import mutates
from .ir import LITERALS, Graph, Value
from .passes.util import RANDOM_OPS
from .signature import Spec, call_key, is_array, leaves, spec, symbolic_args

if TYPE_CHECKING:
    from ..nn.module import Module


def _symbolic(op: OpDef, inputs: tuple[Any, ...], params: dict[str, Any]) -> Any:
    """Dispatch hook for Values outside a trace: add the op to the Values' graph."""
    g = next(x.graph for x in inputs if isinstance(x, Value))
    return g.apply(op, tuple(_convert(g, x) for x in inputs), params)


def _convert(g: Graph, x: Any) -> Any:
    if isinstance(x, Value) or type(x) in LITERALS:
        return x
    if isinstance(x, Tensor) and isinstance(x.array, Value):
        return x.array
    return g.constant(x)


register_symbolic_type(Value, _symbolic)


class Tracer:
    """Records every dispatch into a Graph; captured eager tensors become live variables."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.by_array: dict[int, Value] = {}
        # id -> (tensor, its original data, node and requires_grad, its variable)
        self.seen: dict[int, tuple[Tensor, Any, Any, bool, Value]] = {}
        # id -> (t.detach(), the array it shares, t's value then, its data): see detach
        self.detached: dict[int, tuple[Tensor, Any, Value, Any]] = {}
        # id(array) -> (array, its value after the last update op that wrote into it)
        self.arrays: dict[int, tuple[Any, Value]] = {}
        self.array_of: dict[int, tuple[Any, Value]] = {}  # id -> (array, value) t writes into
        self.stopped: dict[int, Value] = {}  # uid -> its stop-gradient
        # uid -> (array, base value, op, inputs, params, eager view, xp): see _note_view
        self.views: dict[int, tuple[Any, ...]] = {}
        self.reviewed: dict[tuple[int, int], Value] = {}  # (view uid, new base uid) -> view
        # id -> (tensor, its .grad when the call starts, whether that was read (not written))
        self.grad_first: dict[int, tuple[Tensor, Any, bool]] = {}
        self.grad_eager: dict[int, Any] = {}  # id -> the last eager .grad the code set
        self.grad_inputs: dict[int, tuple[Tensor, Value]] = {}  # placeholders of .grad read
        self.grad_key: list[tuple[Tensor, bool]] = []  # (tensor, .grad not None) read first
        self.grad_clears: list[Tensor] = []  # tensors whose .grad a call sets to None
        self.grad_stores: list[tuple[Tensor, Tensor]] = []  # (tensor, array its grad lands in)
        self.refresh: dict[Callable[[], None], None] = {}  # run before each call, in order
        self.hooks: dict[int, list[Callable[[Any], Any]]] = {}  # value uid -> gradient hooks
        self.leaf_versions: dict[int, Tensor] = {}  # uid -> the leaf it is the new value of
        self.modules: dict[int, Module] = {}  # modules called during the trace (report_calls)

    def handle(self, op: OpDef, inputs: tuple[Any, ...], params: dict[str, Any]) -> Any:
        """The intercept handler: every op becomes a node, except deterministic creation ops.

        zeros/ones/full/arange… without symbolic inputs run eagerly, once, at trace time (so
        state an optimiser creates on its first step is a real tensor); random ops stay nodes.
        In-place update ops become side-effecting nodes, and the written tensor then stands
        for the node's output, so later reads are ordered after the update.
        """
        if (
            op.category == "creation"
            and op.name not in RANDOM_OPS
            and not any(isinstance(x, Value) for x in inputs)
        ):
            return NotImplemented
        args = tuple(self.convert(x) for x in inputs)
        out = self.graph.apply(op, args, params)
        if not mutates(op):
            self._note_view(op, inputs, args, params, out)
        elif mutates(op):
            assert out.node is not None
            out.node.phase = "update"
            t = inputs[0]
            if isinstance(t, Tensor):
                array = self._array(t)
                t.array = out
                self.arrays[id(array)] = self.array_of[id(t)] = (array, out)
                self.leaf_written(t)
        return out

    def _note_view(
        self,
        op: OpDef,
        inputs: tuple[Any, ...],
        args: tuple[Any, ...],
        params: dict[str, Any],
        out: Any,
    ) -> None:
        """Remember out if, run eagerly on the real array, its kernel returns a view of a
        captured tensor's array (p[0:2], p.T…; not p.T.reshape(-1), a copy): eagerly an
        update op writing into that array later shows through the view."""
        t = inputs[0] if inputs else None
        if not isinstance(out, Value) or out.node is None:
            return
        if any(isinstance(a, Value) for a in args[1:]):
            return
        held = t if isinstance(t, Value) else getattr(t, "array", None)
        if isinstance(held, Value):
            base = self._view_entry(held)
            if base is None:
                return
            array, sample, xp = base[0], base[5], base[6]
        elif isinstance(t, Tensor):
            array = sample = self._array(t)
            xp = t.device.xp
            if isinstance(array, Value):
                return
        else:
            return
        try:
            view = op.forward(xp, sample, *args[1:], **out.node.params)
        except Exception:  # the kernel refuses what eager code would not give it: no view
            return
        if xp.may_share_memory(view, array):
            self.views[out.uid] = (array, args[0], op, args, out.node.params, view, xp)

    def _view_entry(self, v: Value) -> tuple[Any, ...] | None:
        """v's view record; a stop-gradient (detach) of a view is the same view."""
        e = self.views.get(v.uid)
        n = v.node
        if e is None and n is not None and n.op.name == "stop_gradient":
            x = n.inputs[0]
            base = self._view_entry(x) if isinstance(x, Value) else None
            if base is not None:
                e = self.views[v.uid] = (base[0], x, n.op, (x,), {}, base[5], base[6])
        return e

    def current(self, v: Value) -> Value:
        """v, or where v views an array an update op wrote into after v was made, the same
        view of the written value (as eagerly, where the view shares the array)."""
        e = self._view_entry(v)
        if e is None:
            return v
        array, base, op, args, params = e[:5]
        if self._view_entry(base) is not None:
            new = self.current(base)
        else:
            w = self.arrays.get(id(array))
            new = w[1] if w is not None and w[1].uid > v.uid else base
        if new is base:
            return v
        key = (v.uid, new.uid)
        hit = self.reviewed.get(key)
        if hit is None:
            hit = self.reviewed[key] = self.graph.apply(op, (new, *args[1:]), params)
        return hit

    def _array(self, t: Tensor) -> Any:
        """What eagerly is the array t's update ops write into: t's own, the one its last
        update op wrote into, or (after an op that rebinds t's data) the Value it holds."""
        last = self.array_of.get(id(t))
        return last[0] if last is not None and last[1] is t.array else t.array

    def leaf_written(self, t: Tensor) -> None:
        """t, a leaf that requires grad, was written in place (a parameter update): its new
        value is still that leaf, so a later backward gives t.grad its gradient and stops."""
        v = t.array
        if t.requires_grad and t.node is None and isinstance(v, Value):
            v.requires_grad = True
            self.leaf_versions[v.uid] = t

    def note_module(self, m: Module) -> None:
        """Remember a Module called during the trace: its train/eval mode shaped this graph,
        so the cache checks it on each call."""
        self.modules.setdefault(id(m), m)

    def convert(self, x: Any) -> Any:
        """A node input: Values and literals as they are; eager tensors captured as variables."""
        if isinstance(x, Value):
            if x.graph is not self.graph:
                raise ValueError(f"{x!r} comes from another graph")
            return self.current(x)
        if type(x) in LITERALS:
            return x
        if isinstance(x, Tensor):
            if x.__class__ is StorageAlias:  # p.data: p's current value, without gradient
                return self._stopped(self.convert(x.owner))
            d = self.detached.get(id(x))
            if d is not None and x.array is d[3]:
                return self._detached_value(d[1], d[2])
            if isinstance(x.array, Value):
                return self.current(x.array)
            v = self.by_array.get(id(x.array))
            if v is None or v.requires_grad != x.requires_grad:
                # a new tensor, or one sharing the array of a variable that differs in
                # requires_grad (detached before the trace): a variable of its own
                x = _inplace_owner(x)
                d = self.detached.get(id(x))
                if d is not None:
                    return self._detached_value(d[1], d[2])
                e = self.seen.get(id(x))
                if e is not None:
                    return e[4]
                v = self.graph.variable(x.name or "var", x, requires_grad=x.requires_grad)
                self.by_array.setdefault(id(x.array), v)
            if id(x) not in self.seen:
                self.seen[id(x)] = (x, x.array, x.node, x.requires_grad, v)
            return v
        return self.graph.constant(x)

    def detach(self, t: Tensor) -> Any:
        """t.detach() while tracing: a stand-in sharing t's array, as eagerly. Where it is
        used, it converts to a stop-gradient of that array's value then: t's value when it
        was detached, or what an update op (an optimiser step) wrote into the array since.
        An op that rebinds t's data (t.mul_(2), t += 1) gives t a new array, as eagerly, so
        the detached tensor does not see it."""
        v = self.convert(t)
        a = _make(t.array, t.device, None, False)
        self.detached[id(a)] = (a, self._array(t), v, a.array)
        return a

    def _detached_value(self, array: Any, v: Value) -> Value:
        """The graph value of a detached tensor sharing `array`, t's value v when detached."""
        w = self.arrays.get(id(array))
        if w is not None:
            v = w[1]
        return self._stopped(v)

    def _stopped(self, v: Value) -> Value:
        """v without gradient: one stop-gradient node per value."""
        if not v.requires_grad:
            return v
        stop = self.stopped.get(v.uid)
        if stop is None:
            stop = self.stopped[v.uid] = v.detach()
        return stop

    def overwrite(self, t: Tensor, src: Any) -> None:
        """t.zero_(), t.fill_(v) or t.copy_(src) while tracing: from here on t stands for src
        (broadcast and cast to t, no gradient through it) in the graph, so the write happens
        on every call (and updates a captured t) as it does eagerly."""
        self.convert(t)  # capture t's value before the write
        shape, dtype = tuple(t.shape), t.dtype
        if type(src) in (bool, int, float):
            t.array = self.convert(full(shape, src, dtype=dtype, device=t.device))
            return
        v = self.convert(src).detach()
        if v.dtype != dtype:
            v = F.cast(v, dtype)
        t.array = F.expand(v, shape)

    def grad_read(self, t: Tensor, g: Any) -> Any:
        """The first read of t.grad in this trace (grad_watch): the trace depends on whether
        it exists, and an existing eager gradient becomes a graph input read on every call."""
        k = id(t)
        if k in self.grad_first:
            return g
        self.grad_first[k] = (t, g, True)
        if isinstance(g, Tensor) and not isinstance(g.array, Value):
            v = self.graph.placeholder(f"{t.name or 'var'}.grad", g.array.shape, g.dtype, g.device)
            self.grad_inputs[k] = (t, v)
            SLOT.__set__(t, v)
            return v
        return g

    def grad_written(self, t: Tensor, g: Any) -> None:
        """A write of t.grad in this trace: a first one means its value at call start is not
        read; an eager value (None too) is what t.grad keeps after the trace, as Python ran."""
        if id(t) not in self.grad_first:
            self.grad_first[id(t)] = (t, raw_grad(t), False)
        if not isinstance(g, Value) and not isinstance(getattr(g, "array", None), Value):
            self.grad_eager[id(t)] = g

    def add_hook(self, v: Value, fn: Callable[[Any], Any]) -> RemovableHandle:
        """Value.register_hook: fn runs on v's gradient when symbolic backward reaches v."""
        hooks = self.hooks.setdefault(v.uid, [])
        hooks.append(fn)
        return RemovableHandle(hooks, fn)

    def run_hooks(self, v: Value, g: Value) -> Value:
        """v's gradient after its hooks (and those of the eager tensor a variable stands for),
        each given the gradient so far; a hook's result replaces it, None keeps it."""
        fns = list(self.hooks.get(v.uid, ()))
        if v.kind == "variable" and v.tensor is not None and v.tensor._hooks:
            fns += v.tensor._hooks
        for fn in fns:
            r = fn(g)
            if r is not None:
                g = self.convert(r)
        return g

    def accumulate_grad(self, t: Tensor, g: Value) -> None:
        """backward's gradient g for the eager tensor t: added to t.grad, as eager does."""
        prev = t.grad
        t.grad = g if prev is None else self.convert(prev) + g  # type: ignore[assignment]

    def close(self) -> None:
        """Turn symbolic in-place writes into graph updates and restore every eager tensor;
        then the tensors only the graph still holds become constants (_freeze_private)."""
        self._restore()
        self._restore_grads()
        self.seen.clear()  # the tracer's last references to captured tensors
        self.detached.clear()
        self.arrays.clear()
        self.views.clear()
        self.reviewed.clear()
        self.array_of.clear()
        self.grad_first.clear()
        self.grad_eager.clear()
        _freeze_private(self.graph)
        _mark_updates(self.graph)

    def _restore(self) -> None:
        """Give every captured tensor back its array, node and requires_grad (an in-place op
        in the trace changes them), recording in-place writes as graph updates."""
        for t, data, node, requires_grad, var in self.seen.values():
            if isinstance(t.array, Value):
                new = t.array
                t.array, t.node, t.requires_grad = data, node, requires_grad
                if var.kind == "variable" and new is not var and not _writes(new, var):
                    self.graph.assign(var, new)
        for a, _, _, data in self.detached.values():  # a write to t.detach() leaves t alone
            a.array = data

    def _restore_grads(self) -> None:
        """Give every tensor back the last eager .grad it held (Python's own assignments in
        the trace stay done), or, where the graph reads it, the one the call started with.
        Record what a call does to it: a symbolic gradient lands in a gradient store, a
        cleared one is cleared, and the .grad values read first key the trace (grad_key)."""
        for k, (t, start, read) in self.grad_first.items():
            final = raw_grad(t)
            placeholder = self.grad_inputs.get(k, (None, None))[1]
            if read:
                self.grad_key.append((t, start is not None))
            if final is None:
                if start is not None:
                    self.grad_clears.append(t)
            elif final is not start and final is not placeholder:
                self._store_grad(t, self.convert(final))
            # a .grad the graph reads stays as the call found it, for the call to read
            SLOT.__set__(t, start if placeholder is not None else self.grad_eager.get(k, start))

    def _store_grad(self, t: Tensor, grad: Value) -> None:
        """A gradient the traced code left in t.grad becomes a graph variable the plan writes
        (straight from the node computing it where it can), so a compiled call fills t.grad."""
        xp = grad.device.xp
        store = Tensor(xp.zeros(tuple(grad.shape), dtype=grad.dtype))
        var = self.graph.variable(f"{t.name or 'var'}.grad", store, requires_grad=False)
        self.graph.assign(var, grad)
        self.grad_stores.append((t, store))


def _freeze_private(g: Graph) -> None:
    """Make constants of the variables whose tensor nothing outside the graph still holds.

    A tensor the traced code made for itself (vf.zeros(n), vf.eye(k), vf.tensor(...)) is
    captured as a variable like any other, but once the trace is over only the graph can
    reach it: eager mode makes it afresh on every call, so it is a constant (which folding
    can evaluate), and a write to it (`acc += x`) must not carry over to the next call. A
    tensor still alive (optimiser state, a lazily built buffer) stays a variable, and so do
    tensors that need grad or that an in-place op node writes into.
    """
    written = {root.uid for n in g.nodes if mutates(n.op) and (root := _written(n)) is not None}
    private = [
        (v, weakref.ref(v.tensor), v.tensor.array)
        for v in g.variables
        if v.tensor is not None and not v.tensor.requires_grad and v.uid not in written
    ]
    for v, _, _ in private:
        v.tensor = None
    frozen: set[int] = set()
    for v, ref, arr in private:
        v.tensor = ref()
        if v.tensor is None:
            v.kind, v.value, v.requires_grad = "constant", arr, False
            frozen.add(v.uid)
    if frozen:
        g.variables = [v for v in g.variables if v.uid not in frozen]
        g.constants += [v for v, _, _ in private if v.uid in frozen]
        g.updates = [(var, new) for var, new in g.updates if var.uid not in frozen]


def _written(n: Node) -> Value | None:
    """The leaf value an in-place op node writes into (through a chain of such nodes)."""
    x = n.inputs[0]
    while isinstance(x, Value) and x.node is not None and mutates(x.node.op):
        x = x.node.inputs[0]
    return x if isinstance(x, Value) and x.node is None else None


def _writes(new: Value, var: Value) -> bool:
    """True when new is made by an in-place op that already wrote var's memory."""
    n = new.node
    return (
        n is not None
        and mutates(n.op)
        and isinstance(n.inputs[0], Value)
        and (n.inputs[0].uid == var.uid or _writes(n.inputs[0], var))
    )


def _inplace_owner(x: Tensor) -> Tensor:
    """The tensor an in-place op is updating when x is the alias Tensor._inplace made, else x."""
    f = sys._getframe(2)
    code = Tensor._inplace.__code__
    for _ in range(12):
        if f is None:
            break
        if f.f_code is code and f.f_locals.get("old") is x:
            owner = f.f_locals["self"]
            return owner if isinstance(owner, Tensor) else x
        f = f.f_back  # type: ignore[assignment]
    return x


class _Active(threading.local):
    """Each thread's stack of running tracers (set up on a thread's first look, so reading
    it never raises: a getattr default would cost ~1 µs on every Tensor.detach)."""

    def __init__(self) -> None:
        self.stack: list[Tracer] = []


_active = _Active()  # each thread traces on its own


def _tracers() -> list[Tracer]:
    return _active.stack


def active_tracer() -> Tracer | None:
    """The innermost tracer running in this thread, if any."""
    stack = _active.stack
    return stack[-1] if stack else None


def _wire_tensor() -> None:
    """Give Tensor.detach this lookup (by the module: the package's `tensor` is a function)."""
    tensor_mod: Any = sys.modules[Tensor.__module__]
    tensor_mod._active_tracer = active_tracer


_wire_tensor()


def before_each_call(callback: Callable[[], None]) -> bool:
    """While tracing, make every run of the traced function call `callback` first; returns
    False (and registers nothing) outside a trace.

    For Python state a graph reads through a captured tensor, such as an optimiser's learning
    rate: the callback copies the current value into the tensor, so a change needs no new
    trace. A callback registered twice (compare equal, like one bound method) runs once.
    """
    tr = active_tracer()
    if tr is None:
        return False
    tr.refresh[callback] = None
    return True


@contextmanager
def tracing(graph: Graph) -> Iterator[Tracer]:
    """Record every op dispatched inside into `graph`, and every Module called."""
    from ..nn.module import report_calls

    tr = Tracer(graph)
    _tracers().append(tr)
    try:
        with intercept(tr.handle), report_calls(tr.note_module), watching_grads(active_tracer):
            yield tr
    finally:
        _tracers().remove(tr)
        tr.close()


def _mark_updates(g: Graph) -> None:
    """Nodes that only feed variable updates (the optimiser's arithmetic) get phase "update"."""
    if not g.updates and not any(mutates(n.op) for n in g.nodes):
        return
    feeds_out: set[int] = set()
    stack = [v for v in g.outputs]
    while stack:
        v = stack.pop()
        if v.uid in feeds_out:
            continue
        feeds_out.add(v.uid)
        if v.node is not None:
            stack.extend(x for x in v.node.inputs if isinstance(x, Value))
    seen: set[int] = set()
    stack = [new for _, new in g.updates]
    stack += [g.out[n] for n in g.nodes if mutates(n.op)]
    for v in stack:
        feeds_out.discard(v.uid)
    while stack:
        v = stack.pop()
        if v.uid in seen or v.uid in feeds_out or v.node is None:
            continue
        seen.add(v.uid)
        if v.node.phase == "forward":
            v.node.phase = "update"
            stack.extend(x for x in v.node.inputs if isinstance(x, Value))


# ---- results ------------------------------------------------------------------------------


Tree = Any


def _flatten_out(g: Graph, out: Any) -> Tree:
    """Register the traced function's result values as outputs; return its structure."""
    tr = active_tracer()
    if isinstance(out, Tensor):
        if tr is not None:
            out = tr.convert(out)
        elif isinstance(out.array, Value):
            out = out.array
    elif isinstance(out, Value) and tr is not None:
        out = tr.current(out)
    if isinstance(out, (Value, Tensor, np.ndarray, int, float)):
        g.output(out if isinstance(out, Value) else g._own(out))
        return len(g.outputs) - 1
    if isinstance(out, (tuple, list)):
        return (type(out), [_flatten_out(g, o) for o in out])
    if isinstance(out, dict):
        return (dict, {k: _flatten_out(g, o) for k, o in out.items()})
    if out is None:
        return None
    raise TypeError(
        f"a traced function may return tensors, numbers, tuples, lists, dicts or "
        f"None; got {type(out).__name__}"
    )


def unflatten(tree: Tree, values: list[Any]) -> Any:
    """Rebuild the traced function's result structure from flat output values."""
    if tree is None:
        return None
    if isinstance(tree, int):
        return values[tree]
    kind, items = tree
    if kind is dict:
        return {k: unflatten(t, values) for k, t in items.items()}
    return kind(unflatten(t, values) for t in items)


GradStores = list[tuple[Tensor, Tensor]]


class Grads(NamedTuple):
    """What a traced call does with .grad: the (tensor, store) of every .grad it sets, the
    tensors whose .grad it clears, the tensors whose .grad it reads (graph inputs after the
    arguments', in order), whether each .grad read first existed (the cache checks it), the
    (argument array, output) pairs whose output a call adds to that argument's .grad, and
    those whose output becomes the argument's value (fn wrote it in place)."""

    stores: GradStores
    clears: tuple[Tensor, ...]
    inputs: tuple[Tensor, ...]
    key: tuple[tuple[Tensor, bool], ...]
    args: tuple[tuple[int, int], ...]
    writes: tuple[tuple[int, int], ...]


class Traced(NamedTuple):
    """What tracing a function gives: its graph (with the callbacks to run before each run,
    Graph.refresh), the tree of its outputs, what a call does with .grad (`grads`), and
    the modules whose train/eval modes (`modes`, as traced) the graph depends on."""

    graph: Graph
    tree: Tree
    grads: Grads
    modules: tuple[Module, ...]
    modes: list[bool]


def trace_graph(
    fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any] | None = None
) -> Traced:
    """Trace fn on example args: array leaves (arrays, Tensors, specs) become placeholders."""
    from ..nn.module import Module

    kwargs = kwargs or {}
    g = Graph(_name_of(fn))
    sym, sym_kw = symbolic_args(g, fn, args, kwargs)
    arg_inputs = list(g.inputs)  # the placeholders fn gets (an in-place write changes one)
    with tracing(g) as tr:
        out = fn(*sym, **sym_kw)
        tree = _flatten_out(g, out)
        # drop the outputs before the trace ends: a tensor made inside fn and returned must
        # not look held from outside, or it would stay a variable that carries over calls
        del out
        arg_grads = _output_arg_grads(g, g.inputs[: len(arg_inputs)])
        arg_writes = _output_arg_writes(g, arg_inputs)
    roots = [*tr.modules.values(), *_reachable(fn), *leaves(args, kwargs)]
    mods = {id(m): m for r in roots if isinstance(r, Module) for m in r.modules()}
    modules = tuple(mods.values())
    g.refresh = tuple(tr.refresh)  # every plan compiled from g runs them before each run
    grads = Grads(
        tr.grad_stores,
        tuple(tr.grad_clears),
        tuple(t for t, _ in tr.grad_inputs.values()),
        tuple(tr.grad_key),
        arg_grads,
        arg_writes,
    )
    return Traced(g, tree, grads, modules, _modes(modules))


def _output_arg_grads(g: Graph, arg_inputs: list[Value]) -> tuple[tuple[int, int], ...]:
    """Make the gradient backward left on each argument's placeholder an extra output of g;
    returns (argument array number, output number) pairs for the call to add them to .grad."""
    pairs = []
    for i, v in enumerate(arg_inputs):
        if isinstance(v.grad, Value):
            g.output(v.grad)
            pairs.append((i, len(g.outputs) - 1))
    return tuple(pairs)


def _output_arg_writes(g: Graph, arg_inputs: list[Value]) -> tuple[tuple[int, int], ...]:
    """Make the last value of each argument fn wrote in place (x += v: its placeholder object
    now names that value) an extra output of g; returns (argument array, output) pairs for
    the call to give the caller's tensor, as eager mode changes it."""
    pairs = []
    for i, v in enumerate(arg_inputs):
        if v.kind != "input":
            g.output(v)
            pairs.append((i, len(g.outputs) - 1))
    return tuple(pairs)


_training = operator.attrgetter("training")


def _modes(modules: tuple[Module, ...]) -> list[bool]:
    """The train/eval flag of each module (compared on every call: kept to one C loop)."""
    return list(map(_training, modules))


def _name_of(fn: Callable[..., Any]) -> str:
    """A graph's name: the function's (a bound method's, via its partial), or the class's."""
    fn = getattr(fn, "func", fn)
    name: str = getattr(fn, "__name__", None) or type(fn).__name__
    return name


def _reachable(fn: Any) -> list[Any]:
    """Objects fn holds directly: itself, a bound self, a partial's arguments, closure cells."""
    objs = [fn, getattr(fn, "__self__", None)]
    if isinstance(fn, functools.partial):
        objs += fn.args
    for cell in getattr(fn, "__closure__", None) or ():
        try:
            objs.append(cell.cell_contents)
        except ValueError:  # an empty cell
            continue
    return objs


def trace(fn: Callable[..., Any], *specs: Any, **kwargs: Any) -> Graph:
    """The Graph of fn for inputs described by specs (vf.spec), arrays or Tensors.

    The callbacks fn registered with before_each_call (an optimiser's lr refresh) stay with
    the graph (Graph.refresh, kept by passes, not saved to files): every Plan compiled from
    it runs them before each run, so a changed learning rate reaches a hand-compiled step.
    """
    if isinstance(fn, Function):
        fn = fn.fn
    return trace_graph(fn, specs, kwargs).graph


class _Entry:
    """One compiled trace of a Function: its plan and what a call needs around it."""

    __slots__ = ("grads", "graph", "modes", "modules", "plan", "store_of", "tree", "writes")

    def __init__(self, plan: Any, t: Traced) -> None:
        self.plan = plan
        self.graph, self.tree, self.grads = t.graph, t.tree, t.grads
        self.modules, self.modes = t.modules, t.modes
        self.store_of = {id(p): store for p, store in t.grads.stores}
        g, gr = t.graph, t.grads
        # a call that writes state (variables, .grad, arguments) runs alone: see Function
        self.writes = bool(
            g.updates
            or any(mutates(n.op) for n in g.nodes)
            or gr.inputs
            or gr.stores
            or gr.clears
            or gr.args
            or gr.writes
        )

    def fits(self) -> bool:
        """Whether this trace holds for the call now: same module modes, and every .grad it
        read first exists or not as it did then."""
        if self.modules and _modes(self.modules) != self.modes:
            return False
        return all((t.grad is not None) is had for t, had in self.grads.key)

    def grad_feeds(self) -> list[Any]:
        """The arrays of the .grad values the graph reads (a copy of one it also writes)."""
        feeds = []
        for t in self.grads.inputs:
            g = t.grad
            assert g is not None  # fits() checked it
            feeds.append(g.array.copy() if g is self.store_of.get(id(t)) else g.array)
        return feeds


class Function:
    """A Python function compiled per input signature (shapes, dtypes, devices), like jax.jit.

    The first call with a new signature traces fn into a Graph (Python control flow is
    unrolled), optionally optimises it, and compiles a Plan; later calls just run the plan.
    Called while another function is being traced, it runs fn inline (one graph, like jit).
    Thread-safe: tracing, and calls that write state (parameters, .grad, arguments), run
    one at a time; calls that only compute run concurrently, each in its own buffers.
    """

    def __init__(
        self, fn: Callable[..., Any], optimize: bool = True, parallel: bool | str = "auto"
    ) -> None:
        self.fn = fn
        self.optimize = optimize
        self.parallel = parallel
        self.cache: dict[tuple[Any, ...], list[_Entry]] = {}  # signature -> traces by mode
        self._lock = threading.RLock()  # tracing, and calls that write state, one at a time
        functools.update_wrapper(self, fn, updated=())  # not a module's state

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        """As a method: fn bound to obj, compiled once per instance (each has its own cache)."""
        if obj is None:
            return self
        try:
            bound: dict[Function, Function] = obj.__dict__.setdefault("_vf_functions", {})
        except AttributeError:
            raise TypeError(
                f"@vf.function on a method needs instances with a __dict__ to keep their "
                f"compiled graphs; {type(obj).__name__} has none (it uses __slots__)"
            ) from None
        f = bound.get(self)
        if f is None:
            f = Function(functools.partial(self.fn, obj), self.optimize, self.parallel)
            bound[self] = f
        return f

    def _entry(self, args: tuple[Any, ...], kwargs: dict[str, Any], key: Any) -> _Entry:
        entries = self.cache.get(key)
        if entries is None:
            entries = self.cache[key] = []
        for e in entries:
            if e.fits():
                return e
        t = trace_graph(self.fn, args, kwargs)
        run_g = t.graph
        if self.optimize:
            from .passes import optimize

            run_g = optimize(t.graph)[0]
        from .executor import compile_plan

        e = _Entry(compile_plan(run_g, parallel=self.parallel), t)
        entries.append(e)
        return e

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _active.stack:
            return self.fn(*args, **kwargs)
        key, feeds = call_key(args, kwargs)
        with self._lock:  # a trace swaps captured tensors' data while it runs
            e = self._entry(args, kwargs, key)
            if e.writes:
                return self._call(e, args, kwargs, feeds)
        return self._call(e, args, kwargs, feeds)

    def _call(self, e: _Entry, args: tuple[Any, ...], kwargs: dict[str, Any], feeds: Any) -> Any:
        """Run a compiled trace on a call's feeds and hand back results and .grad values."""
        if e.grads.inputs:
            feeds += e.grad_feeds()
        outs = e.plan.run(*feeds)  # runs the graph's refresh callbacks (lr) first
        for t, store in e.grads.stores:  # as after eager backward(): .grad holds the gradient
            t.grad = store
        for t in e.grads.clears:
            t.grad = None
        dev = e.plan.device
        res = [_make(o, dev, None, False) for o in outs]
        if e.grads.args or e.grads.writes:
            _to_arguments(args, kwargs, e.grads, res)
        return unflatten(e.tree, res)

    def graph(self, *args: Any, **kwargs: Any) -> Graph:
        """The traced (unoptimised) Graph for these example args or specs."""
        if any(isinstance(a, Spec) for a in leaves(args, kwargs)):
            return trace_graph(self.fn, args, kwargs).graph
        return self._entry(args, kwargs, call_key(args, kwargs)[0]).graph

    def plan(self, *args: Any, **kwargs: Any) -> Any:
        """The compiled Plan used for these example args."""
        return self._entry(args, kwargs, call_key(args, kwargs)[0]).plan

    def grad(self, *args: Any, wrt: Any = None, **kwargs: Any) -> Graph:
        """The graph of this function with gradient outputs added (see vf.grad_graph).

        By default it differentiates every input and variable that requires grad.
        """
        from .autodiff import grad_graph

        g = self.graph(*args, **kwargs)
        if wrt is None:
            wrt = [v.name for v in [*g.inputs, *g.variables] if v.requires_grad]
            if not wrt:
                raise ValueError(
                    f"{_name_of(self.fn)}.grad(...) has nothing to differentiate: no argument has "
                    "requires_grad=True and the function reads no tensor that requires grad; "
                    "pass tensors with requires_grad=True, or name the inputs with wrt="
                    f"{[v.name for v in g.inputs]}"
                )
        return grad_graph(g, wrt=wrt)


def _to_arguments(
    args: tuple[Any, ...], kwargs: dict[str, Any], grads: Grads, res: list[Any]
) -> None:
    """What eager mode does to a call's Tensor arguments: backward adds to their .grad, and
    an in-place write gives them the new value."""
    arrays = [a for a in leaves(args, kwargs) if is_array(a)]
    for i, j in grads.writes:
        t = arrays[i]
        if isinstance(t, Tensor):
            t.array = res[j].array
    for i, j in grads.args:
        t = arrays[i]
        if isinstance(t, Tensor):
            g = res[j]
            t.grad = g if t.grad is None else _make(t.grad.array + g.array, t.device, None, False)


def function(
    fn: Callable[..., Any] | None = None, *, optimize: bool = True, parallel: bool | str = "auto"
) -> Any:
    """Decorator: trace fn on first call per input signature and run the compiled graph after."""
    if fn is None:
        return lambda f: Function(f, optimize=optimize, parallel=parallel)
    return Function(fn, optimize=optimize, parallel=parallel)


__all__ = ["Function", "Spec", "Traced", "before_each_call", "function", "spec", "trace"]
