"""The debugger widget's requests the browser UI adds: a what-if that leaves nodes stale until
rerun_stale, a long `resume` that leaves the kernel free and stops on pause, and a session
shown as its (one) widget."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from tests.engine.debug.models import chain_graph
from tests.kernelext.ipython_shell import suite_shell
from tests.kernelext.widget_fuzz import RecordingComm, comm_message, recording_comms
from vizflow_kernelext.debugger import DebuggerWidget, debugger_widget, register_display


@pytest.fixture
def comms() -> Iterator[None]:
    with recording_comms():
        yield


def _request(w: DebuggerWidget, content: dict[str, Any]) -> dict[str, Any]:
    """Send a custom request; its one reply."""
    channel: RecordingComm = w.comm
    channel.sent.clear()
    channel.handle_msg(comm_message({"method": "custom", "content": {"request_id": 3, **content}}))
    replies = [d["content"] for _, d, _ in channel.sent if d["method"] == "custom"]
    assert len(replies) == 1, channel.sent
    return replies[0]


def test_a_what_if_without_rerun_leaves_stale_nodes_until_rerun_stale(comms: None) -> None:
    w = DebuggerWidget(vf.debug(chain_graph(), np.ones(3)))
    w.debug_session.run_to("add_2")
    before = np.array(w.debug_session.value("add_2"), copy=True)
    reply = _request(
        w, {"kind": "debug_set_value", "node": "mul", "expression": "x * 0", "rerun": False}
    )
    assert reply["kind"] == "debug_reply"
    assert reply["result"] == {"rerun": ["add", "mul_1", "add_1", "mul_2", "add_2"]}
    assert w.session["stale"] == ["add", "mul_1", "add_1", "mul_2", "add_2"]
    np.testing.assert_array_equal(w.debug_session.value("add_2"), before)
    reply = _request(w, {"kind": "debug_command", "command": "rerun_stale"})
    assert reply["state"] == "paused" and w.session["stale"] == []
    np.testing.assert_array_equal(w.debug_session.value("add_2"), [7.0, 7.0, 7.0])


def test_a_step_sends_one_state_and_the_values_of_the_node_and_its_inputs(comms: None) -> None:
    w = DebuggerWidget(vf.debug(chain_graph(), np.ones(3)))
    channel: RecordingComm = w.comm
    _request(w, {"kind": "debug_command", "command": "step"})
    reply = _request(w, {"kind": "debug_command", "command": "step"})
    # One message: the reply, carrying the state (no trait update of its own) and the values.
    assert [d["method"] for _, d, _ in channel.sent] == ["custom"]
    assert reply["session_patch"]["state"]["current"]["name"] == "add"
    ids = w.node_ids
    assert set(reply["values"]) == {ids["add"], ids["mul"]}  # add(mul, 1.0): the literal is none
    assert reply["values"][ids["add"]]["mean"] == 3.0
    buffers = [b for _, d, bufs in channel.sent if d["method"] == "custom" for b in bufs]
    assert len(buffers) == sum(
        (v.get("histogram") is not None) + (v.get("heatmap") is not None)
        for v in reply["values"].values()
    )
    # Not paused at a node: no values.
    reply = _request(w, {"kind": "debug_command", "command": "restart"})
    assert "values" not in reply


def _slow(_event: Any) -> bool:
    """A predicate that never fires and takes a millisecond: makes a run long enough to pause."""
    time.sleep(0.001)
    return False


def test_resume_on_a_long_run_answers_at_once_and_pause_stops_it(comms: None) -> None:
    w = DebuggerWidget(vf.debug(chain_graph(500), np.ones(3)))
    w.debug_session.break_at(None, _slow)
    total = len(w.debug_session.node_names)
    reply = _request(w, {"kind": "debug_command", "command": "resume"})
    # The reply comes while the worker thread runs: the kernel is free to answer more.
    assert reply["state"] == "running"
    assert w.session["state"] == "running"
    while len(w.debug_session.history) < 50:
        time.sleep(0.005)
    # While it runs, its progress is sent now and then (no command needed).
    seen = w.session["history"]["steps"]
    deadline = time.monotonic() + 5
    while w.session["history"]["steps"] == seen and time.monotonic() < deadline:
        time.sleep(0.05)
    assert w.session["state"] == "running" and w.session["history"]["steps"] > seen
    reply = _request(w, {"kind": "debug_command", "command": "pause"})
    assert reply.get("state") == "paused", reply
    cur = w.session["current"]
    assert cur is not None and 49 <= cur["index"] < total - 1
    assert w.session["history"]["steps"] == cur["index"] + 1


def test_a_session_displays_as_its_one_widget(comms: None) -> None:
    shell = suite_shell()
    register_display(shell)
    session = vf.debug(chain_graph(), np.ones(3))
    formatter = shell.display_formatter
    assert formatter is not None
    data, _ = formatter.format(session)
    first = debugger_widget(session)
    assert isinstance(first, DebuggerWidget) and first.debug_session is session
    assert debugger_widget(session) is first
    first.close()
    assert debugger_widget(session) is not first
    assert data == {}  # shown by display(widget), not as a repr


def test_states_sent_from_two_threads_never_deadlock_and_stay_in_order(comms: None) -> None:
    # A thread that changes the session publishes while it holds the session's lock (a blocking
    # step from a cell, a worker ending its run); another sends meanwhile (the live progress
    # push, a reply), needing that lock to make its state. Neither may wait for the other.
    w = DebuggerWidget(vf.debug(chain_graph(), np.ones(3)))
    session = w.debug_session
    session.step()
    changed = threading.Event()

    def publish_while_holding_the_session() -> None:
        with session._lock:
            changed.set()
            time.sleep(0.3)  # the other thread starts making its state meanwhile
            session.step()  # publishes from inside the lock

    changer = threading.Thread(target=publish_while_holding_the_session, daemon=True)
    pusher = threading.Thread(target=lambda: (changed.wait(5), w._send_state()), daemon=True)
    changer.start()
    pusher.start()
    changer.join(10)
    pusher.join(10)
    assert not changer.is_alive() and not pusher.is_alive(), "deadlocked"
    # The browser holds the newest state: the step the changer made.
    assert w.session["current"]["name"] == session.current.name == "add"
