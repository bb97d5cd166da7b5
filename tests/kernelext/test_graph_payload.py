"""The kernel side turns a tensor's history into a schema-valid GraphPayload."""

from __future__ import annotations

import pytest

import vizflow as vf
from vizflow_kernelext import PROTOCOL_VERSION, GraphViewer, ProtocolError, payload_from_tensor
from vizflow_kernelext.payload.compact import decode
from vizflow_kernelext.protocol import load_schema, validate_graph_payload


def _small_graph() -> vf.Tensor:
    x = vf.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], name="x")
    w = vf.tensor([[1.0], [0.0], [-1.0]], requires_grad=True, name="w")
    return (x @ w).relu().sum()


def test_schema_declares_the_version() -> None:
    assert load_schema()["definitions"]["ProtocolVersion"]["const"] == PROTOCOL_VERSION


def test_payload_has_one_node_per_op_and_leaf() -> None:
    payload = payload_from_tensor(_small_graph(), title="demo")
    validate_graph_payload(payload)
    assert payload["version"] == PROTOCOL_VERSION
    assert payload["title"] == "demo"
    by_op = {node["op"]: node for node in payload["nodes"]}
    assert set(by_op) == {"input", "parameter", "matmul", "relu", "sum"}
    assert by_op["matmul"]["shape"] == [2, 1]
    assert by_op["sum"]["shape"] == []
    assert by_op["parameter"]["name"] == "w"
    assert by_op["input"]["name"] == "x"
    assert by_op["matmul"]["dtype"] == "float32"
    assert payload["outputs"] == [by_op["sum"]["id"]]


def test_edges_connect_ports_in_input_order() -> None:
    payload = payload_from_tensor(_small_graph())
    ids = {node["op"]: node["id"] for node in payload["nodes"]}
    into_matmul = sorted(
        (edge["target_port"], edge["source"])
        for edge in payload["edges"]
        if edge["target"] == ids["matmul"]
    )
    assert into_matmul == [(0, ids["input"]), (1, ids["parameter"])]
    x_edge = next(e for e in payload["edges"] if e["source"] == ids["input"])
    assert x_edge["shape"] == [2, 3]


def test_shared_subexpression_appears_once() -> None:
    a = vf.tensor([1.0, 2.0], requires_grad=True, name="a")
    b = a * a
    c = b + b
    payload = payload_from_tensor(c)
    assert [node["op"] for node in payload["nodes"]].count("mul") == 1
    assert len(payload["edges"]) == 4


def test_source_location_points_at_user_code() -> None:
    payload = payload_from_tensor(_small_graph())
    matmul = next(node for node in payload["nodes"] if node["op"] == "matmul")
    assert matmul["source"] is not None
    assert matmul["source"]["file"].endswith("test_graph_payload.py")


def test_ops_made_on_one_line_share_its_source_location() -> None:
    """A loop's ops are made at one line: its location is built once per payload."""
    y = vf.tensor([1.0], requires_grad=True)
    for _ in range(3):
        y = y * 2.0
    z = y + 1.0
    nodes = payload_from_tensor(z)["nodes"]
    looped = [n["source"] for n in nodes if n["op"] == "mul"]
    assert len(looped) == 3 and all(s is looped[0] for s in looped)
    (added,) = [n["source"] for n in nodes if n["op"] == "add"]
    assert added["line"] == looped[0]["line"] + 1 and added["file"] == looped[0]["file"]


def test_long_chain_serialises_without_recursion_limit() -> None:
    x = vf.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    payload = payload_from_tensor(y)
    assert len(payload["nodes"]) == 5001


def test_optional_fields_at_their_default_are_left_out() -> None:
    payload = payload_from_tensor(_small_graph())
    leaf = next(node for node in payload["nodes"] if node["op"] == "input")
    assert "forward_of" not in leaf and "params" not in leaf and "source" not in leaf
    assert leaf["has_value"] is True and "has_grad" not in leaf
    assert "grad_norm" not in leaf["metrics"]  # not measured: left out, not null


def test_invalid_payload_names_the_field() -> None:
    payload = payload_from_tensor(_small_graph())
    payload["nodes"][0]["phase"] = "sideways"
    with pytest.raises(ProtocolError, match="nodes/0/phase"):
        validate_graph_payload(payload)


def test_viewer_rejects_invalid_graph_and_keeps_the_old_one() -> None:
    viewer = GraphViewer(payload_from_tensor(_small_graph()))
    before = viewer.graph
    with pytest.raises(ProtocolError):
        viewer.graph = {"version": PROTOCOL_VERSION, "nodes": []}
    assert viewer.graph == before


def test_a_trusted_payload_is_the_viewers_expanded_form_without_decoding() -> None:
    """A builder's payload (trusted) is what the wire form decodes to, so the viewer keeps
    it as its expanded form; any other graph's expanded form is decoded from the wire."""
    payload = payload_from_tensor(_small_graph())
    trusted = GraphViewer(payload, trusted=True)
    assert trusted.payload is payload and decode(trusted.graph) == payload
    mine = GraphViewer(payload)
    assert mine.payload is not payload and mine.payload == payload


def test_show_builds_a_viewer_and_refuses_other_objects() -> None:
    viewer = vf.show(_small_graph(), direction="DOWN")
    assert isinstance(viewer, GraphViewer)
    assert viewer.layout_direction == "DOWN"
    assert viewer._view_module == "@vizflow/jupyterlab"
    with pytest.raises(TypeError, match="cannot display a list"):
        vf.show([1, 2, 3])
