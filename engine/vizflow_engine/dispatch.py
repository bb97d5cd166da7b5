"""The single entry point every op goes through: run the kernel, record a Node when needed.

Graph-mode interception (for vizflow_engine.graph): two cheap hooks, both off the eager
fast path. (1) `register_symbolic_type(cls, handler)`: when an op input is an instance of a
registered class (or of a class defining `__vf_dispatch__(op, inputs, params)`), dispatch
calls the handler instead of running a kernel, so `tensor + symbolic` builds a graph node.
(2) `intercept(handler)`: a context manager; while active, the handler sees *every*
dispatch (creation ops included, e.g. rand inside a traced function) and returns a result,
or NotImplemented to let the op run eagerly.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from . import dtypes
from ._state import get_state
from .backend import CPU, Device, device_of_array, get_device
from .errors import DeviceError, shape_error
from .node import Node, _counter, _last_user_code, capture_location, user_frame
from .registry import OpDef, TensorSpec
from .tensor import Tensor

Handler = Callable[[OpDef, tuple[Any, ...], dict[str, Any]], Any]

EMPTY: dict[str, Any] = {}
_ndarray = np.ndarray
_new = object.__new__
_getframe = sys._getframe
_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)
_WEAK = (float, int, bool)
_symbolic: dict[type, Handler] = {}
# (thread id, item): a non-empty list sends every op of every thread off the fast path, but
# only the thread that pushed an item is intercepted or taped (tracing is per thread)
_interceptors: list[tuple[int, Handler]] = []
_tapes: list[tuple[int, list[Tensor]]] = []
_thread_id = threading.get_ident


def _mine(stack: list[tuple[int, Any]]) -> Any:
    """The innermost item this thread pushed onto stack, or None."""
    me = _thread_id()
    for tid, item in reversed(stack):
        if tid == me:
            return item
    return None


def register_symbolic_type(cls: type, handler: Handler) -> None:
    """Route any op with an input of type `cls` to handler(op, inputs, params) (graph mode)."""
    _symbolic[cls] = handler


def symbolic_types() -> Collection[type]:
    """The registered graph-mode value types (their instances count as vf.Tensor)."""
    return _symbolic.keys()


@contextmanager
def intercept(handler: Handler) -> Iterator[None]:
    """While active, every dispatch calls handler first; NotImplemented falls through to eager."""
    entry = (_thread_id(), handler)
    _interceptors.append(entry)
    try:
        yield
    finally:
        _interceptors.remove(entry)


@contextmanager
def record_tape() -> Iterator[list[Tensor]]:
    """Collect every tensor made by an op inside (in order), with a Node even without grad.

    The debugger replays this tape node by node: each tensor's `.node` gives op, inputs,
    params, scope and source.
    """
    tape: list[Tensor] = []
    entry = (_thread_id(), tape)
    _tapes.append(entry)
    try:
        yield tape
    finally:
        _tapes.remove(entry)


def _symbolic_handler(x: Any) -> Handler | None:
    """The graph-mode handler for a non-Tensor input, if its type is symbolic."""
    h = _symbolic.get(type(x))
    if h is not None:
        return h
    proto = getattr(type(x), "__vf_dispatch__", None)
    return proto


def _spec(x: Any) -> TensorSpec:
    """The TensorSpec of a dispatch input (Python scalars have their weak Python type)."""
    if isinstance(x, Tensor):
        return TensorSpec(tuple(x.array.shape), x.array.dtype)
    if type(x) in _WEAK:
        return TensorSpec((), type(x))
    arr = np.asarray(x)
    return TensorSpec(arr.shape, arr.dtype)


def explain(
    op: OpDef, inputs: tuple[Any, ...], params: dict[str, Any], exc: Exception
) -> Exception:
    """The error to raise for a failed kernel: it names the op, the shapes and the user's line.

    A ShapeError when the op's shape rule refuses the input specs (a shape problem, whatever
    the kernel raised); otherwise the kernel's own error type (TypeError, IndexError, …), so
    a bad operand or value is not mislabelled as a shape mistake and `except` clauses written
    for the original type still catch it.
    """
    specs = tuple(_spec(x) for x in inputs)
    shapes = [s.shape for s in specs]
    loc = capture_location()
    where = str(loc) if loc else None
    try:
        op.infer(specs, **params)
    except (ValueError, TypeError, IndexError) as rule_exc:
        return shape_error(op.name, shapes, rule_exc, where)
    text = str(exc) if str(exc).startswith(f"{op.name}:") else f"{op.name}: {exc}"
    msg = f"{text} (input shapes {shapes})" + (f"\n  at {where}" if where else "")
    try:
        return type(exc)(msg)
    except Exception:  # an error type whose constructor wants more than a message
        return RuntimeError(f"{type(exc).__name__}: {msg}")


def _record(op: OpDef, params: dict[str, Any], inputs: tuple[Any, ...]) -> Node:
    """A Node for this op call, stamped with scope, phase and the user's source line."""
    f = user_frame(_getframe(2))
    node = _new(Node)
    node.op = op
    node.params = params
    node.inputs = inputs
    node._ctx = get_state()
    if f is None:
        node._code = None
        node._line = -1
    else:
        node._code = f.f_code
        node._line = f.f_lasti  # an offset: the line is looked up only when asked (Node.source)
    node._loc = None
    node._args = None
    node._fast = False
    node.name = None
    node.freed = False
    node.seq = next(_counter)
    return node


def _finish(
    op: OpDef,
    out: Any,
    inputs: tuple[Any, ...],
    dev: Device,
    need: bool,
    params: dict[str, Any],
    arrays: tuple[Any, ...],
) -> Tensor:
    """Wrap a kernel result and record its Node when grad is on (or a tape is recording).

    `arrays` are the kernel's inputs; a node recorded for grad keeps them as its `_args`.
    """
    if out.__class__ is not _ndarray and dev is CPU:
        out = np.asarray(out)
    dt = out.dtype
    if (
        dt is _F64
        and "dtype" not in op.param_names
        and not any(isinstance(x, Tensor) and x.array.dtype is _F64 for x in inputs)
    ):
        out = out.astype(dtypes.get_default_dtype())
        dt = out.dtype
    t = _new(Tensor)
    t.array = out
    t.device = dev
    t.grad = None
    t._name = None
    t._hooks = None
    t._retain = False
    tape = _mine(_tapes) if _tapes else None
    if need and op.differentiable and dt.kind == "f" and get_state()[0]:
        t.node = node = _record(op, params, inputs)
        node._args = arrays
        t.requires_grad = True
    else:
        t.requires_grad = False
        t.node = _record(op, params, inputs) if tape is not None else None
    if tape is not None:
        tape.append(t)
    return t


def dispatch(
    op: OpDef,
    inputs: tuple[Any, ...],
    params: dict[str, Any] = EMPTY,
    device: Device | str | None = None,
) -> Any:
    """Run `op` on inputs (Tensors, Python scalars, array-likes) with params; return a Tensor.

    `device` places ops without tensor inputs (creation ops). Returns whatever a graph-mode
    handler returns when an input is symbolic.
    """
    if _interceptors and (handler := _mine(_interceptors)) is not None:
        r = handler(op, inputs, params)
        if r is not NotImplemented:
            return r
    arrays = []
    need = False
    dev: Device | None = None
    converted = False
    plain = True  # every non-Tensor input is a numpy array or a Python scalar
    for x in inputs:
        if isinstance(x, Tensor):
            arrays.append(x.array)
            if x.requires_grad:
                need = True
            d = x.device
            if dev is None:
                dev = d
            elif d is not dev:
                _device_mismatch(op, inputs)
        elif type(x) in _WEAK:
            arrays.append(x)
        elif x.__class__ is _ndarray:
            converted = True
            arrays.append(x)
        else:
            h = _symbolic_handler(x)
            if h is not None:
                return h(op, inputs, params)
            converted, plain = True, False
            arrays.append(None)
    if converted and dev is None and get_state()[4]:
        # Inside backward without create_graph, VJP rules run on raw arrays: same rule code,
        # numpy speed. Arrays in, array out; nothing recorded.
        return op.forward(np, *arrays, **params) if plain else _raw(op, inputs, params)
    if dev is None:
        dev = CPU if device is None else get_device(device)
    if converted:
        inputs = tuple(
            x if isinstance(x, Tensor) or type(x) in _WEAK else _const(x, dev) for x in inputs
        )
        arrays = [x.array if isinstance(x, Tensor) else x for x in inputs]
    try:
        out = op.forward(dev.xp, *arrays, **params)
    except Exception as exc:
        raise explain(op, inputs, params, exc) from exc
    if "device" in params:  # transfers (to_device) land on their target device
        dev = get_device(params["device"])
    return _finish(op, out, inputs, dev, need, params, tuple(arrays))


def _raw(op: OpDef, inputs: tuple[Any, ...], params: dict[str, Any]) -> Any:
    """Run op's kernel on raw arrays (backward's fast mode); the namespace follows the arrays."""
    xp: Any = np
    for x in inputs:
        if type(x) not in _WEAK and not isinstance(x, (np.ndarray, np.generic)):
            xp = device_of_array(x).xp
            break
    if xp is np:  # 0-d numpy results are scalars; kernels may need real arrays
        inputs = tuple(np.asarray(x) if isinstance(x, np.generic) else x for x in inputs)
    return op.forward(xp, *inputs, **params)


def _const(x: Any, dev: Device) -> Tensor:
    """An array-like op input as a constant Tensor on `dev`."""
    from .creation import tensor

    return tensor(x, device=dev)


def _device_mismatch(op: OpDef, inputs: tuple[Any, ...]) -> None:
    """Raise a DeviceError saying which inputs of `op` live on which device."""
    where = ", ".join(
        f"input {i}{f' {x.name!r}' if x.name else ''} {tuple(x.shape)} on {x.device}"
        for i, x in enumerate(inputs)
        if isinstance(x, Tensor)
    )
    loc = capture_location()
    raise DeviceError(
        f"{op.name}: inputs are on different devices ({where}); move them with "
        f".to(device) first" + (f"\n  at {loc}" if loc else "")
    )


def unary(op: OpDef, x: Any, params: dict[str, Any] = EMPTY) -> Any:
    """Fast path for one-input ops on a Tensor (falls back to dispatch otherwise).

    A numpy array inside a raw backward (a VJP rule's F.reshape(g, ...)) runs the kernel
    directly: the same result as dispatch's raw path, without its input loop.
    """
    if not isinstance(x, Tensor) or _interceptors:
        if x.__class__ is _ndarray and get_state()[4] and not _interceptors:
            return op.forward(np, x, **params)
        return dispatch(op, (x,), params)
    dev = x.device
    a = x.array
    try:
        out = op.forward(dev.xp, a, **params)
    except Exception as exc:
        raise explain(op, (x,), params, exc) from exc
    return _finish(op, out, (x,), dev, x.requires_grad, params, (a,))


def _raw_pair(a: Any, b: Any) -> bool:
    """Whether a and b are numpy arrays, or one is and the other a Python scalar."""
    ca, cb = a.__class__, b.__class__
    if ca is _ndarray:
        return cb is _ndarray or cb in _WEAK
    return cb is _ndarray and ca in _WEAK


def binary(op: OpDef, a: Any, b: Any) -> Any:
    """Fast path for two-Tensor ops without params (falls back to dispatch otherwise).

    Numpy arrays (or one array and a Python scalar) inside a raw backward run the kernel
    directly, as in unary.
    """
    if not isinstance(b, Tensor) or not isinstance(a, Tensor) or _interceptors:
        if _raw_pair(a, b) and get_state()[4] and not _interceptors:
            return op.forward(np, a, b)
        return dispatch(op, (a, b))
    dev = a.device
    if b.device is not dev:
        _device_mismatch(op, (a, b))
    ad, bd = a.array, b.array
    try:
        out = op.forward(dev.xp, ad, bd)
    except Exception as exc:
        raise explain(op, (a, b), EMPTY, exc) from exc
    return _finish(op, out, (a, b), dev, a.requires_grad or b.requires_grad, EMPTY, (ad, bd))


def _promote_f64(out: Any, a: Any, b: Any) -> Any:
    """A float64 result of inputs that were not float64 becomes the default float dtype."""
    for x in (a, b):
        if getattr(x, "dtype", None) is _F64:
            return out
    return out.astype(dtypes.get_default_dtype())


def binary_method(
    op: OpDef, pyop: Callable[[Any, Any], Any], reflected: bool = False
) -> Callable[[Tensor, Any], Any]:
    """Tensor's operator method (self OP other, or other OP self when reflected) for `op`.

    `pyop` must compute exactly what op.forward(numpy, a, b) computes (the numpy ufunc the
    forward calls: np.add for add, ...); the tests check it. Fast path: self on the CPU,
    other a CPU Tensor or a Python scalar, no graph-mode interceptor and no tape: the ufunc
    runs directly and the Tensor and its Node are built inline, with the caller's frame one
    level up.
    Anything else goes through dispatch, which gives the same result.
    """
    weak = frozenset(_WEAK)
    differentiable = op.differentiable
    interceptors, tapes, read_state, counter = _interceptors, _tapes, get_state, _counter
    getframe, new, ndarray, last_user = _getframe, _new, _ndarray, _last_user_code

    def method(self: Tensor, o: Any) -> Any:
        dev = self.device
        mine = self.requires_grad
        if isinstance(o, Tensor):
            if o.device is not dev:
                return dispatch(op, (o, self) if reflected else (self, o))
            b = o.array
            theirs = o.requires_grad
            need = mine or theirs
            both = mine and theirs
        elif o.__class__ in weak:
            b = o
            need = mine
            both = False
        else:
            return dispatch(op, (o, self) if reflected else (self, o))
        if dev is not CPU or interceptors or tapes:
            return dispatch(op, (o, self) if reflected else (self, o))
        a = self.array
        try:
            out = pyop(b, a) if reflected else pyop(a, b)
        except Exception as exc:
            raise explain(op, (o, self) if reflected else (self, o), EMPTY, exc) from exc
        if out.__class__ is not ndarray:
            out = np.asarray(out)
        dt = out.dtype
        if dt is _F64:
            out = _promote_f64(out, a, b)
            dt = out.dtype
        t = new(Tensor)
        t.array = out
        t.device = dev
        t.grad = None
        t._name = None
        t._hooks = None
        t._retain = False
        if not need or not differentiable or (dt is not _F32 and dt.kind != "f"):
            t.requires_grad = False
            t.node = None
            return t
        ctx = read_state()
        if not ctx[0]:
            t.requires_grad = False
            t.node = None
            return t
        f: Any = getframe(1)
        code = f.f_code
        if code is not last_user[0]:  # else: the same user code as last time, no walk
            f = user_frame(f)
            if f is not None:
                code = f.f_code
        node = new(Node)
        node.op = op
        node.params = EMPTY
        if reflected:
            node.inputs = (o, self)
            node._args = (b, a)
        else:
            node.inputs = (self, o)
            node._args = (a, b)
        # both inputs need grad, nothing broadcast, one dtype: backward may skip its checks
        node._fast = both and a.shape == b.shape and a.dtype is b.dtype
        node._ctx = ctx
        if f is None:
            node._code = None
            node._line = -1
        else:
            node._code = code
            node._line = f.f_lasti  # an offset: Node.source turns it into a line
        node._loc = None
        node.name = None
        node.freed = False
        node.seq = next(counter)
        t.node = node
        t.requires_grad = True
        return t

    method.__name__ = method.__qualname__ = f"__r{op.name}__" if reflected else f"__{op.name}__"
    method.__doc__ = f"{'other ' + op.name + ' self' if reflected else op.name}: {op.formula}"
    return method


def unary_method(op: OpDef) -> Callable[[Tensor], Any]:
    """Tensor's method for the params-free one-input op `op`, with binary_method's fast path."""
    differentiable = op.differentiable
    forward = op.forward
    interceptors, tapes, read_state, counter = _interceptors, _tapes, get_state, _counter
    getframe, new, ndarray, last_user = _getframe, _new, _ndarray, _last_user_code

    def method(self: Tensor) -> Any:
        dev = self.device
        if dev is not CPU or interceptors or tapes:
            return dispatch(op, (self,))
        a = self.array
        try:
            out = forward(np, a)
        except Exception as exc:
            raise explain(op, (self,), EMPTY, exc) from exc
        if out.__class__ is not ndarray:
            out = np.asarray(out)
        dt = out.dtype
        if dt is _F64 and a.dtype is not _F64:
            out = out.astype(dtypes.get_default_dtype())
            dt = out.dtype
        t = new(Tensor)
        t.array = out
        t.device = dev
        t.grad = None
        t._name = None
        t._hooks = None
        t._retain = False
        if not self.requires_grad or not differentiable or (dt is not _F32 and dt.kind != "f"):
            t.requires_grad = False
            t.node = None
            return t
        ctx = read_state()
        if not ctx[0]:
            t.requires_grad = False
            t.node = None
            return t
        f: Any = getframe(1)
        code = f.f_code
        if code is not last_user[0]:  # else: the same user code as last time, no walk
            f = user_frame(f)
            if f is not None:
                code = f.f_code
        node = new(Node)
        node.op = op
        node.params = EMPTY
        node.inputs = (self,)
        node._args = (a,)
        node._fast = True  # self needs grad (else no node) and the output has its shape
        node._ctx = ctx
        if f is None:
            node._code = None
            node._line = -1
        else:
            node._code = code
            node._line = f.f_lasti  # an offset: Node.source turns it into a line
        node._loc = None
        node.name = None
        node.freed = False
        node.seq = next(counter)
        t.node = node
        t.requires_grad = True
        return t

    method.__name__ = method.__qualname__ = op.name
    method.__doc__ = f"{op.doc} ({op.formula})"
    return method
