"""vf.debug(...): a DebugSession for a @vf.function, a Graph, a Module or a plain function."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..graph.ir import Graph
from ..graph.trace import Function, trace
from .history import DEFAULT_MAX_VALUES
from .loop import DEFAULT_MAX_BATCH_BYTES, Batches, feeds_of
from .session import DebugSession


def _graph_of(target: Any, args: tuple[Any, ...]) -> Graph:
    """The (unoptimised, so every node keeps its name and source line) graph of target."""
    if isinstance(target, Graph):
        return target
    if isinstance(target, Function):
        return target.graph(*args)
    if callable(target):
        return trace(target, *args)
    raise TypeError(
        f"vf.debug takes a @vf.function, a vf.Graph, a Module or a function; got "
        f"{type(target).__name__}"
    )


def debug(
    target: Any,
    *args: Any,
    iterations: int | None = None,
    max_values: int = DEFAULT_MAX_VALUES,
    max_bytes: int | None = None,
    keep_values: bool = False,
    max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
) -> DebugSession:
    """A paused-before-the-first-node debug session of target called on args.

    With iterations, args is one iterable of batches (each a tuple of target's arguments):
    training-loop mode, `vf.debug(train_step, loader, iterations=100)`, runs one call per
    batch, keeps each iteration's loss, and breakpoints fire across iterations. restart()
    runs the same batches again: a list's by iterating it again, a loader's or generator's
    from references kept up to max_batch_bytes (256 MiB); past that they are let go, and a
    restart starts a loader's next pass (with a warning) or is refused for a generator.
    max_values / max_bytes bound the history's value copies (health summaries are kept always);
    keep_values gives every value its own memory (see DebugSession).
    """
    if iterations is not None:
        if len(args) != 1 or not isinstance(args[0], Iterable):
            raise TypeError(
                "training-loop mode takes one iterable of batches: debug(fn, loader, iterations=n)"
            )
        batches = Batches(args[0], iterations, max_batch_bytes)
        first = batches.peek()
        example = first if isinstance(first, tuple) else (first,)
        graph = _graph_of(target, example)
        return DebugSession(graph, batches, max_values, max_bytes, keep_values)
    graph = _graph_of(target, args)
    feeds = tuple(args) if isinstance(target, Graph) else feeds_of(tuple(args))
    return DebugSession(graph, feeds, max_values, max_bytes, keep_values)
