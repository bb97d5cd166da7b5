"""Open in the debugger from the editor: `ed.debug()` and the browser's EditorDebugRequest give a
debug session of the editor's graph fed as a run is (same random inputs, or kernel arrays by
name), whose debugger widget the reply names; a graph in error is refused with the node named."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from ipywidgets.widgets.widget import _instances as live_widgets  # by model id

from tests.engine.editing.graphs import mlp_document
from tests.kernelext.widget_fuzz import RecordingComm, comm_message, recording_comms
from vizflow_kernelext.debugger.widget import DebuggerWidget
from vizflow_kernelext.editor import Editor
from vizflow_kernelext.protocol import validate_message


@pytest.fixture
def editor() -> Iterator[Editor]:
    with recording_comms():
        doc, _ = mlp_document()
        yield Editor(doc)


def _request(ed: Editor, content: dict[str, Any]) -> dict[str, Any]:
    """Send one custom request; return its one reply."""
    channel: RecordingComm = ed.comm
    channel.sent.clear()
    channel.handle_msg(comm_message({"method": "custom", "content": {"request_id": 5, **content}}))
    replies = [data["content"] for _, data, _ in channel.sent if data["method"] == "custom"]
    assert len(replies) == 1, channel.sent
    return replies[0]


def test_ed_debug_steps_the_graph_with_the_inputs_a_run_gets(editor: Editor) -> None:
    ran = editor.run()
    session = editor.debug()
    assert session.state == "idle"
    assert {"h", "a", "r", "logits", "loss"} <= set(session.node_names)
    for _ in range(3):
        session.step()
    assert session.state == "paused"
    for name in ("h", "a", "r"):
        np.testing.assert_allclose(np.asarray(session.value(name)), ran[name], rtol=1e-6)


def test_ed_debug_feeds_given_arrays_by_placeholder_name(editor: Editor) -> None:
    xs = np.full((2, 4), 0.5, np.float32)  # y is drawn for batch 2: x must agree
    session = editor.debug({"x": xs})
    session.step()
    first = session.current
    assert first is not None
    np.testing.assert_array_equal(np.asarray(session.value("x")), xs)


def test_debug_request_names_the_debugger_widget_to_show(editor: Editor) -> None:
    reply = _request(editor, {"kind": "editor_debug", "inputs": {"x": {"random": True}}})
    validate_message("EditorDebugReply", reply)
    widget = live_widgets[reply["model_id"]]
    assert isinstance(widget, DebuggerWidget)
    assert reply["nodes"] == len(widget.debug_session.node_names) == 5
    validate_message("DebugSessionState", widget.session)


def test_debug_request_with_kernel_arrays(editor: Editor, monkeypatch: pytest.MonkeyPatch) -> None:
    import vizflow_kernelext.editor.debug_bridge as bridge

    xs = np.ones((2, 4), np.float32)
    monkeypatch.setattr(bridge, "user_namespace", lambda: {"xs": xs, "bad": "text"})
    reply = _request(editor, {"kind": "editor_debug", "inputs": {"x": {"from_kernel": "xs"}}})
    session = live_widgets[reply["model_id"]].debug_session
    session.step()
    np.testing.assert_array_equal(np.asarray(session.value("x")), xs)
    reply = _request(editor, {"kind": "editor_debug", "inputs": {"x": {"from_kernel": "bad"}}})
    assert reply["kind"] == "error" and "is a str, not an array" in reply["error"]


def test_a_graph_in_error_is_refused_naming_the_node(editor: Editor) -> None:
    editor.disconnect("logits", 1)
    with pytest.raises(Exception, match="logits"):
        editor.debug()
    before = set(live_widgets)
    reply = _request(editor, {"kind": "editor_debug", "inputs": {}})
    validate_message("ErrorReply", reply)
    assert "logits" in reply["error"]
    assert not any(isinstance(live_widgets[k], DebuggerWidget) for k in set(live_widgets) - before)
