"""Browser messages to the debugger widget: each request validated and answered once,
a bad one gets one clear ErrorReply and leaves the session and its state unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from tests.engine.debug.models import chain_graph, mlp_step
from tests.kernelext.debugger_browser import browser_states
from tests.kernelext.widget_fuzz import RecordingComm, comm_message, recording_comms
from vizflow_kernelext.debugger import DebuggerWidget
from vizflow_kernelext.debugger.timeline import HISTORY_STEPS_SENT
from vizflow_kernelext.protocol import validate_message


@pytest.fixture
def widget() -> Iterator[DebuggerWidget]:
    with recording_comms():
        yield DebuggerWidget(vf.debug(chain_graph(), np.ones(3)))


def _send(w: DebuggerWidget, data: Any) -> list[Any]:
    channel: RecordingComm = w.comm
    channel.sent.clear()
    channel.handle_msg(comm_message(data))
    return [data for _, data, _ in channel.sent]


def _request(w: DebuggerWidget, content: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """Send a custom request; its one reply and the states the browser holds as what was
    sent for it arrives (the last is always the kernel's `session`)."""
    held = w.session
    sent = _send(w, {"method": "custom", "content": {"request_id": 7, **content}})
    replies = [m["content"] for m in sent if m["method"] == "custom"]
    assert len(replies) == 1, sent
    states = browser_states(held, sent)
    assert not states or states[-1] == w.session
    return replies[0], states


def test_initial_state_is_valid_and_names_graph_nodes(widget: DebuggerWidget) -> None:
    validate_message("CompactGraph", widget.graph)
    validate_message("DebugSessionState", widget.session)
    assert widget.session["state"] == "idle" and widget.session["current"] is None
    assert set(widget.debug_session.node_names) <= set(widget.node_ids)


def test_commands_drive_the_session_and_push_state(widget: DebuggerWidget) -> None:
    reply, updates = _request(widget, {"kind": "debug_command", "command": "step"})
    validate_message("DebugReply", reply)
    assert reply["state"] == "paused" and reply["result"] is None
    state = widget.session
    validate_message("DebugSessionState", state)
    assert state["current"]["name"] == "mul"
    assert state["current"]["node_id"] == widget.node_ids["mul"]
    assert updates == [state]  # one state, carried by the reply
    validate_message("DebugSessionPatch", reply["session_patch"])
    _request(widget, {"kind": "debug_command", "command": "run_to", "node": "add_2"})
    assert widget.debug_session.wait(5) == "paused"
    assert widget.session["current"]["name"] == "add_2"
    reply, _ = _request(widget, {"kind": "debug_command", "command": "step_back", "n": 2})
    assert widget.session["current"]["name"] == "add_1"
    assert widget.session["history"]["steps"] == 4
    _request(widget, {"kind": "debug_command", "command": "resume"})
    assert widget.debug_session.wait(5) == "finished"
    assert widget.session["state"] == "finished" and widget.session["current"] is None
    _request(widget, {"kind": "debug_command", "command": "restart"})
    assert widget.session["state"] == "idle"


def test_breakpoints_set_value_check_grad_and_inspect(widget: DebuggerWidget) -> None:
    reply, _ = _request(
        widget,
        {"kind": "debug_breakpoint", "action": "add", "where": "add_1", "condition": None},
    )
    bp = reply["result"]["breakpoint"]
    assert bp["where"] == "add_1" and widget.session["breakpoints"] == [bp]
    _request(widget, {"kind": "debug_command", "command": "resume"})
    assert widget.debug_session.wait(5) == "paused"
    assert widget.session["hit"] == bp["id"] and widget.session["current"]["name"] == "add_1"
    reply, _ = _request(
        widget, {"kind": "debug_set_value", "node": "mul", "expression": "x[0] = 0"}
    )
    assert reply["result"] == {"rerun": ["add", "mul_1", "add_1"]}
    np.testing.assert_array_equal(widget.debug_session.value("add_1"), [3.0, 7.0, 7.0])
    reply, _ = _request(widget, {"kind": "debug_check_grad", "node": "mul_1"})
    assert reply["result"]["node"] == "mul_1" and reply["result"]["max_abs_error"] < 1e-6
    reply, _ = _request(widget, {"kind": "inspect", "node_id": widget.node_ids["add_1"]})
    validate_message("InspectReply", reply)
    assert reply["error"] is None and reply["value"]["shape"] == [3]
    reply, _ = _request(widget, {"kind": "debug_breakpoint", "action": "toggle", "id": bp["id"]})
    assert reply["result"]["breakpoint"]["enabled"] is False
    _request(widget, {"kind": "debug_breakpoint", "action": "remove", "id": bp["id"]})
    assert widget.session["breakpoints"] == []


BAD = [
    ({"kind": "debug_command", "command": "explode"}, "command"),
    ({"kind": "debug_command", "command": "run_to"}, "run_to needs"),
    ({"kind": "debug_command", "command": "run_to", "node": "nope"}, "no node called"),
    ({"kind": "debug_command", "command": "step_back", "n": 5}, "step_back"),
    ({"kind": "debug_command", "command": "step", "extra": 1}, "extra"),
    ({"kind": "debug_breakpoint", "action": "add", "where": "nowhere"}, "no node or group"),
    ({"kind": "debug_breakpoint", "action": "toggle", "id": 99}, "no breakpoint 99"),
    ({"kind": "debug_breakpoint", "action": "remove"}, "needs the breakpoint's id"),
    (
        {"kind": "debug_breakpoint", "action": "add", "condition": {"kind": "grad_above"}},
        "threshold",
    ),
    ({"kind": "debug_set_value", "node": "mul", "expression": "__import__('os')"}, "not allowed"),
    ({"kind": "debug_set_value", "node": "mul", "expression": "x +"}, "cannot parse"),
    ({"kind": "debug_set_value", "node": "ghost", "expression": "x * 0"}, "no value named"),
    ({"kind": "debug_check_grad", "node": "sub"}, "not run yet"),
    ({"kind": "debug_teleport"}, "unknown request kind"),
]


@pytest.mark.parametrize(("content", "says"), BAD)
def test_a_bad_request_gets_one_error_and_changes_nothing(
    widget: DebuggerWidget, content: dict[str, Any], says: str
) -> None:
    _request(widget, {"kind": "debug_command", "command": "step"})
    _request(widget, {"kind": "debug_command", "command": "step"})
    before = widget.session
    value = widget.debug_session.value("mul").copy()
    reply, updates = _request(widget, content)
    validate_message("ErrorReply", reply)
    assert reply["request_id"] == 7 and says in reply["error"]
    assert updates == [] and widget.session == before
    np.testing.assert_array_equal(widget.debug_session.value("mul"), value)


def test_browser_updates_of_kernel_traits_are_refused(widget: DebuggerWidget) -> None:
    held = widget.session
    sent = _send(widget, {"method": "update", "state": {"session": {"state": "finished"}}})
    assert widget.session is held
    notices = [m["content"] for m in sent if m["method"] == "custom"]
    assert [n["kind"] for n in notices] == ["state_rejected"]
    assert "set by the kernel" in notices[0]["error"]


def test_a_training_step_session_state_is_valid_through_phases() -> None:
    _, step, x, y = mlp_step()
    with recording_comms():
        w = DebuggerWidget(vf.debug(step, x, y))
        phases = set()
        grads: dict[str, Any] = {}
        while w.session["state"] != "finished":
            _request(w, {"kind": "debug_command", "command": "step"})
            validate_message("DebugSessionState", w.session)
            current = w.session["current"]
            if current is not None:
                phases.add(current["phase"])
                if current["phase"] == "forward":
                    assert w.session["grad_partials"] == {}
                else:
                    grads.update(w.session["grad_partials"])
        assert phases == {"forward", "backward", "update"}
        params = {v.name for v in w.debug_session.graph.variables if v.requires_grad}
        assert set(grads) == params and all(g["norm"] > 0 for g in grads.values())
        # Each parameter's contributions and the edge carrying its sum, by names the browser
        # draws (node_ids), the sum read by that parameter's update.
        for g in grads.values():
            assert g["terms"] and all(t["norm"] > 0 for t in g["terms"])
            edge = g["sum_edge"]
            assert edge["of"] == len(g["terms"])
            for name in [edge["from"], edge["into"], *(t["node"] for t in g["terms"])]:
                assert name in w.node_ids
            names = w.debug_session.node_names
            assert w.debug_session.plan.instrs[names.index(edge["into"])].node.phase == "update"
        outputs = w.debug_session.outputs
        assert outputs is not None
        assert w.session["losses"] == [pytest.approx(float(outputs[0]))]


def test_a_reply_carries_the_state_with_only_the_timeline_steps_not_yet_sent() -> None:
    with recording_comms():
        w = DebuggerWidget(vf.debug(chain_graph(130), np.ones(3)))  # 262 steps
        step = {"kind": "debug_command", "command": "step"}
        for k in range(230):
            reply, states = _request(w, step)
            assert len(states) == 1  # the reply's patch, no update message of its own
            patch = reply["session_patch"]
            assert len(patch["state"]["history"]["recent"]) == 1, k  # just the new step
            assert patch["recent_from"] == k
            assert len(w.session["history"]["recent"]) == min(k + 1, HISTORY_STEPS_SENT)
        # From Python (a cell): the whole state as a trait update; a reply builds on it.
        channel: RecordingComm = w.comm
        channel.sent.clear()
        w.debug_session.step()
        full = browser_states(None, [d for _, d, _ in channel.sent])
        assert full[-1] == w.session
        reply, states = _request(w, step)
        assert len(reply["session_patch"]["state"]["history"]["recent"]) == 1
        # Back 3 steps: the timeline now starts 3 steps earlier, at steps the browser does not
        # hold (a patch keeps only a first stretch of what it holds): it comes whole.
        reply, states = _request(w, {"kind": "debug_command", "command": "step_back", "n": 3})
        assert w.session["history"]["steps"] == 229
        assert len(reply["session_patch"]["state"]["history"]["recent"]) == HISTORY_STEPS_SENT
        _request(w, {"kind": "debug_command", "command": "restart"})
        assert w.session["history"]["recent"] == []
        # A reloaded page asks for the state: it gets the kernel's, whole.
        sent = _send(w, {"method": "request_state"})
        assert browser_states(None, sent)[-1] == w.session
