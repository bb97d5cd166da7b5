"""The executor: compile a Graph into a Plan; run it fast, in parallel, or step by step."""

from __future__ import annotations

from typing import Any

from ..ir import Graph
from .plan import Event, Plan, Run


def compile_plan(g: Graph, **options: Any) -> Any:
    """A Plan for g (a SpecializingPlan when some input dims are unknown until run time)."""
    if any(not isinstance(d, int) for v in g.all_values() for d in v.shape):
        return SpecializingPlan(g, **options)
    return Plan(g, **options)


class SpecializingPlan:
    """Compiles one Plan per concrete input-shape signature of a graph with unknown dims."""

    def __init__(self, g: Graph, **options: Any) -> None:
        self.graph = g
        self.options = options
        self.plans: dict[tuple[Any, ...], Plan] = {}
        self.device = next((v.device for v in [*g.inputs, *g.variables]), None)

    def for_feeds(self, *feeds: Any) -> Plan:
        """The Plan specialised to these feeds' shapes."""
        shapes = tuple(tuple(getattr(f, "shape", ())) for f in feeds)
        p = self.plans.get(shapes)
        if p is None:
            from ..passes.infer_shapes import specialize

            # threads that specialise at once all run the first plan stored (one lock, one pool)
            p = self.plans.setdefault(shapes, Plan(specialize(self.graph, shapes), **self.options))
        return p

    def run(self, *feeds: Any) -> list[Any]:
        """Run on feeds (specialising first)."""
        return self.for_feeds(*feeds).run(*feeds)

    def start(self, *feeds: Any, copy: bool = True) -> Run:
        """A stepped run on feeds."""
        return self.for_feeds(*feeds).start(*feeds, copy=copy)


__all__ = ["Event", "Plan", "Run", "SpecializingPlan", "compile_plan"]
