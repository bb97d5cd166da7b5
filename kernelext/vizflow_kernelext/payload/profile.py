"""Run a graph node by node for the viewer: each node's time and output value.

After a warm-up run, a second run steps the compiled plan (the debugger's interpreter
loop), so times are per node. Variables the graph updates (a training step's parameters)
are restored afterwards: showing a graph never trains the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vizflow_engine.graph import Graph
from vizflow_engine.tensor import Tensor


@dataclass
class Profile:
    """Per node (keyed by the node's output value name): seconds and the output array;
    per graph input (keyed by its name): the array fed."""

    seconds: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)


def profile_graph(graph: Graph, feeds: tuple[Any, ...]) -> Profile:
    """Step graph's plan on feeds (a warm-up run, then the timed one); every variable is
    as it was when this returns."""
    arrays = [v.tensor.array if v.tensor is not None else v.value for v in graph.variables]
    saved = [a.copy() for a in arrays]
    plain = tuple(f.array if isinstance(f, Tensor) else f for f in feeds)
    plan = graph.compile(parallel=False)
    profile = Profile(inputs={v.name: a for v, a in zip(graph.inputs, plain, strict=False)})
    try:
        for timed in (False, True):  # the first run warms caches and allocator up
            run = plan.start(*plain, copy=timed)
            for event in run:
                if timed:
                    name = run.plan.graph.out[event.node].name
                    profile.seconds[name] = event.time_s
                    profile.outputs[name] = event.output
            _restore(arrays, saved)
    finally:
        _restore(arrays, saved)
    return profile


def _restore(arrays: list[Any], saved: list[Any]) -> None:
    for a, s in zip(arrays, saved, strict=True):
        a[...] = s
