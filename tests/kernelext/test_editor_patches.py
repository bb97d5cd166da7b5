"""The editor sends each change as a patch (EditorDocumentPatch): for any sequence of edits,
undos, runs and Python edits, the patches applied in order to the first document give the
document built afresh; a patch holds only what changed; a version gap is answered whole."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engine.editing.graphs import mlp_document, traced_sgd_step
from tests.engine.editing.test_undo_property import command
from tests.kernelext.editor_patches import apply_patch
from tests.kernelext.widget_fuzz import RecordingComm, comm_message, recording_comms
from vizflow_engine.editing import Document, apply_step, from_graph
from vizflow_kernelext.editor import Editor, EditorWidget
from vizflow_kernelext.editor.document import document_json
from vizflow_kernelext.protocol import validate_message


def _request(w: EditorWidget, content: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """One request: its reply, and the patches sent before it."""
    channel: RecordingComm = w.comm
    channel.sent.clear()
    channel.handle_msg(comm_message({"method": "custom", "content": {"request_id": 3, **content}}))
    return _reply_and_patches(channel)


def _reply_and_patches(channel: RecordingComm) -> tuple[dict[str, Any], list[Any]]:
    contents = [data["content"] for _, data, _ in channel.sent if data["method"] == "custom"]
    assert not any(data["method"] == "update" and "document" in data["state"]
                   for _, data, _ in channel.sent)  # fmt: skip
    patches = [c for c in contents if c.get("kind") == "editor_patch"]
    replies = [c for c in contents if c.get("kind") != "editor_patch"]
    return (replies[-1] if replies else {}), patches


class Browser:
    """The browser's copy of one editor's document, kept by the patches it is sent."""

    def __init__(self, widget: EditorWidget) -> None:
        self.widget = widget
        self.doc = widget.document

    def follow(self, patches: list[dict[str, Any]]) -> None:
        for patch in patches:
            validate_message("EditorDocumentPatch", patch)
            self.doc = apply_patch(self.doc, patch)
        fresh = document_json(self.widget.doc, self.widget.run_record)
        assert self.doc == fresh
        assert self.widget.document == fresh


@pytest.fixture
def widget() -> Iterator[EditorWidget]:
    with recording_comms():
        yield EditorWidget(mlp_document()[0])


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_patches_in_sequence_equal_the_whole_document(data: st.DataObject) -> None:
    with recording_comms():
        w = EditorWidget(mlp_document()[0])
    browser = Browser(w)
    inverses: list[list[dict[str, Any]]] = []
    for _ in range(data.draw(st.integers(1, 10))):
        action = data.draw(st.sampled_from(["edit", "edit", "edit", "undo", "run"]))
        if action == "undo" and inverses:
            commands = inverses.pop()
        elif action == "run":
            until = data.draw(st.sampled_from([None, *sorted(w.doc.nodes)]))
            _, patches = _request(w, {"kind": "editor_run", "inputs": {}, "until": until})
            browser.follow(patches)
            continue
        else:
            commands = [command(w.doc, data) for _ in range(data.draw(st.integers(1, 3)))]
        request = {"kind": "editor_command", "base_version": w.doc.version, "commands": commands}
        reply, patches = _request(w, request)
        if reply["kind"] == "editor_command_reply":
            inverses.append(reply["inverse"])
            assert [p["version"] for p in patches] == [reply["version"]]
        else:
            assert patches == []
        browser.follow(patches)


def test_a_training_step_run_then_edited_keeps_states_and_values() -> None:
    with recording_comms():
        w = EditorWidget(from_graph(traced_sgd_step()))
    browser = Browser(w)
    _, patches = _request(w, {"kind": "editor_run", "inputs": {}, "until": None})
    browser.follow(patches)
    assert {n["state"] for n in browser.doc["nodes"]} >= {"executed"}
    # a param changed upstream makes the nodes after it stale, and only those are sent
    first = next(n for n in w.doc.ordered() if n.kind == "op" and n.op == "matmul")
    cone = w.doc.cone({first.id})[1]
    edge = w.doc.incoming()[first.id][0]
    reply, patches = _request(
        w,
        {
            "kind": "editor_command",
            "base_version": w.doc.version,
            "commands": [{"cmd": "disconnect", "edge": edge.id}],
        },
    )
    assert reply["kind"] == "editor_command_reply"
    browser.follow(patches)
    assert {n["id"] for n in patches[0]["nodes"]} <= cone
    assert patches[0]["removed_edges"] == [edge.id]


def _chain(n: int) -> Document:
    """x -> tanh -> relu -> exp -> ... (n ops) and a free relu, as the browser benchmark
    builds it."""
    doc = Document()
    at = {"x": 0, "y": 0}
    cmds: list[dict[str, Any]] = [
        {"cmd": "add_node", "kind": "placeholder", "id": "n0", "name": "x", "position": at,
         "params": {"shape": ["batch", 16], "dtype": "float32"}},
    ]  # fmt: skip
    for i in range(1, n + 1):
        cmds.append({"cmd": "add_node", "kind": "op", "op": ("tanh", "relu", "exp")[i % 3],
                     "id": f"n{i}", "position": at})  # fmt: skip
        cmds.append({"cmd": "connect", "source": f"n{i - 1}", "source_port": 0,
                     "target": f"n{i}", "target_port": 0})  # fmt: skip
    cmds.append({"cmd": "add_node", "kind": "op", "op": "relu", "id": "free", "name": "free",
                 "position": at})  # fmt: skip
    apply_step(doc, cmds)
    return doc


def test_a_connect_sends_the_nodes_it_changed_only() -> None:
    with recording_comms():
        w = EditorWidget(_chain(499))
    browser = Browser(w)
    wire = {"cmd": "connect", "source": "n200", "source_port": 0, "target": "free",
            "target_port": 0}  # fmt: skip
    reply, patches = _request(
        w, {"kind": "editor_command", "base_version": w.doc.version, "commands": [wire]}
    )
    browser.follow(patches)
    (patch,) = patches
    assert [n["id"] for n in patch["nodes"]] == ["free"]
    assert patch["nodes"][0]["state"] == "valid"
    assert [e["id"] for e in patch["edges"]] == reply["created"]["edges"]
    assert patch["base_version"] + 1 == patch["version"] == reply["version"]
    # rewiring a chain node to an earlier node of the same shape changes no node's JSON
    rewire = {"cmd": "connect", "source": "n150", "source_port": 0, "target": "n300",
              "target_port": 0}  # fmt: skip
    _, patches = _request(
        w, {"kind": "editor_command", "base_version": w.doc.version, "commands": [rewire]}
    )
    browser.follow(patches)
    assert patches[0]["nodes"] == [] and len(patches[0]["removed_edges"]) == 1
    # cutting the chain's start makes every op after it invalid (free reads n200 now): all
    # of them are sent
    _, patches = _request(
        w,
        {
            "kind": "editor_command",
            "base_version": w.doc.version,
            "commands": [{"cmd": "disconnect", "edge": w.doc.incoming()["n1"][0].id}],
        },
    )
    browser.follow(patches)
    assert len(patches[0]["nodes"]) == 500 and "n0" not in {n["id"] for n in patches[0]["nodes"]}
    # undoing a delete puts the nodes back in their places: the patch says the order
    reply, patches = _request(
        w,
        {
            "kind": "editor_command",
            "base_version": w.doc.version,
            "commands": [{"cmd": "delete", "nodes": ["n5", "n7"]}],
        },
    )
    assert patches[0]["removed_nodes"] == ["n5", "n7"] and "node_order" not in patches[0]
    browser.follow(patches)
    _, patches = _request(
        w, {"kind": "editor_command", "base_version": w.doc.version, "commands": reply["inverse"]}
    )
    browser.follow(patches)
    order = patches[0]["node_order"]
    assert order.index("n5") == 5 and order.index("n7") == 7


def test_python_edits_and_runs_are_patches(widget: EditorWidget) -> None:
    ed = Editor(mlp_document()[0])
    channel: RecordingComm = ed.comm
    browser = Browser(ed)
    channel.sent.clear()
    ed.add("tanh", "r", name="t")
    ed.constant("c", 2.0)
    ed.run()
    ed.undo()
    _, patches = _reply_and_patches(channel)
    assert len(patches) == 4
    browser.follow(patches)


def test_a_version_gap_is_answered_with_the_whole_document(widget: EditorWidget) -> None:
    version = widget.doc.version
    reply, _ = _request(widget, {"kind": "editor_sync", "version": version})
    validate_message("EditorSyncReply", reply)
    assert reply == {
        "kind": "editor_sync_reply",
        "request_id": 3,
        "version": version,
        "document": None,
    }
    reply, _ = _request(widget, {"kind": "editor_sync", "version": 0})
    validate_message("EditorSyncReply", reply)
    assert reply["document"] == document_json(widget.doc, widget.run_record)
    reply, _ = _request(widget, {"kind": "editor_sync", "version": "1"})
    assert reply["kind"] == "error" and "version" in reply["error"]


def test_a_replaced_document_is_sent_whole(widget: EditorWidget) -> None:
    channel: RecordingComm = widget.comm
    channel.sent.clear()
    widget.replace(mlp_document()[0])
    updates = [d["state"]["document"] for _, d, _ in channel.sent if d["method"] == "update"]
    assert updates == [document_json(widget.doc, widget.run_record)]
    assert updates[0]["version"] == widget.doc.version


def test_a_name_that_cannot_travel_is_sent_escaped(widget: EditorWidget) -> None:
    node = next(iter(widget.doc.nodes))
    rename = {"cmd": "rename", "node": node, "name": "h\ud800"}
    reply, patches = _request(
        widget, {"kind": "editor_command", "base_version": widget.doc.version, "commands": [rename]}
    )
    assert reply["kind"] == "editor_command_reply"
    assert [n["name"] for n in patches[0]["nodes"] if n["id"] == node] == ["h\\ud800"]
