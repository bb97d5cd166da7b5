"""Reverse-mode autodiff over recorded Nodes: backward(), grad(), grad-mode switches."""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from ._state import STATE
from .errors import GraphFreedError
from .node import Node
from .ops.shape import sum_to_shape
from .tensor import Tensor, _make

F = TypeVar("F", bound=Callable[..., Any])


class _GradMode:
    """Context manager and decorator that sets grad recording on or off."""

    __slots__ = ("enabled", "prev")

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.prev: list[bool] = []

    def __enter__(self) -> None:
        self.prev.append(STATE.grad_enabled)
        STATE.grad_enabled = self.enabled

    def __exit__(self, *exc: object) -> None:
        STATE.grad_enabled = self.prev.pop()

    def __call__(self, fn: F) -> F:
        import functools

        enabled = self.enabled

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _GradMode(enabled):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def no_grad() -> _GradMode:
    """Do not record ops (inference, parameter updates); usable as `with` or decorator."""
    return _GradMode(False)


def enable_grad() -> _GradMode:
    """Record ops again inside a no_grad block."""
    return _GradMode(True)


def set_grad_enabled(mode: bool) -> _GradMode:
    """Record ops or not, as a context manager."""
    return _GradMode(mode)


def is_grad_enabled() -> bool:
    """True when ops are being recorded for autodiff."""
    return STATE.grad_enabled


def _check_live(node: Node) -> None:
    """Refuse a second backward through a freed graph, saying how to keep it."""
    if node.freed:
        raise GraphFreedError(
            f"backward through the graph a second time (at {node.op.name}); its "
            "intermediates were freed. Pass retain_graph=True to the first backward."
        )


def _apply_hooks(t: Tensor, g: Any, raw: bool) -> Any:
    """Run t's hooks on its gradient (hooks always see Tensors); a returned tensor replaces it."""
    gt = _wrap(g, t) if raw else g
    for h in t._hooks or ():
        r = h(gt)
        if r is not None:
            gt = r
    return gt.array if raw else gt


def _wrap(g: Any, like: Tensor) -> Tensor:
    """A raw gradient array as a detached Tensor on like's device (writable, not a view)."""
    if isinstance(g, Tensor):
        return g
    if isinstance(g, np.generic) or not getattr(getattr(g, "flags", None), "writeable", True):
        g = np.array(g)
    return _make(g, like.device, None, False)


def _inplace_error(user: Node, x: Tensor) -> RuntimeError:
    """The error for a tensor that was modified in place after `user` had read it."""
    assert x.node is not None
    return RuntimeError(
        f"backward through {user.op.name}: one of its inputs (shape {tuple(x.shape)}) was "
        f"modified in place afterwards (by {x.node.op.name}), so its gradient would be wrong. "
        "Use an out-of-place op (y = y + 1) or modify a .clone() instead."
    )


def _seed(
    roots: Sequence[Tensor], root_grads: Sequence[Any]
) -> tuple[dict[int, list[Any]], list[int], dict[Tensor, list[Any]]]:
    """The walk's starting state: pending grads by node seq, their heap, and leaf roots."""
    leaves: dict[Tensor, list[Any]] = {}  # leaf (by identity) -> its gradient's parts
    pending: dict[int, list[Any]] = {}  # node seq -> [tensor, grad so far]
    heap: list[int] = []  # -seq of every pending node (_walk keeps a lone one out of it)
    for r, g in zip(roots, root_grads, strict=True):
        rn = r.node
        if rn is None:  # a root that is itself a leaf
            leaves.setdefault(r, []).append(g)
            continue
        e = pending.get(rn.seq)
        if e is None:
            pending[rn.seq] = [r, g]
            heapq.heappush(heap, -rn.seq)
        else:
            e[1] = e[1] + g
    return pending, heap, leaves


def _run(
    roots: Sequence[Tensor],
    root_grads: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    wanted: Sequence[Tensor] | None,
) -> dict[int, Tensor]:
    """The backward pass: returns grads of `wanted` (by id), or accumulates leaf .grad.

    root_grads are raw arrays without create_graph, Tensors with it (see _root_grads).
    Without create_graph the VJP rules run on raw arrays (STATE.raw): the same rule code,
    at numpy speed, and nothing is recorded. With create_graph they run on Tensors with
    grad on, so backward nodes are recorded (phase="backward", forward_of=the node).
    """
    want = None if wanted is None else {id(w) for w in wanted}
    captured: dict[int, Tensor] = {}
    pending, heap, leaves = _seed(roots, root_grads)
    st = STATE
    prev = st.save()
    phase = "backward" if create_graph else prev[2]
    st.restore((create_graph, prev[1], phase, prev[3], not create_graph))
    try:
        _walk(pending, heap, leaves, retain_graph, create_graph, want, captured)
        _to_leaves(leaves, create_graph, want, captured)
    finally:
        st.restore(prev)
    return captured


def _walk(
    pending: dict[int, list[Any]],
    heap: list[int],
    leaves: dict[Tensor, list[Any]],
    retain_graph: bool,
    create_graph: bool,
    want: set[int] | None,
    captured: dict[int, Tensor],
) -> None:
    """Run every pending node's VJP, newest first, collecting the leaves' grads in `leaves`.

    A leaf's small raw cotangents are kept as a list of parts and summed in one call at the
    end (_total): numpy's per-call cost dominates adds of tiny arrays, and a weight reused
    along a chain gets one part per use. Large ones are added as they come.

    Order: nodes are numbered in creation order, so taking the pending node with the highest
    seq first visits every consumer of a tensor before the tensor itself (a reverse
    topological order for free). Pending grads live in a dict keyed by seq, ordered by a
    heap of -seq; a lone pending node (a chain, the common case) stays in local variables
    (solo, solo_t, solo_g) and touches neither.
    """
    raw = not create_graph
    st = STATE
    heappush, heappop = heapq.heappush, heapq.heappop
    tensor_cls = Tensor
    solo = -1  # seq of the lone pending node held in solo_t/solo_g, or -1
    solo_t: Any = None
    solo_g: Any = None
    while True:
        if solo >= 0:
            seq, t, g, solo = solo, solo_t, solo_g, -1
        elif heap:
            seq = -heappop(heap)
            t, g = pending.pop(seq)
        else:
            return
        node: Any = t.node
        if node.freed:
            _check_live(node)
        if t._hooks or t._retain or want is not None:
            g = _visit(t, g, raw, want, captured)
        ins = node.inputs
        if raw:
            args = node._args  # the input arrays, when the fast path kept them
            if args is None:
                args = _arrays(ins)
            out: Any = t.array
        else:
            c = node._ctx  # recorded under the op's scope, as the backward of `node`
            st.restore((True, c[1], "backward", node, False))
            args, out = ins, t
        params = node.params
        vjp = node.op.vjp
        cts = vjp(g, args, out, **params) if params else vjp(g, args, out)
        checked = not node._fast  # a fast node's inputs all need grad, at its output's shape
        # (zip's strict keyword alone costs ~0.2 µs per node: keep it off the hot loop)
        for x, ct in zip(ins, cts):  # noqa: B905
            if checked:
                if ct is None or not isinstance(x, tensor_cls) or not x.requires_grad:
                    continue
                xa = x.array
                if ct.shape != xa.shape:
                    ct = sum_to_shape(ct, xa.shape)
                if ct.dtype != xa.dtype:  # a float32 input's gradient is float32, as in torch
                    ct = ct.astype(xa.dtype)
            xn = x.node
            if xn is None:
                if not x.requires_grad:  # a leaf may have left autograd since the forward
                    continue
                acc = leaves.get(x)
                if acc is None:
                    leaves[x] = [ct]
                elif raw and len(acc) < _PARTS and ct.nbytes <= _PART_BYTES:
                    acc.append(ct)
                else:
                    acc[:] = [_total(acc, raw) + ct]
                continue
            s = xn.seq
            if s == solo:
                solo_g = solo_g + ct
                continue
            if pending:
                e = pending.get(s)
                if e is not None:
                    e[1] = e[1] + ct
                    continue
            if s > seq:  # x's node is newer than its user: x changed in place since
                raise _inplace_error(node, x)
            if solo < 0 and not pending:
                solo, solo_t, solo_g = s, x, ct
                continue
            if solo >= 0:  # a second pending node: both go to the heap
                pending[solo] = [solo_t, solo_g]
                heappush(heap, -solo)
                solo = -1
            pending[s] = [x, ct]
            heappush(heap, -s)
        if not retain_graph:
            node.freed = True


_PARTS = 256
_PART_BYTES = 4096
"""A leaf keeps up to _PARTS raw cotangents of at most _PART_BYTES each unsummed (<= 1 MiB)."""


def _total(parts: list[Any], raw: bool) -> Any:
    """The sum of a leaf's gradient parts; many numpy arrays in one call (np.add.reduce).

    From about 8 parts on, stacking and reducing once beats adding pairwise (~0.45 µs of
    numpy overhead per tiny add); the sum's rounding may differ from pairwise adds. The parts
    (all of the leaf's shape) are stacked by joining their bytes, several times faster than
    np.array(parts); parts that are not C-contiguous, or of another dtype, take np.array.
    """
    if raw and len(parts) >= 8 and parts[0].__class__ is np.ndarray:
        first = parts[0]
        try:
            buf = b"".join(parts)
        except TypeError:  # a part that is not C-contiguous exports no plain buffer
            buf = b""
        # every part has the leaf's shape, so equal bytes mean equal itemsizes (one dtype)
        if len(buf) == len(parts) * first.nbytes:
            stacked = np.frombuffer(buf, first.dtype).reshape((len(parts), *first.shape))
        else:
            stacked = np.array(parts)
        return np.add.reduce(stacked, 0)
    g = parts[0]
    for p in parts[1:]:
        g = g + p
    return g


def _visit(t: Tensor, g: Any, raw: bool, want: set[int] | None, captured: dict[int, Tensor]) -> Any:
    """What a non-leaf's gradient meets before its VJP: hooks, retain_grad, grad()'s capture."""
    if t._hooks:
        g = _apply_hooks(t, g, raw)
    if t._retain:
        t.grad = _wrap(g, t) if raw else g
    if want is not None and id(t) in want:
        captured[id(t)] = _wrap(g, t)
    return g


def _arrays(ins: tuple[Any, ...]) -> tuple[Any, ...]:
    """The raw arrays of a node's inputs (Tensors unwrapped, scalars as they are)."""
    return tuple([x.array if isinstance(x, Tensor) else x for x in ins])


_ACCUMULATE = threading.Lock()
"""Held while a leaf's .grad is read, added to and written back (about 0.1 µs per leaf)."""


def _to_leaves(
    leaves: dict[Tensor, list[Any]],
    create_graph: bool,
    want: set[int] | None,
    captured: dict[int, Tensor],
) -> None:
    """Hand each leaf its gradient: into `captured` when wanted, else accumulated into .grad."""
    raw = not create_graph
    for leaf, parts in leaves.items():
        g = parts[0] if len(parts) == 1 else _total(parts, raw)
        k = id(leaf)
        if leaf._hooks:
            g = _apply_hooks(leaf, g, raw)
        gt = _wrap(g, leaf)
        if want is not None:
            if k in want:
                captured[k] = gt
            continue
        if raw and gt.node is not None:
            gt = gt.detach()
        with _ACCUMULATE:  # read-add-write of a leaf shared by threads must not lose a part
            if leaf.grad is None:
                leaf.grad = gt
            else:
                with _GradMode(create_graph):
                    leaf.grad = leaf.grad + gt


def _as_list(x: Tensor | Sequence[Tensor]) -> list[Tensor]:
    """One tensor (eager, or a graph value: a symbolic type) as a list; a sequence as is."""
    from .dispatch import symbolic_types  # not at the top: dispatch imports this module's users

    one = isinstance(x, Tensor) or type(x) in symbolic_types()
    return [x] if one else list(x)  # type: ignore[list-item]


_ONES: dict[tuple[tuple[int, ...], np.dtype[Any]], np.ndarray[Any, Any]] = {}
"""Read-only ones arrays by (shape, dtype): the implicit seed gradient of a CPU backward."""


def _ones(out: Tensor, raw: bool) -> Any:
    """The implicit seed gradient, ones like `out`: a cached raw array on the CPU when raw."""
    data = out.array
    if raw and data.__class__ is np.ndarray:
        key = (data.shape, data.dtype)
        seed = _ONES.get(key)
        if seed is None:
            seed = _ONES[key] = np.ones_like(data)
            seed.flags.writeable = False  # shared by every backward: nobody may write to it
        return seed
    g = out.device.xp.ones_like(data)
    return g if raw else _make(g, out.device, None, False)


def _root_grads(outputs: list[Tensor], grad_outputs: Any, raw: bool) -> list[Any]:
    """Seed gradients of the outputs: raw arrays when raw, else Tensors.

    Each seed may be a Tensor, an array-like (nested lists, a numpy array) or a Python
    number, converted to its output's dtype and device; None means ones (one-element
    outputs only). A list or tuple is one seed per output, except for a single output,
    where it is that output's gradient (y.backward([1., 1., 1.])) unless it holds exactly
    one Tensor or None, or one element that alone has the output's shape ([np.ones(3)]
    for a shape-(3,) output). Anything else is the seed of a single output.
    """
    seeds: list[Any]
    if grad_outputs is None:
        seeds = [None] * len(outputs)
    elif not isinstance(grad_outputs, (list, tuple)):
        seeds = [grad_outputs]
    else:
        seeds = list(grad_outputs)
        if len(outputs) == 1 and len(seeds) != 1:
            seeds = [grad_outputs]
        elif len(outputs) == 1 and seeds[0] is not None and not isinstance(seeds[0], Tensor):
            g0 = seeds[0]
            g0_shape = tuple(g0.shape) if hasattr(g0, "shape") else np.shape(g0)
            if (1, *g0_shape) == tuple(outputs[0].shape):
                seeds = [grad_outputs]
    if len(seeds) != len(outputs):
        raise ValueError(f"{len(seeds)} gradients given for {len(outputs)} outputs")
    res = []
    for out, g in zip(outputs, seeds, strict=True):
        if g is None:
            if out.array.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for outputs with one "
                    f"element; this one has shape {out.shape}: pass a gradient"
                )
            res.append(_ones(out, raw))
            continue
        if not isinstance(g, Tensor):
            from .creation import tensor

            g = tensor(g, dtype=out.dtype, device=out.device)
        if tuple(g.shape) != tuple(out.shape):
            raise ValueError(f"gradient shape {g.shape} does not match output shape {out.shape}")
        res.append(g.array if raw else g)
    return res


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Accumulate gradients of tensors w.r.t. every leaf that requires grad into leaf.grad.

    grad_tensors seeds the walk: a gradient per output (Tensor, array-like or number, cast
    to the output's dtype and device), or one for a single output; None for a one-element
    output means 1. With create_graph=True the backward ops are recorded (phase="backward",
    forward_of set), so the grads can be differentiated again. The graph is freed unless
    retain_graph.
    """
    outs = _as_list(tensors)
    for o in outs:
        if not o.requires_grad:
            raise RuntimeError(
                "backward on a tensor that does not require grad (no recorded "
                "op makes it from a tensor with requires_grad=True)"
            )
    retain = create_graph if retain_graph is None else retain_graph
    _run(outs, _root_grads(outs, grad_tensors, not create_graph), retain, create_graph, None)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    create_graph: bool = False,
    retain_graph: bool | None = None,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Gradients of outputs w.r.t. inputs, returned (leaf .grad is left alone).

    grad_outputs takes what backward's grad_tensors does. An input that does not require
    grad has no gradient: an error, or None with allow_unused=True.
    """
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    if any(not isinstance(o, Tensor) for o in outs):
        from .graph.autodiff import grad_values  # graph values: gradient nodes, not values

        gos = None if grad_outputs is None else _as_list(grad_outputs)
        return grad_values(outs, ins, gos, create_graph, allow_unused)  # type: ignore[return-value]
    for o in outs:
        if not o.requires_grad:
            raise RuntimeError("grad of an output that does not require grad")
    retain = create_graph if retain_graph is None else retain_graph
    seeds = _root_grads(outs, grad_outputs, not create_graph)
    captured = _run(outs, seeds, retain, create_graph, ins)
    res: list[Tensor | None] = []
    for i, x in enumerate(ins):
        g = captured.get(id(x))
        if g is None and not allow_unused:
            if not x.requires_grad:
                raise RuntimeError(
                    f"input {i} (shape {x.shape}) does not require grad, so it has no "
                    "gradient: make it with requires_grad=True (or call .requires_grad_()) "
                    "before computing the outputs, or pass allow_unused=True to get None"
                )
            raise RuntimeError(
                f"input {i} (shape {x.shape}) was not used to compute the "
                "outputs; pass allow_unused=True to get None for it"
            )
        res.append(g)
    return tuple(res)


def _wire_tensor() -> None:
    """Give Tensor.backward its entry point (tensor.py cannot import this module: a cycle).

    A function-level import would cost ~1.7 µs on every backward call.
    """
    import sys

    tensor_mod: Any = sys.modules[Tensor.__module__]
    tensor_mod._backward = backward


_wire_tensor()
