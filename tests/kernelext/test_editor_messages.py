"""Browser messages to the editor widget: each request validated and answered once with a
reply that matches the protocol; a bad one gets one ErrorReply and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from tests.engine.editing.graphs import mlp_document, traced_sgd_step
from tests.kernelext.editor_patches import apply_patch
from tests.kernelext.widget_fuzz import RecordingComm, comm_message, recording_comms
from vizflow_engine.editing import dumps, from_graph
from vizflow_engine.editing.fileformat import npz_bytes
from vizflow_kernelext.editor import EditorWidget
from vizflow_kernelext.protocol import validate_message


@pytest.fixture
def widget() -> Iterator[EditorWidget]:
    with recording_comms():
        doc, _ = mlp_document()
        yield EditorWidget(doc)


def _send(w: EditorWidget, data: Any, buffers: list[Any] | None = None) -> list[Any]:
    channel: RecordingComm = w.comm
    channel.sent.clear()
    channel.handle_msg(comm_message(data, buffers))
    return list(channel.sent)


def _request(
    w: EditorWidget, content: dict[str, Any], buffers: list[Any] | None = None
) -> tuple[dict[str, Any], list[Any], list[dict[str, Any]]]:
    """One request: its one reply, the reply's buffers and the documents the browser holds
    after each document update or patch sent."""
    held = w.document
    sent = _send(w, {"method": "custom", "content": {"request_id": 7, **content}}, buffers)
    replies = [
        (data["content"], bufs)
        for _, data, bufs in sent
        if data["method"] == "custom" and data["content"].get("kind") != "editor_patch"
    ]
    assert len(replies) == 1, sent
    docs = []
    for _, data, _ in sent:
        if data["method"] == "update" and "document" in data["state"]:
            held = data["state"]["document"]
        elif data["method"] == "custom" and data["content"].get("kind") == "editor_patch":
            held = apply_patch(held, data["content"])
        else:
            continue
        docs.append(held)
    return replies[0][0], replies[0][1], docs


def ids(w: EditorWidget) -> dict[str, str]:
    return {n["name"]: n["id"] for n in w.document["nodes"]}


def test_initial_traits_match_the_protocol(widget: EditorWidget) -> None:
    validate_message("EditorDocument", widget.document)
    for item in widget.palette:
        validate_message("EditorPaletteItem", item)
    keys = {i["key"] for i in widget.palette}
    assert {"matmul", "placeholder", "variable", "constant", "Linear"} <= keys
    validate_message("EditorTrainProgress", widget.training)


def test_commands_apply_push_and_undo_by_inverse(widget: EditorWidget) -> None:
    n = ids(widget)
    version = widget.document["version"]
    reply, _, docs = _request(
        widget,
        {
            "kind": "editor_command",
            "base_version": version,
            "commands": [
                {"cmd": "disconnect", "edge": widget.document["edges"][0]["id"]},
                {"cmd": "add_node", "kind": "op", "op": "tanh", "position": {"x": 1, "y": 2}},
            ],
        },
    )
    validate_message("EditorCommandReply", reply)
    assert reply["version"] == version + 1 == docs[-1]["version"]
    assert len(reply["created"]["nodes"]) == 1
    validate_message("EditorDocument", docs[-1])
    state = {x["id"]: x["state"] for x in docs[-1]["nodes"]}
    assert state[n["h"]] == "error"
    undo, _, docs = _request(
        widget,
        {"kind": "editor_command", "base_version": reply["version"], "commands": reply["inverse"]},
    )
    validate_message("EditorCommandReply", undo)
    assert all(x["state"] == "valid" for x in docs[-1]["nodes"])
    redo, _, _ = _request(
        widget,
        {"kind": "editor_command", "base_version": undo["version"], "commands": reply["redo"]},
    )
    assert redo["created"]["nodes"] == reply["created"]["nodes"]


def test_a_shape_error_shows_on_the_node_with_its_message(widget: EditorWidget) -> None:
    n = ids(widget)
    _request(
        widget,
        {
            "kind": "editor_command",
            "base_version": 0,
            "commands": [
                {
                    "cmd": "connect",
                    "source": n["w2"],
                    "source_port": 0,
                    "target": n["h"],
                    "target_port": 1,
                }
            ],
        },
    )
    node = next(x for x in widget.document["nodes"] if x["id"] == n["h"])
    assert node["state"] == "error" and node["error"]["rule"] == "shape"
    assert node["error"]["message"].startswith("matmul: (batch, 4) @ (8, 3)")
    assert node["inputs"][1]["shape"] == [8, 3] and node["outputs"][0]["shape"] is None


@pytest.mark.parametrize(
    "content",
    [
        {
            "kind": "editor_command",
            "base_version": 0,
            "commands": [{"cmd": "rename", "node": "nope", "name": "a"}],
        },
        {
            "kind": "editor_command",
            "base_version": 10**6,
            "commands": [{"cmd": "move", "positions": {}}],
        },
        {"kind": "editor_command", "base_version": 0, "commands": []},
        {"kind": "editor_command", "base_version": 0, "commands": [{"cmd": "eval", "code": "1"}]},
        {"kind": "editor_probe", "source": "nope", "source_port": 0},
        {"kind": "editor_run", "inputs": {"x": {"from_kernel": "__import__('os')"}}, "until": None},
        {"kind": "editor_run", "inputs": {"x": {"from_kernel": "not_defined_here"}}, "until": None},
        {"kind": "editor_train", "loss": "nope", "optimizer": "sgd", "lr": 0.1, "steps": 2},
        {"kind": "editor_load", "text": "{not json"},
        {"kind": "editor_load", "text": "{}", "has_arrays": True},
        {"kind": "editor_frobnicate"},
    ],
)
def test_bad_requests_get_one_error_reply_and_change_nothing(
    widget: EditorWidget, content: dict[str, Any]
) -> None:
    before = widget.document
    reply, _, docs = _request(widget, content)
    validate_message("ErrorReply", reply)
    assert reply["request_id"] == 7 and reply["error"]
    assert widget.document == before and docs == []


def test_probe_reply_says_why(widget: EditorWidget) -> None:
    n = ids(widget)
    reply, _, _ = _request(widget, {"kind": "editor_probe", "source": n["w2"], "source_port": 0})
    validate_message("EditorProbeReply", reply)
    bad = next(t for t in reply["targets"] if t["node"] == n["h"] and t["port"] == 1)
    assert not bad["ok"] and "inner dims" in bad["reason"]


def test_run_and_train_push_values_states_and_progress(widget: EditorWidget) -> None:
    reply, _, docs = _request(
        widget, {"kind": "editor_run", "inputs": {"x": {"random": True}}, "until": None}
    )
    validate_message("EditorRunReply", reply)
    validate_message("EditorDocument", docs[-1])
    assert all(x["state"] == "executed" and x["value"] is not None for x in docs[-1]["nodes"])
    n = ids(widget)
    reply, _, docs = _request(
        widget,
        {"kind": "editor_train", "loss": n["loss"], "optimizer": "adam", "lr": 0.05, "steps": 5},
    )
    validate_message("EditorTrainReply", reply)
    assert len(reply["losses"]) == 5
    validate_message("EditorTrainProgress", widget.training)
    assert widget.training["step"] == 5 and not widget.training["running"]
    assert {x["state"] for x in widget.document["nodes"]} == {"executed", "stale"}


def test_inspect_answers_with_the_last_run_value(widget: EditorWidget) -> None:
    n = ids(widget)
    reply, _, _ = _request(widget, {"kind": "inspect", "node_id": n["h"]})
    assert reply["value"] is None and "run" in reply["error"]
    _request(widget, {"kind": "editor_run", "inputs": {}, "until": None})
    reply, buffers, _ = _request(widget, {"kind": "inspect", "node_id": n["h"]})
    validate_message("InspectReply", reply)
    assert reply["value"]["shape"] == [2, 8] and buffers


def test_save_then_load_round_trips_with_the_npz_as_a_buffer(widget: EditorWidget) -> None:
    with recording_comms():
        w = EditorWidget(from_graph(traced_sgd_step()))
    reply, buffers, _ = _request(w, {"kind": "editor_save"})
    validate_message("EditorSaveReply", reply)
    assert reply["has_arrays"] and len(buffers) == 1
    load, _, docs = _request(
        widget, {"kind": "editor_load", "text": reply["text"], "has_arrays": True}, [buffers[0]]
    )
    validate_message("EditorLoadReply", load)
    assert dumps(widget.doc)[0] == reply["text"]
    assert load["version"] == docs[-1]["version"]


def test_a_corrupt_file_names_what_and_where(widget: EditorWidget) -> None:
    text, arrays = dumps(mlp_document()[0])
    broken = text.replace('"op": "relu"', '"op": "relux"')
    reply, _, _ = _request(
        widget,
        {"kind": "editor_load", "text": broken, "has_arrays": bool(arrays)},
        [npz_bytes(arrays)] if arrays else None,
    )
    assert reply["kind"] == "error" and reply["error"].startswith("$.nodes[7]: unknown op 'relux'")


def test_browser_cannot_set_kernel_traits(widget: EditorWidget) -> None:
    before = widget.document
    sent = _send(widget, {"method": "update", "state": {"document": {"version": 99}}})
    assert widget.document == before
    assert any(
        data.get("content", {}).get("kind") == "state_rejected"
        for _, data, _ in sent
        if data["method"] == "custom"
    )


def test_values_from_kernel_variables(
    widget: EditorWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vizflow_kernelext.editor.widget as module

    xs = np.ones((3, 4), np.float32)
    monkeypatch.setattr(module, "user_namespace", lambda: {"xs": xs, "bad": "text"})
    reply, _, _ = _request(
        widget,
        {"kind": "editor_run", "inputs": {"x": {"from_kernel": "xs"}}, "until": ids(widget)["h"]},
    )
    assert reply["kind"] == "editor_run_reply"
    assert widget.run_record.values[ids(widget)["x"]].shape == (3, 4)
    reply, _, _ = _request(
        widget, {"kind": "editor_run", "inputs": {"x": {"from_kernel": "bad"}}, "until": None}
    )
    assert "is a str, not an array" in reply["error"]


def test_document_updates_are_plain_json_messages(widget: EditorWidget) -> None:
    sent = _send(
        widget,
        {
            "method": "custom",
            "content": {"request_id": 1, "kind": "editor_run", "inputs": {}, "until": None},
        },
    )
    updates = [(data, bufs) for _, data, bufs in sent if data["method"] == "update"]
    assert updates == []  # a run's states go as a patch
    channel: RecordingComm = widget.comm
    channel.sent.clear()
    widget.replace(mlp_document()[0])  # a document replaced is sent whole
    updates = [(data, bufs) for _, data, bufs in channel.sent if data["method"] == "update"]
    assert updates and all(d["buffer_paths"] == [] and b == [] for d, b in updates)
    assert updates[-1][0]["state"]["document"] == widget.document
    widget.height = "300px"  # other traits go the ordinary ipywidgets way
    assert widget.comm.sent[-1][1]["state"] == {"height": "300px"}
