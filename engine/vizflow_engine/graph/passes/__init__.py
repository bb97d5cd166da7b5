"""Named, pure Graph -> Graph passes, and optimize() which runs them and reports changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..ir import Graph
from .cse import cse
from .dce import dce
from .fold import fold_constants
from .fuse import fuse_elementwise
from .infer_shapes import infer_shapes, specialize
from .simplify import simplify

Pass = Callable[[Graph], Graph]

PASSES: dict[str, Pass] = {
    "infer_shapes": infer_shapes,
    "fold_constants": fold_constants,
    "simplify": simplify,
    "cse": cse,
    "dce": dce,
    "fuse_elementwise": fuse_elementwise,
}
DEFAULT = ("infer_shapes", "fold_constants", "simplify", "cse", "dce")


@dataclass
class PassRecord:
    """What one pass did: node counts before/after and the op histogram change."""

    name: str
    nodes_before: int
    nodes_after: int
    removed: dict[str, int] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)
    graph: Graph | None = None

    def __str__(self) -> str:
        diff = ", ".join(
            [f"-{k}×{v}" for k, v in self.removed.items()]
            + [f"+{k}×{v}" for k, v in self.added.items()]
        )
        return f"{self.name}: {self.nodes_before} → {self.nodes_after} nodes" + (
            f" ({diff})" if diff else ""
        )


@dataclass
class Report:
    """Every pass run by optimize(), in order, with the graph after each (for replay)."""

    records: list[PassRecord] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(r) for r in self.records)


def _hist(g: Graph) -> dict[str, int]:
    h: dict[str, int] = {}
    for n in g.nodes:
        h[n.op.name] = h.get(n.op.name, 0) + 1
    return h


def optimize(
    g: Graph, passes: Sequence[str | Pass] | None = None, fuse: bool = False
) -> tuple[Graph, Report]:
    """Run passes (default: shape inference, folding, simplify, CSE, DCE [, fusion]) in order.

    Returns the new graph and a Report of what each pass changed; g itself is unchanged.
    """
    names: list[str | Pass] = list(passes) if passes is not None else list(DEFAULT)
    if fuse and passes is None:
        names.append("fuse_elementwise")
    rep = Report()
    cur = g
    for p in names:
        fn = PASSES[p] if isinstance(p, str) else p
        nm = p if isinstance(p, str) else getattr(p, "__name__", "pass")
        new = fn(cur)
        before, after = _hist(cur), _hist(new)
        rec = PassRecord(
            nm,
            len(cur.nodes),
            len(new.nodes),
            {k: c - after.get(k, 0) for k, c in before.items() if c > after.get(k, 0)},
            {k: c - before.get(k, 0) for k, c in after.items() if c > before.get(k, 0)},
            new,
        )
        rep.records.append(rec)
        cur = new
    return cur, rep


__all__ = [
    "DEFAULT",
    "PASSES",
    "PassRecord",
    "Report",
    "cse",
    "dce",
    "fold_constants",
    "fuse_elementwise",
    "infer_shapes",
    "optimize",
    "simplify",
    "specialize",
]
