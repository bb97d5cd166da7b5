"""Browser messages to the graph viewer: refused updates change nothing, every request is
answered, nothing raises into the kernel. Messages enter through the widget's real comm."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

import vizflow as vf
from tests.kernelext.widget_fuzz import (
    RecordingComm,
    comm_message,
    make_graph_viewer,
    recording_comms,
)
from vizflow_kernelext import GraphViewer, ProtocolError
from vizflow_kernelext.payload.compact_check import check_compact_references
from vizflow_kernelext.protocol import validate_message
from vizflow_kernelext.wire_text import wire_safe


@pytest.fixture
def viewer() -> Iterator[GraphViewer]:
    with recording_comms():
        yield make_graph_viewer()


def _send(viewer: GraphViewer, data: Any, buffers: list[Any] | None = None) -> list[Any]:
    """Deliver one message as the kernel does; return what the widget sent back."""
    channel: RecordingComm = viewer.comm
    channel.sent.clear()
    channel.handle_msg(comm_message(data, buffers))
    return [data for _, data, _ in channel.sent]


def _notices(sent: list[Any], kind: str) -> list[dict[str, Any]]:
    return [m["content"] for m in sent if m["method"] == "custom" and m["content"]["kind"] == kind]


def _updates(sent: list[Any]) -> list[dict[str, Any]]:
    return [m["state"] for m in sent if m["method"] == "update"]


def test_an_invalid_graph_from_the_browser_is_refused_and_the_old_one_sent_back(
    viewer: GraphViewer,
) -> None:
    held = viewer.graph
    sent = _send(viewer, {"method": "update", "state": {"graph": {"x": 1}}})
    assert viewer.graph is held
    assert _updates(sent) == [{"graph": held}]  # the browser is told the kept value
    (notice,) = _notices(sent, "state_rejected")
    validate_message("StateRejected", notice)
    assert notice["traits"] == ["graph"] and "GraphPayload" in notice["error"]


def test_an_update_is_applied_whole_or_not_at_all(viewer: GraphViewer) -> None:
    sent = _send(viewer, {"method": "update", "state": {"height": "99px", "compare": {"nodes": 3}}})
    assert viewer.height == "auto" and viewer.compare is None
    assert _updates(sent) == [{"height": "auto", "compare": None}]
    assert _notices(sent, "state_rejected")[0]["traits"] == ["height", "compare"]


def test_a_bad_trait_type_is_refused_with_a_clear_reason(viewer: GraphViewer) -> None:
    sent = _send(viewer, {"method": "update", "state": {"height": 5}})
    assert viewer.height == "auto"
    assert "'height' trait" in _notices(sent, "state_rejected")[0]["error"]


def test_a_valid_graph_from_the_browser_is_accepted(viewer: GraphViewer) -> None:
    new = copy.deepcopy(viewer.graph)
    new["title"] = "renamed"
    sent = _send(viewer, {"method": "update", "state": {"graph": new}})
    assert viewer.graph["title"] == "renamed" and not _notices(sent, "state_rejected")


def test_a_value_equal_to_the_held_one_but_of_the_wrong_type_is_not_kept(
    viewer: GraphViewer,
) -> None:
    """traitlets skips validation when new == old, and False == 0 in Python."""
    bad = copy.deepcopy(viewer.graph)
    bad["edges"]["port"] = [False for _ in bad["edges"]["port"]]
    sent = _send(viewer, {"method": "update", "state": {"graph": bad}})
    assert all(type(p) is int for p in viewer.graph["edges"]["port"])
    assert _updates(sent) == [{"graph": viewer.graph}]


def _compact(viewer: GraphViewer) -> dict[str, Any]:
    return copy.deepcopy(viewer.graph)


OUT_OF_RANGE = {
    "a string index": (lambda g: g["nodes"]["op"].__setitem__(0, len(g["strings"])), "nodes/op/0"),
    "a node reference": (lambda g: g["edges"]["dst"].__setitem__(0, 99), "edges/dst/0"),
    "a string reference": (lambda g: g["outputs"].append(-1 - len(g["strings"])), "outputs/1"),
    "a short column": (lambda g: g["nodes"]["name"].pop(), "nodes/name"),
    "a flagged node": (lambda g: g["nodes"]["has_value"].append(50), "nodes/has_value"),
    "a sparse key": (lambda g: g["edges"].__setitem__("shape", {"01": [1]}), "edges/shape/01"),
    "a source file": (
        lambda g: g["nodes"].__setitem__("source", {"0": [-2, 3]}),
        "nodes/source/0/0",
    ),
    "a phase": (lambda g: g["nodes"]["phase"].__setitem__(0, 0), "nodes/phase/0"),
}


@pytest.mark.parametrize("case", list(OUT_OF_RANGE))
def test_compact_graphs_with_indices_out_of_range_are_refused(
    viewer: GraphViewer, case: str
) -> None:
    spoil, where = OUT_OF_RANGE[case]
    bad = _compact(viewer)
    spoil(bad)
    validate_message("CompactGraph", bad)  # the schema alone lets it through
    with pytest.raises(ProtocolError, match=f"at {where}:"):
        check_compact_references(bad)
    held = viewer.graph
    sent = _send(viewer, {"method": "update", "state": {"graph": bad}})
    assert viewer.graph is held and _notices(sent, "state_rejected")
    with pytest.raises(ProtocolError):
        viewer.graph = bad  # from Python too


@pytest.mark.parametrize("request_id", ["7", 1.5, True, -1, 2**70, None])
def test_a_malformed_request_id_gets_an_error_reply_with_a_null_id(
    viewer: GraphViewer, request_id: Any
) -> None:
    sent = _send(
        viewer,
        {
            "method": "custom",
            "content": {"kind": "inspect", "request_id": request_id, "node_id": "n0"},
        },
    )
    (reply,) = _notices(sent, "error")
    validate_message("ErrorReply", reply)
    assert reply["request_id"] is None and "request_id" in reply["error"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ({"kind": "inspect", "request_id": 4, "node_id": 12}, "node_id"),
        ({"kind": "inspect", "request_id": 4, "node_id": "n0", "x": 1}, "'x'"),
        ({"kind": "explode", "request_id": 4}, "unknown request kind 'explode'"),
        ({"request_id": 4}, "unknown request kind None"),
    ],
)
def test_a_malformed_request_gets_an_error_reply_with_its_id(
    viewer: GraphViewer, content: dict[str, Any], reason: str
) -> None:
    (reply,) = _notices(_send(viewer, {"method": "custom", "content": content}), "error")
    validate_message("ErrorReply", reply)
    assert reply["request_id"] == 4 and reason in reply["error"]


def test_a_valid_request_gets_its_reply(viewer: GraphViewer) -> None:
    node_id = viewer.nodes[0]["id"]
    request = {"kind": "inspect", "request_id": 3, "node_id": node_id}
    (reply,) = _notices(_send(viewer, {"method": "custom", "content": request}), "inspect_reply")
    assert reply["request_id"] == 3 and reply["value"]["max"] == 4.0


@pytest.mark.parametrize(
    "msg",
    [
        3,
        {"content": []},
        {"content": {"data": "update"}},
        {"content": {"data": {"method": "explode"}}},
        {"content": {"data": {"method": "update", "state": [1]}}},
        {"content": {"data": {"method": "custom", "content": "inspect"}}, "buffers": []},
        {"content": {"data": {"method": "update", "state": {}}}, "buffers": "xyz"},
    ],
)
def test_an_unreadable_message_is_answered_not_raised(viewer: GraphViewer, msg: Any) -> None:
    channel: RecordingComm = viewer.comm
    channel.sent.clear()
    channel.handle_msg(msg)
    (reply,) = _notices([data for _, data, _ in channel.sent], "error")
    validate_message("ErrorReply", reply)


@pytest.mark.parametrize(
    ("paths", "buffers"),
    [([["height", "x", "y"]], [b"1"]), ([["height"]], []), ("height", [b"1"]), ([[]], [b"1"])],
)
def test_buffer_paths_that_lead_nowhere_are_refused(
    viewer: GraphViewer, paths: Any, buffers: list[bytes]
) -> None:
    data = {"method": "update", "state": {"height": "1px"}, "buffer_paths": paths}
    sent = _send(viewer, data, buffers)
    assert viewer.height == "auto" and _notices(sent, "error")


def test_an_error_about_a_huge_value_stays_small(viewer: GraphViewer) -> None:
    sent = _send(viewer, {"method": "update", "state": {"height": ["x" * 100_000]}})
    (notice,) = _notices(sent, "state_rejected")
    assert len(notice["error"]) <= 600


def test_a_lone_surrogate_in_a_name_is_sent_as_a_visible_escape() -> None:
    """UTF-8 cannot carry a lone surrogate: the kernel could not send such a graph at all."""
    x = vf.tensor([1.0], requires_grad=True, name="bad\ud800")
    with recording_comms():
        viewer = vf.show((x * 2.0).sum())  # the comm packs its opening state like a kernel
    assert "bad\\ud800" in viewer.graph["strings"]
    assert any(n["name"] == "bad\\ud800" for n in viewer.nodes)


def test_a_request_naming_a_lone_surrogate_is_answered_with_its_id(viewer: GraphViewer) -> None:
    request = {"kind": "inspect", "request_id": 5, "node_id": "n\udc00"}
    (reply,) = _notices(_send(viewer, {"method": "custom", "content": request}), "inspect_reply")
    assert reply["request_id"] == 5 and reply["node_id"] == "n\\udc00" and reply["error"]


def test_wire_safe_changes_only_what_utf8_cannot_carry() -> None:
    clean = {"a": ["é ☃ \U0001f600", 1, None], "\x07": "tab\t"}
    assert wire_safe(clean) is clean
    assert wire_safe({"k\udfff": ["\ud800x", 2]}) == {"k\\udfff": ["\\ud800x", 2]}
