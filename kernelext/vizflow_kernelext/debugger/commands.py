"""Browser requests to a debugger widget, validated against the protocol, carried out on the
session. A request that fails raises before the session changes (the widget answers with an
ErrorReply); go commands that may run long run on the session's worker thread."""

from __future__ import annotations

import math
from typing import Any

from vizflow_engine.debug import DebugSession
from vizflow_kernelext.protocol import validate_message

PAUSE_WAIT_S = 5.0


def run_command(session: DebugSession, request: dict[str, Any]) -> None:
    """Carry out a DebugCommand."""
    validate_message("DebugCommand", request)
    command = request["command"]
    if command == "run_to":
        if "node" not in request:
            raise ValueError("run_to needs the node to run to")
        session.run_to(request["node"], block=False)
    elif command == "step_back":
        session.step_back(request.get("n", 1))
    elif command == "pause":
        session.pause(PAUSE_WAIT_S)
    elif command == "restart":
        session.restart()
    elif command in ("step", "step_into"):
        session.step()
    elif command == "step_over":
        session.step_over(block=False)
    elif command == "resume":
        session.resume(block=False)
    elif command == "rerun_stale":
        session.rerun_stale()
    elif command == "step_iteration":
        # To the end of this iteration (the next one when paused at its last node): its
        # updates applied and its loss kept; a breakpoint on the way stops it first.
        session.run_to(session.node_names[-1], block=False)
    else:  # run_to_nan: the schema allows no other command
        session.run_to_nan(block=False)


def change_breakpoint(session: DebugSession, request: dict[str, Any]) -> dict[str, Any] | None:
    """Carry out a DebugBreakpointRequest; the added or toggled breakpoint, described."""
    validate_message("DebugBreakpointRequest", request)
    action = request["action"]
    if action == "add":
        cond = request.get("condition")
        when: Any = None
        if cond is not None:
            kind = cond["kind"]
            if kind == "grad_above":
                if "threshold" not in cond:
                    raise ValueError("a grad_above condition needs a threshold")
                when = ("grad_above", cond["threshold"])
            else:
                when = kind
        bp = session.break_at(request.get("where") or None, when, request.get("hits"))
        return {"breakpoint": bp.describe()}
    if "id" not in request:
        raise ValueError(f"{action} needs the breakpoint's id")
    if action == "remove":
        session.breakpoints.remove(request["id"])
        return None
    bp = session.breakpoints.toggle(request["id"], request.get("enabled"))
    return {"breakpoint": bp.describe()}


def set_value(session: DebugSession, request: dict[str, Any]) -> dict[str, Any]:
    """Carry out a DebugSetValueRequest (a what-if expression, never Python)."""
    validate_message("DebugSetValueRequest", request)
    rerun = session.set_value_expr(
        request["node"], request["expression"], rerun=request.get("rerun", True)
    )
    return {"rerun": rerun}


def check_grad(session: DebugSession, request: dict[str, Any]) -> dict[str, Any]:
    """Carry out a DebugCheckGradRequest."""
    validate_message("DebugCheckGradRequest", request)
    res = session.check_grad(request["node"])
    return {
        "node": res.node,
        "max_abs_error": _finite_or_none(res.max_abs_error),
        "max_rel_error": _finite_or_none(res.max_rel_error),
    }


def _finite_or_none(x: float) -> float | None:
    """JSON has no NaN/Inf: a non-finite error (a NaN gradient) is sent as null."""
    return x if math.isfinite(x) else None
