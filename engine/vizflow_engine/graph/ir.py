"""The graph IR: typed symbolic Values and a Graph of the engine's shared Node objects."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from .._state import STATE
from ..backend import CPU, Device, device_of_array, get_device
from ..dispatch import dispatch as _dispatch_op
from ..node import Node, SourceLocation, capture
from ..registry import OpDef, TensorSpec
from ..tensor import ElementCount, Tensor
from .dims import concrete
from .dims import infer as infer_spec
from .errors import TraceError, trace_error
from .graph_ops import STOP_GRADIENT

Dim = int | str | None
Shape = tuple[Dim, ...]
LITERALS = (int, float, bool, type(None))

_ids = itertools.count()


class UnknownCount:
    """A traced value's size while some dim is unknown: size() gives the shape (unknown dims
    as None or their names) and size(d) a known dim's length; as a number it is a TraceError."""

    __slots__ = ("name", "shape")

    def __init__(self, shape: tuple[Any, ...], name: str) -> None:
        self.shape = shape
        self.name = name

    def __call__(self, dim: int | None = None) -> Any:
        if dim is None:
            return self.shape
        n = len(self.shape)
        if not -n <= dim < n:
            raise IndexError(f"dim {dim} is out of range for a {n}-d value")
        d = self.shape[dim]
        if not isinstance(d, int):
            raise trace_error(
                f"dim {dim} of {self.name} ({d!r}) is unknown at trace time (shape "
                f"{self.shape}); use -1 in reshape, or trace with a known size"
            )
        return d

    def __index__(self) -> int:
        raise trace_error(
            f"size of {self.name} is unknown at trace time (shape {self.shape}); "
            "use size(d) of a known dim, or -1 in reshape"
        )

    __int__ = __index__


_READ_AFTER = (
    "Return it from the function and read it after the call (e.g. `loss = step(x); "
    "loss.item()`), or keep it a tensor (vf.where, arithmetic) instead of a Python number."
)


class Value:
    """A typed edge of a Graph: a placeholder, variable, constant, or the output of one Node.

    It supports the same operators and methods as an eager Tensor (they go through dispatch,
    which routes them to the graph), so one model definition runs in both modes.
    """

    __slots__ = (
        "__weakref__",
        "device",
        "dtype",
        "grad",
        "graph",
        "kind",
        "name",
        "node",
        "requires_grad",
        "shape",
        "tensor",
        "uid",
        "value",
    )

    def __init__(
        self,
        graph: Graph,
        kind: str,
        shape: Shape,
        dtype: Any,
        device: Device,
        name: str,
        node: Node | None = None,
        requires_grad: bool = False,
    ) -> None:
        self.graph = graph
        self.kind = kind  # "input" | "variable" | "constant" | "op"
        self.shape = tuple(shape)
        self.dtype = dtypes.as_dtype(dtype)
        self.device = device
        self.name = name
        self.node = node
        self.requires_grad = requires_grad
        self.grad: Value | None = None
        self.tensor: Tensor | None = None  # variables: the live eager tensor they stand for
        self.value: Any = None  # constants (and variables built from arrays): the array
        self.uid = next(_ids)

    # ---- type -----------------------------------------------------------------------------
    @property
    def spec(self) -> TensorSpec:
        """The TensorSpec shape rules see (named dims as None)."""
        return TensorSpec(concrete(self.shape), self.dtype)

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self.shape)

    @property
    def size(self) -> ElementCount | UnknownCount:
        """Number of elements, callable like PyTorch's size() as Tensor's is; with an unknown
        dim, size() and size(d) of a known dim still work, and using it as a number fails."""
        n = 1
        for d in self.shape:
            if not isinstance(d, int):
                return UnknownCount(self.shape, self.name)
            n *= d
        return ElementCount(n, self.shape)  # type: ignore[arg-type]  # all dims known here

    def numel(self) -> int:
        """Number of elements (torch's name; needs known dims)."""
        return int(self.size)

    def dim(self) -> int:
        """Number of dimensions (torch's name)."""
        return len(self.shape)

    @property
    def is_leaf(self) -> bool:
        """True for placeholders, variables and constants."""
        return self.node is None

    @property
    def array(self) -> Value:
        """Itself: lets an eager tensor's in-place op hold a symbolic value while tracing."""
        return self

    @property
    def data(self) -> Value:
        """This value without gradient (PyTorch's `.data` read on a traced value)."""
        return self.detach()

    def astype(self, dtype: Any, copy: bool = True) -> Value:
        """Cast to dtype (no node when the dtype is already right)."""
        from .. import functional as F

        d = dtypes.as_dtype(dtype)
        return self if d == self.dtype else F.cast(self, d)

    def detach(self) -> Value:
        """The same value with no gradient flowing back (a stop_gradient node)."""
        return self.graph.apply(STOP_GRADIENT, (self,), {})

    def backward(
        self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False
    ) -> None:
        """Add backward nodes to the graph and set .grad of variables/inputs that need it."""
        from .autodiff import backward

        backward(self, gradient, create_graph=create_graph)

    def register_hook(self, fn: Callable[[Any], Any]) -> Any:
        """Inside a traced function: call fn(grad) on this value's gradient when backward
        reaches it (a returned value replaces it), as Tensor.register_hook does; returns a
        handle whose remove() takes the hook off."""
        from .trace import active_tracer

        tr = active_tracer()
        if tr is None or tr.graph is not self.graph:
            raise trace_error(
                f"register_hook on graph value {self.name!r} works only while its function is "
                "traced (@vf.function); on a built graph, edit the gradient nodes instead"
            )
        if not self.requires_grad:
            raise RuntimeError(f"register_hook on {self.name!r}, which does not require grad")
        return tr.add_hook(self, fn)

    def _inplace(self, fn: Any) -> Value:
        """In-place update (y += 1, y[i] = v) as in eager mode: this object now names fn(old).

        Nodes that already read it keep the old value, which moves to a copy of this object,
        so every value keeps one uid; a variable updated in place records a graph update.
        """
        old = self._alias()
        res = fn(old)
        if not isinstance(res, Value):
            raise trace_error("an in-place op on a symbolic value must produce a symbolic value")
        if res is old:
            return self
        self._check_inplace(res)
        if res.dtype != self.dtype:
            res = res.astype(self.dtype)
        g = self.graph
        g.redirect(self, old)
        for s in Value.__slots__[1:]:
            setattr(self, s, getattr(res, s))
        g.redirect(res, self)
        if old.kind == "variable":
            g.assign(old, self)
        return self

    def _alias(self) -> Value:
        """A new object with this value's fields (the same uid: it takes this one's place)."""
        v = object.__new__(Value)
        for s in Value.__slots__[1:]:
            setattr(v, s, getattr(self, s))
        return v

    def _check_inplace(self, res: Value) -> None:
        """Eager mode's rules: no shape change, no in-place op on a leaf that needs grad."""
        if len(res.shape) != len(self.shape) or any(
            isinstance(a, int) and isinstance(b, int) and a != b
            for a, b in zip(res.shape, self.shape, strict=True)
        ):
            raise ValueError(
                f"in-place op on {self.name!r} would change shape {self.shape} to {res.shape}"
            )
        if self.is_leaf and self.requires_grad and res.requires_grad:
            raise trace_error(
                f"in-place op on {self.kind} {self.name!r}, a leaf that requires grad; wrap "
                "it in vf.no_grad() (e.g. for a parameter update) or update a copy"
            )

    def __setitem__(self, index: Any, value: Any) -> None:
        from ..ops.indexing import index_put

        self._inplace(lambda old: index_put(old, index, value))

    def zero_(self) -> Value:
        """In place: zeros of the same shape."""
        return self._inplace(lambda t: t * 0.0)

    # ---- concrete facts are not available -----------------------------------------------
    def __bool__(self) -> bool:
        raise trace_error(
            f"the truth value of symbolic value {self.name!r} (shape {self.shape}) is not known "
            "while tracing: Python `if`/`while`/`and`/`or` on a traced value cannot be compiled "
            "into the graph. Python control flow is unrolled at trace time, so branch on "
            "Python values (shapes, flags), or compute both sides and pick with vf.where(cond, "
            "a, b); or run the function eagerly (without @vf.function)."
        )

    def _concrete(self, what: str, instead: str = _READ_AFTER) -> TraceError:
        return trace_error(
            f"{what} needs the value of traced value {self.name!r} (shape {self.shape}), which "
            f"is not known while tracing: a compiled function runs without Python seeing its "
            f"values. {instead}"
        )

    def __float__(self) -> float:
        raise self._concrete("float()")

    def __int__(self) -> int:
        raise self._concrete("int()")

    def __index__(self) -> int:
        raise self._concrete(
            "A Python index (a_list[i], range(i))",
            "Index a tensor with it instead (x[i], vf.gather), or pass the index in as a "
            "Python int argument.",
        )

    def item(self) -> Any:
        """Not available while tracing (raises a TraceError)."""
        raise self._concrete(".item()")

    def numpy(self) -> Any:
        """Not available while tracing (raises a TraceError)."""
        raise self._concrete(".numpy()")

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any:
        raise self._concrete("Converting to a numpy array")

    def __len__(self) -> int:
        if not self.shape:
            raise trace_error(
                f"len() of {self.name!r}, a 0-d traced value (a scalar), which has no length "
                "(as for a 0-d tensor eagerly); did you mean a value of another shape?"
            )
        if not isinstance(self.shape[0], int):
            raise trace_error(
                f"len() of {self.name!r}: its first dim ({self.shape[0]!r}) is unknown at "
                f"trace time (shape {self.shape}); use vector ops over that dim instead of a "
                "Python loop, or trace with a known size"
            )
        return self.shape[0]

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]

    __hash__ = object.__hash__

    if TYPE_CHECKING:  # operators and op methods are borrowed from Tensor at import time

        def __add__(self, o: Any) -> Value: ...
        def __radd__(self, o: Any) -> Value: ...
        def __sub__(self, o: Any) -> Value: ...
        def __rsub__(self, o: Any) -> Value: ...
        def __mul__(self, o: Any) -> Value: ...
        def __rmul__(self, o: Any) -> Value: ...
        def __truediv__(self, o: Any) -> Value: ...
        def __matmul__(self, o: Any) -> Value: ...
        def __neg__(self) -> Value: ...
        def __getitem__(self, index: Any) -> Value: ...
        def __getattr__(self, name: str) -> Any: ...

    def __repr__(self) -> str:
        dims = ",".join("?" if d is None else str(d) for d in self.shape)
        return f"Value({self.name}: {self.dtype}[{dims}], {self.kind})"


def _via_dispatch(fast: Any) -> Any:
    """A Value method doing what Tensor's generated fast-path method does, via dispatch."""
    import inspect

    nl = inspect.getclosurevars(fast).nonlocals
    op = nl.get("op")
    if not isinstance(op, OpDef):
        raise RuntimeError(f"cannot find the op behind Tensor.{fast.__name__} for graph mode")
    if fast.__code__.co_argcount == 1:
        return lambda self: _dispatch_op(op, (self,))
    if nl.get("reflected"):
        return lambda self, o: _dispatch_op(op, (o, self))
    return lambda self, o: _dispatch_op(op, (self, o))


def _borrow_tensor_methods() -> None:
    """Give Value every operator and op method of Tensor (they dispatch, so they build nodes)."""
    skip = {
        "__init__",
        "__repr__",
        "__bool__",
        "__float__",
        "__int__",
        "__index__",
        "__len__",
        "__iter__",
        "__array__",
        "__hash__",
        "numpy",
        "item",
        "tolist",
        "detach",
        "backward",
        "requires_grad_",
        "register_hook",
        "retain_grad",
        "_inplace",
        "zero_",
        "fill_",
        "copy_",
        "astype",
        "shape",
        "dtype",
        "ndim",
        "size",
        "numel",
        "dim",
        "is_leaf",
        "__setitem__",
        "__slots__",
        "__weakref__",
        "__doc__",
        "__module__",
        "__array_priority__",
        "__array_ufunc__",
        "__annotations__",
        "__dict__",
    }
    for name, attr in vars(Tensor).items():
        if name in skip or name in vars(Value) or isinstance(attr, (int, type(None))):
            continue
        if getattr(attr, "__module__", "") == _dispatch_op.__module__:
            attr = _via_dispatch(attr)  # Tensor's inlined fast path assumes a real Tensor
        if callable(attr) or isinstance(attr, property):
            setattr(Value, name, attr)
    Value.__array_priority__ = 1000  # type: ignore[attr-defined]
    Value.__array_ufunc__ = None  # type: ignore[attr-defined]


_borrow_tensor_methods()


def value_spec(x: Any) -> TensorSpec:
    """The TensorSpec of a node input: a Value or a Python literal."""
    if isinstance(x, Value):
        return x.spec
    return TensorSpec((), type(x))


def named_spec(x: Any) -> TensorSpec:
    """Like value_spec, but a Value's named dims stay names."""
    if isinstance(x, Value):
        return TensorSpec(x.shape, x.dtype)  # type: ignore[arg-type]
    return TensorSpec((), type(x))


class Graph:
    """A dataflow graph: placeholders, variables, constants, Nodes in order, outputs, updates.

    Build one by tracing (vf.function / vf.trace), from an eager tensor (Graph.from_tensor),
    from JSON, or by hand: g.placeholder / g.variable / g.constant, then ordinary ops.
    """

    def __init__(self, name: str = "graph") -> None:
        self.name = name
        self.inputs: list[Value] = []
        self.variables: list[Value] = []
        self.constants: list[Value] = []
        self.nodes: list[Node] = []
        self.outputs: list[Value] = []
        self.updates: list[tuple[Value, Value]] = []  # (variable, its new value)
        self.out: dict[Node, Value] = {}  # each node's output value
        self._names: dict[str, int] = {}
        # value(name)'s index: name -> (list attribute, position), checked on every hit
        self._value_index: dict[str, tuple[str, int]] = {}
        self._value_index_sizes: tuple[int, ...] = ()
        # run before every execution of a plan compiled from this graph: the traced code's
        # before_each_call callbacks (an optimiser's lr refresh); kept by passes, not saved
        self.refresh: tuple[Callable[[], None], ...] = ()

    # ---- naming -----------------------------------------------------------------------------
    def unique(self, base: str) -> str:
        """A name not used yet in this graph (base, base_1, base_2, …)."""
        k = self._names.get(base)
        if k is None:
            self._names[base] = 0
            return base
        while True:
            k += 1
            cand = f"{base}_{k}"
            if cand not in self._names:
                self._names[base] = k
                self._names[cand] = 0
                return cand

    def peek(self, base: str) -> str:
        """The name unique(base) would return, without reserving it (for error messages)."""
        k = self._names.get(base)
        return base if k is None else f"{base}_{k + 1}"

    # ---- builder ---------------------------------------------------------------------------
    def placeholder(
        self, name: str, shape: Shape, dtype: Any = "float32", device: Device | str | None = None
    ) -> Value:
        """A graph input fed at run time; dims may be None or a name like "batch"."""
        v = Value(self, "input", tuple(shape), dtype, get_device(device), self.unique(name))
        self.inputs.append(v)
        return v

    def variable(self, name: str, value: Any, requires_grad: bool = True) -> Value:
        """A stateful value: a numpy array (owned by the graph) or a live eager Tensor."""
        if isinstance(value, Tensor):
            arr, dev = value.array, value.device
        else:
            arr, dev = np.asarray(value), CPU
            if arr.dtype == np.float64 and not isinstance(value, np.ndarray):
                arr = arr.astype(dtypes.get_default_dtype())
        v = Value(
            self,
            "variable",
            arr.shape,
            arr.dtype,
            dev,
            self.unique(name),
            requires_grad=requires_grad and arr.dtype.kind == "f",
        )
        if isinstance(value, Tensor):
            v.tensor = value
        else:
            v.value = arr
        self.variables.append(v)
        return v

    def constant(self, value: Any, name: str = "const") -> Value:
        """A fixed array baked into the graph."""
        dev = CPU
        if isinstance(value, Tensor):
            arr, dev = value.array, value.device
        elif hasattr(value, "__cuda_array_interface__"):
            arr, dev = value, device_of_array(value)
        else:
            arr = np.asarray(value)
            if arr.dtype == np.float64 and not isinstance(value, np.ndarray):
                arr = arr.astype(dtypes.get_default_dtype())
        v = Value(self, "constant", arr.shape, arr.dtype, dev, self.unique(name))
        v.value = arr
        self.constants.append(v)
        return v

    def output(self, *values: Value) -> Graph:
        """Mark values as the graph's outputs (appended); returns the graph."""
        for v in values:
            self.outputs.append(self._own(v))
        return self

    def assign(self, variable: Value, new: Value) -> None:
        """Record that running the graph sets `variable` to `new` (an in-place update)."""
        if variable.kind != "variable":
            raise TypeError(f"assign needs a variable, got {variable!r}")
        self.updates.append((variable, self._own(new)))

    def _own(self, v: Any) -> Value:
        if isinstance(v, Value):
            if v.graph is not self:
                raise ValueError(f"{v!r} belongs to another graph")
            return v
        return self.constant(v.array if isinstance(v, Tensor) else v)

    # ---- node creation ---------------------------------------------------------------------
    def apply(
        self,
        op: OpDef,
        inputs: tuple[Any, ...],
        params: dict[str, Any],
        name: str | None = None,
        capture_source: bool = True,
    ) -> Value:
        """Add a node for op(inputs, params) with shape inference; return its output Value."""
        ins = tuple(
            x if isinstance(x, Value) or type(x) in LITERALS else self._own(x) for x in inputs
        )
        try:
            spec = infer_spec(op, tuple(named_spec(x) for x in ins), params)
        except (ValueError, TypeError, IndexError) as exc:
            from ..errors import shape_error

            loc = capture() if capture_source else (None, 0)
            where = f"{loc[0].co_filename}:{loc[1]}" if loc[0] is not None else None
            nm = self.peek(name or op.name)
            raise shape_error(
                f"{op.name} (node {nm!r})", [value_spec(x).shape for x in ins], exc, where
            ) from None
        st = STATE
        code, line = capture() if capture_source else (None, 0)
        node = Node(
            op,
            dict(params),
            ins,
            st.scope,
            st.phase,
            st.forward_of,
            code,
            line,
            self.unique(name or op.name),
        )
        # as PyTorch's CPU scalars: a node mixing CPU values (the seed, constants) with GPU ones
        dev = next((x.device for x in ins if isinstance(x, Value) and x.device is not CPU), CPU)
        if "device" in params:
            dev = get_device(params["device"])
        rg = (
            op.differentiable
            and st.grad_enabled
            and dtypes.as_dtype(spec.dtype).kind == "f"
            and any(isinstance(x, Value) and x.requires_grad for x in ins)
        )
        v = Value(self, "op", tuple(spec.shape), spec.dtype, dev, node.name or op.name, node, rg)
        self.nodes.append(node)
        self.out[node] = v
        return v

    def add_node(
        self,
        op: OpDef,
        params: dict[str, Any],
        inputs: tuple[Any, ...],
        spec: TensorSpec,
        device: Device,
        name: str,
        scope: str = "",
        phase: str = "forward",
        forward_of: Node | None = None,
        source: SourceLocation | None = None,
    ) -> Value:
        """Add a fully described node (copying and deserialising use this); returns its Value."""
        node = Node(op, params, inputs, scope, phase, forward_of, name=self.unique(name))
        if source is not None:
            node.source = source
        v = Value(self, "op", tuple(spec.shape), spec.dtype, device, node.name or name, node)
        self.nodes.append(node)
        self.out[node] = v
        return v

    # ---- queries ---------------------------------------------------------------------------
    def value(self, name: str) -> Value:
        """The Value (input, variable, constant or node output) called `name`."""
        if self._value_index_sizes != self._value_list_sizes():
            self._index_values()
        v = self._indexed_value(name)
        if v is None:  # renamed, replaced or moved since indexed: index again, then look once more
            self._index_values()
            v = self._indexed_value(name)
        if v is None:
            raise KeyError(f"graph {self.name!r} has no value named {name!r}")
        return v

    _VALUE_LISTS = ("inputs", "variables", "constants", "nodes")

    def _value_list_sizes(self) -> tuple[int, ...]:
        """The lengths of the lists value() indexes (a change means values were added/removed)."""
        return tuple(len(getattr(self, attr)) for attr in self._VALUE_LISTS)

    def _value_at(self, attr: str, i: int) -> Value:
        """The value at position i of list attr (a node's output for "nodes")."""
        if attr == "nodes":
            return self.out[self.nodes[i]]
        v: Value = getattr(self, attr)[i]
        return v

    def _index_values(self) -> None:
        """Index every value's name -> where it is (the first one, as all_values orders them)."""
        index: dict[str, tuple[str, int]] = {}
        for attr in self._VALUE_LISTS:
            for i in range(len(getattr(self, attr))):
                index.setdefault(self._value_at(attr, i).name, (attr, i))
        self._value_index = index
        self._value_index_sizes = self._value_list_sizes()

    def _indexed_value(self, name: str) -> Value | None:
        """The indexed value called name if it is still where indexed and still so called."""
        where = self._value_index.get(name)
        if where is None:
            return None
        attr, i = where
        if i >= len(getattr(self, attr)):
            return None
        v = self._value_at(attr, i)
        return v if v.name == name else None

    def node(self, name: str) -> Node:
        """The node called `name`."""
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(f"graph {self.name!r} has no node named {name!r}")

    def all_values(self) -> Iterator[Value]:
        """Every value: inputs, variables, constants, then node outputs in order."""
        yield from self.inputs
        yield from self.variables
        yield from self.constants
        for n in self.nodes:
            yield self.out[n]

    def consumers(self) -> dict[int, list[Node]]:
        """uid of each value -> the nodes that read it."""
        users: dict[int, list[Node]] = {}
        for n in self.nodes:
            for x in n.inputs:
                if isinstance(x, Value):
                    users.setdefault(x.uid, []).append(n)
        return users

    def redirect(self, old: Value, new: Value) -> None:
        """Put `new` where node inputs, node outputs and the input/variable/constant lists hold
        the object `old`; graph outputs and updated values keep the object (what it names moved).

        Only nodes after the one that made `old` can read it (nodes are kept in build order),
        so a loop of in-place updates on its latest value stays linear to trace."""
        nodes = self.nodes
        start = 0
        if old.node is not None:
            try:
                start = nodes.index(old.node) + 1
            except ValueError:  # not made by a node of this graph
                start = 0
        for n in nodes[start:]:
            if any(x is old for x in n.inputs):
                n.inputs = tuple(new if x is old else x for x in n.inputs)
        if old.node is not None and self.out.get(old.node) is old:
            self.out[old.node] = new
        for vals in (self.inputs, self.variables, self.constants):
            for i, x in enumerate(vals):
                if x is old:
                    vals[i] = new
        self.updates = [(new if var is old else var, v) for var, v in self.updates]

    def copy(self) -> Graph:
        """A deep copy of the structure (arrays and live tensors are shared, not copied)."""
        from .rewrite import Rewriter

        return Rewriter(self).finish()

    # ---- views -----------------------------------------------------------------------------
    def __str__(self) -> str:
        from .text import to_text

        return to_text(self)

    def __repr__(self) -> str:
        return (
            f"<Graph {self.name!r}: {len(self.inputs)} inputs, {len(self.variables)} "
            f"variables, {len(self.nodes)} nodes, {len(self.outputs)} outputs>"
        )

    def to_json(self) -> dict[str, Any]:
        """The graph as a JSON-ready dict (format in graph.schema.json; arrays: arrays_of)."""
        from .serialize import to_json

        return to_json(self)

    @staticmethod
    def from_json(doc: dict[str, Any] | str, arrays: Any = None) -> Graph:
        """Rebuild a graph from to_json's dict (or its JSON text) and its arrays (.npz path)."""
        from .serialize import from_json

        return from_json(doc, arrays)

    def save(self, path: str) -> None:
        """Write path.json and path.npz (variable and constant values; no pickle)."""
        from .serialize import save

        save(self, path)

    @staticmethod
    def load(path: str) -> Graph:
        """Read a graph written by save (loading runs no code)."""
        from .serialize import load

        return load(path)

    def to_networkx(self) -> Any:
        """A networkx.MultiDiGraph of values and nodes (needs networkx)."""
        from .interop import to_networkx

        return to_networkx(self)

    def to_dot(self) -> str:
        """Graphviz dot source (scopes as clusters, phases as colours)."""
        from .interop import to_dot

        return to_dot(self)

    @staticmethod
    def from_tensor(t: Tensor) -> Graph:
        """The recorded history of an eager tensor as a Graph (leaves become variables)."""
        from .from_eager import from_tensor

        return from_tensor(t)

    def compile(self, **options: Any) -> Any:
        """An executable Plan (see executor.compile_plan)."""
        from .executor import compile_plan

        return compile_plan(self, **options)

    def __call__(self, *feeds: Any) -> Any:
        """Run the graph on feeds (numpy arrays or Tensors); returns a list of output arrays."""
        return self.compile().run(*feeds)


__all__ = ["Graph", "Value", "concrete", "named_spec", "value_spec"]
