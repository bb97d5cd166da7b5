"""Tensor.grad watched while a trace runs, so a compiled step treats .grad as eager code does.

Eager code accumulates into a gradient that exists when the step starts and starts afresh
when it is None; a trace must know which .grad values it read from before the call. While any
thread traces, Tensor.grad is a property over its slot (put back when the last trace ends, so
eager code outside traces pays nothing), and in the tracing thread the first read or write of
each tensor's .grad goes to the tracer (Tracer.grad_read, Tracer.grad_written).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..tensor import Tensor

SLOT: Any = Tensor.__dict__["grad"]
"""The slot's own descriptor: SLOT.__get__(t) and SLOT.__set__(t, g) bypass the watch."""

_lock = threading.Lock()
_depth = [0]  # traces running in all threads


def raw_grad(t: Tensor) -> Any:
    """t.grad without telling the tracer (None while a new tensor has none set yet)."""
    try:
        return SLOT.__get__(t, Tensor)
    except AttributeError:
        return None


def _watch(active: Callable[[], Any]) -> property:
    """Tensor.grad as a property that reports first touches to this thread's tracer."""

    def get(t: Tensor) -> Any:
        g = SLOT.__get__(t, Tensor)
        tr = active()
        return g if tr is None else tr.grad_read(t, g)

    def put(t: Tensor, g: Any) -> None:
        tr = active()
        if tr is not None:
            tr.grad_written(t, g)
        SLOT.__set__(t, g)

    return property(get, put, doc="The gradient accumulated by backward (None until then).")


@contextmanager
def watching_grads(active: Callable[[], Any]) -> Iterator[None]:
    """Watch Tensor.grad while the block runs (active() gives this thread's tracer)."""
    with _lock:
        if _depth[0] == 0:
            type.__setattr__(Tensor, "grad", _watch(active))
        _depth[0] += 1
    try:
        yield
    finally:
        with _lock:
            _depth[0] -= 1
            if _depth[0] == 0:
                type.__setattr__(Tensor, "grad", SLOT)
