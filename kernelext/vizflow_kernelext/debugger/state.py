"""A DebugSession as the protocol's DebugSessionState (plain JSON, no arrays)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from vizflow_engine.debug import DebugSession
from vizflow_engine.debug.health import health
from vizflow_kernelext.widgets.guard import short

HISTORY_STEPS_SENT = 200  # the timeline gets the most recent steps; totals cover all


def session_state(session: DebugSession, node_ids: Mapping[str, str]) -> dict[str, Any]:
    """The session's state, position, breakpoints, history summary, stale nodes and losses;
    node_ids maps node names to the GraphNode ids the browser draws."""
    cur = session.current if session.state == "paused" else None
    current = None
    if cur is not None:
        current = {**cur.to_json(), "node_id": node_ids.get(cur.name)}
    hit = session.hit
    return {
        "state": session.state,
        "current": current,
        "breakpoints": [bp.describe() for bp in session.breakpoints.list()],
        "history": session.history.summary(HISTORY_STEPS_SENT),
        "stale": list(session.stale),
        "iteration": session.iteration,
        "losses": [x if math.isfinite(x) else None for x in session.losses],
        "hit": hit.id if hit is not None else None,
        "error": None
        if session.error is None
        else short(f"{type(session.error).__name__}: {session.error}"),
        "grad_partials": _grad_partials(session) if cur is not None else {},
    }


def _grad_partials(session: DebugSession) -> dict[str, Any]:
    """Norm and health of each parameter's gradient so far ({} when a term is no longer held)."""
    try:
        sums = session.grad_partials()
    except LookupError:
        return {}
    out: dict[str, Any] = {}
    for name, g in sums.items():
        norm = float(np.sqrt(np.sum(np.square(g, dtype=np.float64))))
        out[name] = {"norm": norm if math.isfinite(norm) else None, "health": health(g).to_json()}
    return out
