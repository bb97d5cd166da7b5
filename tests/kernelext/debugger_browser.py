"""What a browser holds of a debugger widget's `session`: the states the kernel sends whole
(trait updates) and those a DebugReply carries as a DebugSessionPatch, merged as
labextension/src/debugger/session.ts applySessionPatch does."""

from __future__ import annotations

from typing import Any


def apply_patch(held: dict[str, Any] | None, patch: dict[str, Any]) -> dict[str, Any]:
    """The state `patch` gives a browser holding `held` (AssertionError when it cannot)."""
    state, start, first = patch["state"], patch["recent_start"], patch["recent_from"]
    kept: list[Any] = []
    if first > start:
        assert held is not None, "a patch builds on steps the browser was never sent"
        h = held["history"]
        held_start = h["steps"] - len(h["recent"])
        assert held_start <= start and first <= h["steps"], (held_start, start, first, h["steps"])
        kept = h["recent"][start - held_start : first - held_start]
    recent = [*kept, *state["history"]["recent"]]
    return {**state, "history": {**state["history"], "recent": recent}}


def browser_states(held: dict[str, Any] | None, sent: list[Any]) -> list[dict[str, Any]]:
    """The states a browser holding `held` goes through as the messages `sent` (comm data)
    arrive, in order."""
    out: list[dict[str, Any]] = []
    for data in sent:
        if data["method"] == "update" and "session" in data["state"]:
            held = data["state"]["session"]
        elif data["method"] == "custom" and "session_patch" in data["content"]:
            held = apply_patch(held, data["content"]["session_patch"])
        else:
            continue
        out.append(held)
    return out
