"""A DebugSession as the protocol's DebugSessionState (plain JSON, no arrays)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from vizflow_engine.debug import DebugSession
from vizflow_engine.debug.health import health
from vizflow_kernelext.debugger.timeline import Sent
from vizflow_kernelext.widgets.guard import short


def session_state(
    session: DebugSession, node_ids: Mapping[str, str], recent: Sent
) -> dict[str, Any]:
    """The session's state, position, breakpoints, history summary, stale nodes and losses;
    node_ids maps node names to the GraphNode ids the browser draws; recent: the history's
    recent steps (RecentSteps.json), whose count of steps the history's count agrees with."""
    cur = session.current if session.state == "paused" else None
    current = None
    if cur is not None:
        current = {**cur.to_json(), "node_id": node_ids.get(cur.name)}
    hit = session.hit
    start, steps = recent
    totals = session.history.summary(1)  # the totals (and one step's JSON, cheap)
    history = {**totals, "steps": start + len(steps), "recent": steps}
    return {
        "state": session.state,
        "current": current,
        "breakpoints": [bp.describe() for bp in session.breakpoints.list()],
        "history": history,
        "stale": list(session.stale),
        "iteration": session.iteration,
        "losses": [x if math.isfinite(x) else None for x in session.losses],
        "hit": hit.id if hit is not None else None,
        "error": None
        if session.error is None
        else short(f"{type(session.error).__name__}: {session.error}"),
        "grad_partials": _grad_partials(session) if cur is not None else {},
    }


def _norm(x: Any) -> float | None:
    """The L2 norm of an array (in float64), or None when it is not finite."""
    norm = float(np.sqrt(np.sum(np.square(x, dtype=np.float64))))
    return norm if math.isfinite(norm) else None


def _grad_partials(session: DebugSession) -> dict[str, Any]:
    """Each parameter's gradient so far: its norm and health, each contribution run with the
    node it flows into and its norm, and the edge carrying the whole sum to the node that reads
    it ({} when a term is no longer held)."""
    try:
        contributions = session.grad_contributions()
    except LookupError:
        return {}
    flows = session.grad_flows()
    out: dict[str, Any] = {}
    for name, terms in contributions.items():
        total = sum((v for _, _, v in terms[1:]), np.array(terms[0][2], copy=True))
        flow = flows[name]
        out[name] = {
            "norm": _norm(total),
            "health": health(total).to_json(),
            "terms": [{"node": node, "into": into, "norm": _norm(v)} for node, into, v in terms],
            "sum_edge": None
            if flow.reader is None
            else {
                "from": session.node_names[flow.root],
                "into": flow.reader,
                "of": len(flow.terms),
            },
        }
    return out
