"""Breakpoints: where (a node, a group's scope path, or anywhere), on what condition, after
how many hits; listed, toggled and removed by id."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from .health import Health

CONDITIONS = ("nan", "inf", "nonfinite", "produces_nonfinite", "grad_above")
# conditions that hold only where a value is not finite
NONFINITE_CONDITIONS = frozenset(CONDITIONS[:4])


class StepFacts(Protocol):
    """What a condition may ask about the step just run, worked out only when asked."""

    def inputs_finite(self) -> bool:
        """Whether the step's inputs were finite when they were made."""
        ...

    def event(self) -> Any:
        """The step's Event."""
        ...


@dataclass
class Breakpoint:
    """One breakpoint. `where`: a node/value name, a scope path ("" or None: every node).

    `when`: None (always), "nan", "inf", "nonfinite", "produces_nonfinite" (the output is
    not finite but every input is: the node that made the NaN/Inf), ("grad_above", t) — a
    backward node whose output's largest |value| exceeds t — or a function of the step Event.
    `hits`: fire on the hits-th time the place and condition match (then every time after).
    """

    id: int
    where: str | None
    when: Any = None
    hits: int | None = None
    enabled: bool = True
    hit_count: int = field(default=0)

    def place_matches(self, name: str, scope: str) -> bool:
        """Whether a node called `name` in `scope` is at this breakpoint's place."""
        w = self.where
        if not w:
            return True
        return name == w or scope == w or scope.startswith(w + "/") or scope.startswith(w + ".")

    def holds(self, output: Any, phase: str, health: Health, facts: StepFacts) -> bool:
        """Whether this enabled breakpoint's condition holds for the step just run, given its
        output, phase and output's health; facts.inputs_finite() says whether its inputs were
        finite when made and facts.event() gives its Event (asked only where needed)."""
        w = self.when
        if not self.enabled:
            return False
        if w is None:
            return True
        if w == "nan":
            return health.nan > 0
        if w == "inf":
            return health.posinf + health.neginf > 0
        if w == "nonfinite":
            return not health.finite
        if w == "produces_nonfinite":
            return not health.finite and facts.inputs_finite()
        if isinstance(w, tuple) and w[0] == "grad_above":
            if phase != "backward":
                return False
            a = np.asarray(output)
            return bool(a.size) and bool(np.nanmax(np.abs(a)) > w[1])
        return bool(w(facts.event()))

    def describe(self) -> dict[str, Any]:
        """A plain dict for listing (a predicate is named, never serialised)."""
        w = self.when
        if callable(w):
            cond: Any = {"kind": "predicate", "name": getattr(w, "__name__", "predicate")}
        elif isinstance(w, tuple):
            cond = {"kind": w[0], "threshold": float(w[1])}
        else:
            cond = None if w is None else {"kind": w}
        return {
            "id": self.id,
            "where": self.where or "",
            "condition": cond,
            "hits": self.hits,
            "hit_count": self.hit_count,
            "enabled": self.enabled,
        }


def check_condition(when: Any) -> Any:
    """A breakpoint condition as stored, or ValueError naming the accepted forms."""
    if when is None or callable(when) or when in CONDITIONS[:4]:
        return when
    if isinstance(when, tuple) and len(when) == 2 and when[0] == "grad_above":
        return ("grad_above", float(when[1]))
    raise ValueError(
        f"unknown breakpoint condition {when!r}: use None, 'nan', 'inf', 'nonfinite', "
        "'produces_nonfinite', ('grad_above', threshold) or a function of the step event"
    )


class Breakpoints:
    """The session's breakpoints, checked once per step (cheap when there are none)."""

    def __init__(self) -> None:
        self._items: dict[int, Breakpoint] = {}
        self._ids = itertools.count(1)
        self.version = 0  # counts additions, removals and toggles (by_step's tables follow it)

    def add(self, where: str | None, when: Any = None, hits: int | None = None) -> Breakpoint:
        """A new enabled breakpoint."""
        if hits is not None and hits < 1:
            raise ValueError(f"hits must be at least 1, got {hits}")
        bp = Breakpoint(next(self._ids), where, check_condition(when), hits)
        self._items[bp.id] = bp
        self.version += 1
        return bp

    def _get(self, bp_id: int) -> Breakpoint:
        try:
            return self._items[bp_id]
        except KeyError:
            raise KeyError(f"no breakpoint {bp_id}; breakpoints: {sorted(self._items)}") from None

    def remove(self, bp_id: int) -> None:
        """Delete a breakpoint."""
        del self._items[self._get(bp_id).id]
        self.version += 1

    def toggle(self, bp_id: int, enabled: bool | None = None) -> Breakpoint:
        """Enable or disable (flip when enabled is None)."""
        bp = self._get(bp_id)
        bp.enabled = (not bp.enabled) if enabled is None else enabled
        self.version += 1
        return bp

    def list(self) -> list[Breakpoint]:
        """All breakpoints in creation order."""
        return list(self._items.values())

    def __bool__(self) -> bool:
        return any(bp.enabled for bp in self._items.values())

    def by_step(self, names: Sequence[str], scopes: Sequence[str]) -> StepBreaks:
        """Which breakpoints apply at each step of a run (names and scopes by step): those
        placed anywhere, and, for the steps a placed one matches, all of the step's; each list
        in creation order (the order they are checked and fire in)."""
        items = list(self._items.values())  # one copy: another thread may add one meanwhile
        everywhere = [bp for bp in items if not bp.where]
        placed = [bp for bp in items if bp.where]
        at: dict[int, BreakList] = {}
        if placed:
            for k, (name, scope) in enumerate(zip(names, scopes, strict=True)):
                mine = [bp for bp in placed if bp.place_matches(name, scope)]
                if mine:
                    at[k] = sorted(everywhere + mine, key=lambda bp: bp.id)
        return everywhere, at


BreakList = list[Breakpoint]
# the breakpoints placed anywhere, and all of those of each step that has more, by step index
StepBreaks = tuple[BreakList, dict[int, BreakList]]
