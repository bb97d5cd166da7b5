"""Tracing: run Python once with symbolic values, recording every dispatched op as a Node.

How it hooks in: while a trace runs, `dispatch.intercept(Tracer.handle)` sees every op, so
eager tensors a function closes over (model parameters, optimiser state) are captured too;
outside a trace, `register_symbolic_type(Value, ...)` routes any op with a Value input to that
Value's graph (the explicit builder). Shapes and dtypes come from each op's shape_rule.

Semantics (as tf.function / jax.jit):
- Python control flow runs at trace time and is unrolled; `bool(value)` raises TraceError.
- A new signature (shapes, dtypes, devices of array arguments; values of other arguments)
  traces again; Python scalars are baked in.
- Captured eager tensors are variables read by reference on every call; in-place writes to
  them (p -= lr * g, vf.optim's update ops) become variable updates applied by the plan.
- Deterministic creation ops (zeros, ones, …) with no symbolic input run once at trace time;
  random ops stay in the graph and draw new numbers on each call.
- `loss.backward()` on a symbolic loss adds backward nodes; during the trace `p.grad` holds
  the symbolic gradient. A compiled call does not write `.grad`: return grads if needed.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import dtypes
from ..backend import Device, device_of_array, get_device
from ..dispatch import intercept, register_symbolic_type
from ..registry import OpDef
from ..tensor import Tensor, _make
from .graph_ops import mutates
from .ir import LITERALS, Graph, Shape, Value
from .passes.util import RANDOM_OPS


@dataclass(frozen=True)
class Spec:
    """An input signature: shape (None or a name for unknown dims), dtype and device."""

    shape: Shape
    dtype: Any = "float32"
    device: str = "cpu"


def spec(shape: Shape, dtype: Any = "float32", device: str = "cpu") -> Spec:
    """Describe a graph input; dims may be None or a name like "batch"."""
    return Spec(tuple(shape), str(dtypes.as_dtype(dtype)), device)


def _symbolic(op: OpDef, inputs: tuple[Any, ...], params: dict[str, Any]) -> Any:
    """Dispatch hook for Values outside a trace: add the op to the Values' graph."""
    g = next(x.graph for x in inputs if isinstance(x, Value))
    return g.apply(op, tuple(_convert(g, x) for x in inputs), params)


def _convert(g: Graph, x: Any) -> Any:
    if isinstance(x, Value) or type(x) in LITERALS:
        return x
    if isinstance(x, Tensor) and isinstance(x.data, Value):
        return x.data
    return g.constant(x)


register_symbolic_type(Value, _symbolic)


class Tracer:
    """Records every dispatch into a Graph; captured eager tensors become live variables."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.by_array: dict[int, Value] = {}
        self.seen: dict[int, tuple[Tensor, Any]] = {}  # id -> (tensor, its original data)
        self.grads: dict[int, tuple[Tensor, Any]] = {}  # tensors whose .grad tracing replaced
        self.grad_stores: list[tuple[Tensor, Tensor]] = []  # (tensor, array its grad lands in)

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
        out = self.graph.apply(op, tuple(self.convert(x) for x in inputs), params)
        if mutates(op):
            assert out.node is not None
            out.node.phase = "update"
            t = inputs[0]
            if isinstance(t, Tensor):
                t.data = out
        return out

    def convert(self, x: Any) -> Any:
        """A node input: Values and literals as they are; eager tensors captured as variables."""
        if isinstance(x, Value):
            if x.graph is not self.graph:
                raise ValueError(f"{x!r} comes from another graph")
            return x
        if type(x) in LITERALS:
            return x
        if isinstance(x, Tensor):
            if isinstance(x.data, Value):
                return x.data
            v = self.by_array.get(id(x.data))
            if v is None:
                x = _inplace_owner(x)
                name = x.name or "var"
                v = self.graph.variable(name, x, requires_grad=x.requires_grad)
                self.by_array[id(x.data)] = v
            if id(x) not in self.seen:
                self.seen[id(x)] = (x, x.data)
                if not isinstance(x.grad, Value):
                    self.grads.setdefault(id(x), (x, x.grad))
            return v
        return self.graph.constant(x)

    def set_grad(self, t: Tensor, g: Value) -> None:
        """Give an eager tensor a symbolic .grad during the trace (restored afterwards)."""
        if id(t) not in self.grads:
            self.grads[id(t)] = (t, t.grad)
        t.grad = g  # type: ignore[assignment]

    def close(self) -> None:
        """Turn symbolic in-place writes into graph updates and restore every eager tensor."""
        for t, orig in self.seen.values():
            if isinstance(t.data, Value):
                new = t.data
                var = self.by_array[id(orig)]
                t.data = orig
                if new is not var and not _writes(new, var):
                    self.graph.assign(var, new)
        for t, g in self.grads.values():
            if isinstance(t.grad, Value):
                self._store_grad(t, t.grad)
            t.grad = g
        _mark_updates(self.graph)

    def _store_grad(self, t: Tensor, grad: Value) -> None:
        """A gradient the traced code left in t.grad becomes a graph variable the plan writes
        (straight from the node computing it where it can), so a compiled call fills t.grad."""
        xp = grad.device.xp
        store = Tensor(xp.zeros(tuple(grad.shape), dtype=grad.dtype))
        var = self.graph.variable(f"{t.name or 'var'}.grad", store, requires_grad=False)
        self.graph.assign(var, grad)
        self.grad_stores.append((t, store))


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


_active = threading.local()  # each thread traces on its own


def _tracers() -> list[Tracer]:
    stack: list[Tracer] | None = getattr(_active, "stack", None)
    if stack is None:
        stack = _active.stack = []
    return stack


def active_tracer() -> Tracer | None:
    """The innermost tracer running in this thread, if any."""
    stack = _tracers()
    return stack[-1] if stack else None


@contextmanager
def tracing(graph: Graph) -> Iterator[Tracer]:
    """Record every op dispatched inside into `graph`."""
    tr = Tracer(graph)
    _tracers().append(tr)
    try:
        with intercept(tr.handle):
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


# ---- flattening of arguments and results ---------------------------------------------------


def _is_array(x: Any) -> bool:
    return isinstance(x, (Tensor, np.ndarray, Spec)) or hasattr(x, "__cuda_array_interface__")


def signature(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Cache key of a call: (shape, dtype, device) for arrays, the value for anything else."""
    key: list[Any] = []
    for a in args:
        if isinstance(a, Tensor):
            key.append(("T", a.data.shape, a.data.dtype.str, a.device.name))
        elif isinstance(a, np.ndarray):
            key.append(("A", a.shape, a.dtype.str, "cpu"))
        elif hasattr(a, "__cuda_array_interface__"):
            key.append(("A", tuple(a.shape), a.dtype.str, device_of_array(a).name))
        elif isinstance(a, (list, tuple)) and any(_is_array(x) for x in a):
            key.append((type(a).__name__, signature(tuple(a))))
        else:
            try:
                hash(a)
            except TypeError:
                key.append(("id", id(a)))
            else:
                key.append(("py", a))
    return tuple(key)


def _placeholder(g: Graph, a: Any, name: str) -> Value:
    if isinstance(a, Spec):
        return g.placeholder(name, a.shape, a.dtype, a.device)
    if isinstance(a, Tensor):
        v = g.placeholder(name, a.data.shape, a.data.dtype, a.device)
        v.requires_grad = a.requires_grad
        return v
    if hasattr(a, "__cuda_array_interface__"):
        return g.placeholder(name, tuple(a.shape), a.dtype, device_of_array(a))
    arr = np.asarray(a)
    return g.placeholder(name, arr.shape, arr.dtype)


def _symbolic_args(g: Graph, args: tuple[Any, ...], names: list[str]) -> tuple[Any, ...]:
    out: list[Any] = []
    for i, a in enumerate(args):
        nm = names[i] if i < len(names) else f"arg{i}"
        if _is_array(a):
            out.append(_placeholder(g, a, nm))
        elif isinstance(a, (list, tuple)) and any(_is_array(x) for x in a):
            seq: Any = type(a)(_placeholder(g, x, f"{nm}_{j}") for j, x in enumerate(a))
            out.append(seq)
        else:
            out.append(a)
    return tuple(out)


def flatten_arrays(args: tuple[Any, ...]) -> list[Any]:
    """The array arguments in placeholder order (backend arrays)."""
    out: list[Any] = []
    for a in args:
        if isinstance(a, Tensor):
            out.append(a.data)
        elif isinstance(a, np.ndarray) or hasattr(a, "__cuda_array_interface__"):
            out.append(a)
        elif isinstance(a, (list, tuple)) and any(_is_array(x) for x in a):
            out.extend(flatten_arrays(tuple(a)))
    return out


Tree = Any


def _flatten_out(g: Graph, out: Any) -> Tree:
    """Register the traced function's result values as outputs; return its structure."""
    if isinstance(out, Tensor):
        tr = active_tracer()
        out = out.data if isinstance(out.data, Value) or tr is None else tr.convert(out)
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


def _arg_names(fn: Callable[..., Any]) -> list[str]:
    import inspect

    try:
        return list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return []


GradStores = list[tuple[Tensor, Tensor]]


def trace_graph(
    fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any] | None = None
) -> tuple[Graph, Tree, GradStores]:
    """Trace fn on example args (arrays/Tensors/specs become placeholders).

    Returns the graph, the tree of its outputs, and (tensor, store) for every .grad the
    traced code set: running the graph writes that gradient into the store.
    """
    g = Graph(getattr(fn, "__name__", "graph"))
    sym = _symbolic_args(g, args, _arg_names(fn))
    with tracing(g) as tr:
        out = fn(*sym, **(kwargs or {}))
        tree = _flatten_out(g, out)
    return g, tree, tr.grad_stores


def trace(fn: Callable[..., Any], *specs: Any, **kwargs: Any) -> Graph:
    """The Graph of fn for inputs described by specs (vf.spec), arrays or Tensors."""
    if isinstance(fn, Function):
        fn = fn.fn
    return trace_graph(fn, specs, kwargs)[0]


class Function:
    """A Python function compiled per input signature (shapes, dtypes, devices), like jax.jit.

    The first call with a new signature traces fn into a Graph (Python control flow is
    unrolled), optionally optimises it, and compiles a Plan; later calls just run the plan.
    """

    def __init__(
        self, fn: Callable[..., Any], optimize: bool = True, parallel: bool | str = "auto"
    ) -> None:
        self.fn = fn
        self.optimize = optimize
        self.parallel = parallel
        self.cache: dict[tuple[Any, ...], tuple[Any, Tree, Graph, GradStores]] = {}
        functools.update_wrapper(self, fn)

    def _entry(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[Any, Tree, Graph, GradStores]:
        key = signature(args) + signature(tuple(sorted(kwargs.items())))
        hit = self.cache.get(key)
        if hit is None:
            g, tree, stores = trace_graph(self.fn, args, kwargs)
            run_g = g
            if self.optimize:
                from .passes import optimize

                run_g = optimize(g)[0]
            from .executor import compile_plan

            hit = (compile_plan(run_g, parallel=self.parallel), tree, g, stores)
            self.cache[key] = hit
        return hit

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        plan, tree, _, stores = self._entry(args, kwargs)
        outs = plan.run(*flatten_arrays(args))
        for t, store in stores:  # as after eager backward(): .grad holds this call's gradient
            t.grad = store
        dev = plan.device
        return unflatten(tree, [_make(o, dev, None, False) for o in outs])

    def graph(self, *args: Any, **kwargs: Any) -> Graph:
        """The traced (unoptimised) Graph for these example args or specs."""
        if any(isinstance(a, Spec) for a in args):
            return trace_graph(self.fn, args, kwargs)[0]
        return self._entry(args, kwargs)[2]

    def plan(self, *args: Any, **kwargs: Any) -> Any:
        """The compiled Plan used for these example args."""
        return self._entry(args, kwargs)[0]

    def grad(self, *args: Any, wrt: Any = None) -> Graph:
        """The graph of this function with gradient outputs added (see vf.grad_graph)."""
        from .autodiff import grad_graph

        return grad_graph(self.graph(*args), wrt=wrt)


def function(
    fn: Callable[..., Any] | None = None, *, optimize: bool = True, parallel: bool | str = "auto"
) -> Any:
    """Decorator: trace fn on first call per input signature and run the compiled graph after."""
    if fn is None:
        return lambda f: Function(f, optimize=optimize, parallel=parallel)
    return Function(fn, optimize=optimize, parallel=parallel)


def device_of(args: list[Any]) -> Device:
    """The device of the first array argument (CPU when none)."""
    for a in args:
        if hasattr(a, "__cuda_array_interface__"):
            return get_device("cuda")
    return get_device("cpu")
