"""Breakpoints: where (a node, a group's scope path, or anywhere), on what condition, after
how many hits; listed, toggled and removed by id."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .health import all_finite

CONDITIONS = ("nan", "inf", "nonfinite", "produces_nonfinite", "grad_above")


def _has_nan(x: Any) -> bool:
    a = np.asarray(x)
    return a.dtype.kind in "fc" and not all_finite(a) and bool(np.isnan(a).any())


def _has_inf(x: Any) -> bool:
    a = np.asarray(x)
    return a.dtype.kind in "fc" and not all_finite(a) and bool(np.isinf(a).any())


def produces_nonfinite(event: Any) -> bool:
    """True when the step's output holds NaN/Inf while none of its inputs does."""
    return not all_finite(event.output) and all(
        all_finite(x) for x in event.inputs if hasattr(x, "dtype")
    )


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

    def condition_holds(self, event: Any) -> bool:
        """Whether the condition holds for this step's event."""
        w = self.when
        if w is None:
            return True
        out = event.output
        if w == "nan":
            return _has_nan(out)
        if w == "inf":
            return _has_inf(out)
        if w == "nonfinite":
            return not all_finite(out)
        if w == "produces_nonfinite":
            return produces_nonfinite(event)
        if isinstance(w, tuple) and w[0] == "grad_above":
            if event.node.phase != "backward":
                return False
            a = np.asarray(out)
            return bool(a.size) and bool(np.nanmax(np.abs(a)) > w[1])
        return bool(w(event))

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

    def add(self, where: str | None, when: Any = None, hits: int | None = None) -> Breakpoint:
        """A new enabled breakpoint."""
        if hits is not None and hits < 1:
            raise ValueError(f"hits must be at least 1, got {hits}")
        bp = Breakpoint(next(self._ids), where, check_condition(when), hits)
        self._items[bp.id] = bp
        return bp

    def _get(self, bp_id: int) -> Breakpoint:
        try:
            return self._items[bp_id]
        except KeyError:
            raise KeyError(f"no breakpoint {bp_id}; breakpoints: {sorted(self._items)}") from None

    def remove(self, bp_id: int) -> None:
        """Delete a breakpoint."""
        del self._items[self._get(bp_id).id]

    def toggle(self, bp_id: int, enabled: bool | None = None) -> Breakpoint:
        """Enable or disable (flip when enabled is None)."""
        bp = self._get(bp_id)
        bp.enabled = (not bp.enabled) if enabled is None else enabled
        return bp

    def list(self) -> list[Breakpoint]:
        """All breakpoints in creation order."""
        return list(self._items.values())

    def __bool__(self) -> bool:
        return any(bp.enabled for bp in self._items.values())

    def first_hit(self, event: Any, name: str) -> Breakpoint | None:
        """The first enabled breakpoint this event fires (counting hits on every match)."""
        fired: Breakpoint | None = None
        scope = event.node.scope
        for bp in self._items.values():
            if not bp.enabled or not bp.place_matches(name, scope):
                continue
            if not bp.condition_holds(event):
                continue
            bp.hit_count += 1
            if fired is None and (bp.hits is None or bp.hit_count >= bp.hits):
                fired = bp
        return fired
