"""Arguments of a vf.function call as pytrees: their cache key, their feeds, their placeholders.

Positional arguments come first, then keyword arguments sorted by name; tuples, lists and dicts
(in sorted key order) are walked. Array leaves (Tensors, numpy or cupy arrays) become graph
inputs and enter the key as (shape, dtype, device, requires_grad); containers enter it as
(type, length) or (type, keys); any other leaf is baked into the trace and enters it as
(type, value), so 2 and 2.0 differ, or by identity when it cannot be hashed. A float that is
NaN or zero enters it by its repr, so NaN hits the cache and 0.0 and -0.0 trace apart.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import dtypes
from ..backend import device_of_array
from ..tensor import Tensor
from .ir import Graph, Shape, Value


@dataclass(frozen=True)
class Spec:
    """An input signature: shape (None or a name for unknown dims), dtype and device."""

    shape: Shape
    dtype: Any = "float32"
    device: str = "cpu"


def spec(shape: Shape, dtype: Any = "float32", device: str = "cpu") -> Spec:
    """Describe a graph input; dims may be None or a name like "batch"."""
    return Spec(tuple(shape), str(dtypes.as_dtype(dtype)), device)


def call_key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], list[Any]]:
    """The cache key of a call and its feeds (the leaf arrays in placeholder order).

    Runs on every call of a compiled function, so the common leaf (a Tensor) is handled first.
    """
    key: list[Any] = []
    feeds: list[Any] = []
    for a in args:
        _walk(a, key, feeds)
    if kwargs:
        names = sorted(kwargs)
        key.append(tuple(names))
        for k in names:
            _walk(kwargs[k], key, feeds)
    return tuple(key), feeds


def _walk(a: Any, key: list[Any], feeds: list[Any]) -> None:
    """Append a's part of the key, and its arrays to feeds (depth first, dicts by key)."""
    if isinstance(a, Tensor):
        d = a.array
        key.append((d.shape, d.dtype, a.device.name, a.requires_grad))
        feeds.append(d)
    elif isinstance(a, (tuple, list)):
        key.append((type(a), len(a)))
        for x in a:
            _walk(x, key, feeds)
    elif isinstance(a, dict):
        ks = _sorted_keys(a)
        key.append((type(a), ks))
        for k in ks:
            _walk(a[k], key, feeds)
    elif isinstance(a, (float, np.floating)):
        # NaN != NaN would miss the cache on every call, and 0.0 == -0.0 would share a
        # trace though results can differ (copysign, 1 / x): those key by their repr
        key.append((type(a), a if a == a and a else repr(a)))
    elif isinstance(a, np.ndarray):
        key.append((a.shape, a.dtype, "cpu", False))
        feeds.append(a)
    elif hasattr(a, "__cuda_array_interface__"):
        key.append((tuple(a.shape), a.dtype, device_of_array(a).name, False))
        feeds.append(a)
    elif isinstance(a, Spec):
        raise TypeError(
            "vf.spec(...) describes an input for f.graph(...) or vf.trace(...); "
            "call the compiled function itself with arrays or tensors"
        )
    else:
        try:
            hash(a)
        except TypeError:  # unhashable: only the very same object hits the cache
            key.append(_Identity(a))
        else:
            key.append((type(a), a))


class _Identity:
    """A cache-key part for an unhashable argument: equal only to the very same object.

    It holds the object, so its id cannot be reused by another object while the key lives.
    """

    __slots__ = ("obj",)

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Identity) and other.obj is self.obj


def _sorted_keys(d: dict[Any, Any]) -> tuple[Any, ...]:
    """d's keys in a fixed order: sorted, or by (type, repr) when they do not compare."""
    try:
        return tuple(sorted(d))
    except TypeError:
        return tuple(sorted(d, key=lambda k: (type(k).__name__, repr(k))))


def leaves(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Iterator[Any]:
    """Every leaf of the arguments, containers walked as call_key walks them."""
    stack: list[Any] = [kwargs[k] for k in sorted(kwargs, reverse=True)] + list(args[::-1])
    while stack:
        a = stack.pop()
        if isinstance(a, (tuple, list)):
            stack.extend(reversed(a))
        elif isinstance(a, dict):
            stack.extend(a[k] for k in reversed(_sorted_keys(a)))
        else:
            yield a


def is_array(x: Any) -> bool:
    """An array leaf: it becomes a placeholder."""
    return isinstance(x, (Tensor, np.ndarray, Spec)) or hasattr(x, "__cuda_array_interface__")


def symbolic_args(
    g: Graph, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """fn's arguments with every array leaf replaced by a placeholder of g, in call_key's order.

    Placeholders are named after fn's parameters: x, or d_a and xs_0 inside containers.
    """
    names = positional_names(fn, len(args))
    sym = tuple(_symbolic(g, a, nm) for a, nm in zip(args, names, strict=True))
    skw = {k: _symbolic(g, kwargs[k], k) for k in sorted(kwargs)}
    return sym, {k: skw[k] for k in kwargs}


def _symbolic(g: Graph, a: Any, name: str) -> Any:
    """a with its array leaves made placeholders, walked in _walk's order."""
    if is_array(a):
        return _placeholder(g, a, name)
    if isinstance(a, (tuple, list)):
        items = [_symbolic(g, x, f"{name}_{j}") for j, x in enumerate(a)]
        return type(a)(*items) if hasattr(a, "_fields") else type(a)(items)
    if isinstance(a, dict):
        vals = {k: _symbolic(g, a[k], f"{name}_{k}") for k in _sorted_keys(a)}
        out = copy.copy(a)  # keeps the dict's type and insertion order
        out.update(vals)
        return out
    return a


def _placeholder(g: Graph, a: Any, name: str) -> Value:
    """A placeholder of g with a's shape, dtype, device (and a Tensor's requires_grad)."""
    if isinstance(a, Spec):
        return g.placeholder(name, a.shape, a.dtype, a.device)
    if isinstance(a, Tensor):
        v = g.placeholder(name, a.array.shape, a.array.dtype, a.device)
        v.requires_grad = a.requires_grad
        return v
    if hasattr(a, "__cuda_array_interface__"):
        return g.placeholder(name, tuple(a.shape), a.dtype, device_of_array(a))
    arr = np.asarray(a)
    return g.placeholder(name, arr.shape, arr.dtype)


def positional_names(fn: Callable[..., Any], n: int) -> list[str]:
    """Names for n positional arguments of fn (a module's are its forward's): x, then args0…"""
    forward = getattr(fn, "forward", None)
    target = forward if callable(forward) and not inspect.isroutine(fn) else fn
    try:
        params = list(inspect.signature(target).parameters.values())
    except (TypeError, ValueError):
        params = []
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    names = [p.name for p in params if p.kind in positional]
    rest = next((p.name for p in params if p.kind is inspect.Parameter.VAR_POSITIONAL), "arg")
    return (names + [f"{rest}{j}" for j in range(n)])[:n]
