"""The timeline's steps as JSON, each step's made once, and a reply's state as a patch that
sends only the steps the browser does not hold yet."""

from __future__ import annotations

from typing import Any

from vizflow_engine.debug.history import History, Step

HISTORY_STEPS_SENT = 200  # the timeline gets the most recent steps; totals cover all
Sent = tuple[int, list[dict[str, Any]]]  # the position of the first recent step, their JSON


class RecentSteps:
    """The history's last `last` steps as JSON. A step's JSON is made once and reused (the same
    dict) while it is the same Step with its value kept or not: a step costs one new JSON, and
    what the browser already holds is found by identity."""

    def __init__(self, last: int = HISTORY_STEPS_SENT) -> None:
        self.last = last
        self._made: dict[int, tuple[Step, bool, dict[str, Any]]] = {}

    def json(self, history: History) -> Sent:
        """The position of the first of the recent steps, and their JSON."""
        steps = history.steps
        start = max(0, len(steps) - self.last)
        made: dict[int, tuple[Step, bool, dict[str, Any]]] = {}
        out: list[dict[str, Any]] = []
        for s in steps[start:]:
            kept = s.value is not None
            entry = self._made.get(id(s))
            if entry is None or entry[0] is not s or entry[1] != kept:
                entry = (s, kept, s.to_json())
            made[id(s)] = entry
            out.append(entry[2])
        self._made = made  # only the recent steps: older ones (and their values) are let go
        return start, out


def first_new(before: Sent, now: Sent) -> int:
    """The position from which the recent steps `now` differ from those sent `before`."""
    old_start, old = before
    start, recent = now
    if start < old_start:
        return start
    end = min(start + len(recent), old_start + len(old))
    p = start
    while p < end and recent[p - start] is old[p - old_start]:
        p += 1
    return p


def session_patch(state: dict[str, Any], now: Sent, before: Sent) -> dict[str, Any]:
    """A DebugSessionPatch: `state` whose history holds the recent steps from the first that
    differs from those sent before; the browser keeps its own from recent_start up to there."""
    start, recent = now
    first = first_new(before, now)
    history = {**state["history"], "recent": recent[first - start :]}
    return {"state": {**state, "history": history}, "recent_start": start, "recent_from": first}
