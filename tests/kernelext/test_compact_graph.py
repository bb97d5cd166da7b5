"""The compact wire form (CompactGraph): lossless, valid, small, and shared with the TS side."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import vizflow as vf
from vizflow_engine.graph import Graph
from vizflow_kernelext import GraphViewer, ProtocolError, payload_from_tensor
from vizflow_kernelext.payload import build_from_graph
from vizflow_kernelext.payload.compact import decode, encode
from vizflow_kernelext.protocol import validate_graph_payload, validate_message

FIXTURES = Path(__file__).resolve().parents[2] / "labextension" / "test" / "fixtures"


def _traced_symbolic() -> dict[str, Any]:
    g = Graph("symbolic")
    x = g.placeholder("x", ("batch", 3))
    g.output((x @ g.variable("w", np.ones((3, 2), dtype=np.float32))).relu())
    payload: dict[str, Any] = build_from_graph(g).payload
    return payload


def _traced_with_grad() -> dict[str, Any]:
    g = Graph("layer")
    x = g.placeholder("x", (4, 3))
    w = g.variable("w", np.ones((3, 2), dtype=np.float32))
    g.output((x @ w).relu().sum())
    payload: dict[str, Any] = build_from_graph(vf.grad_graph(g)).payload
    return payload


def _eager() -> dict[str, Any]:
    x = vf.tensor([[1.0, 2.0]], requires_grad=True, name="x")
    out = (x * 2.0).tanh().sum()
    out.backward()
    return payload_from_tensor(out)


@pytest.mark.parametrize("make", [_traced_with_grad, _traced_symbolic, _eager])
def test_round_trip_is_lossless_and_valid(make: Any) -> None:
    payload = make()
    compact = encode(payload)
    validate_message("CompactGraph", compact)
    assert decode(json.loads(json.dumps(compact))) == payload


def test_foreign_ids_and_dangling_references_survive() -> None:
    payload = _eager()
    payload["nodes"][0]["id"] = "first"
    payload["edges"][0]["id"] = "edge-zero"
    payload["edges"][0]["source"] = "first"
    payload["edges"][-1]["dtype"] = "int8"
    payload["edges"][-1]["shape"] = [7, None]
    payload["outputs"].append("nowhere")
    payload["nodes"][1]["forward_of"] = "elsewhere"
    validate_graph_payload(payload)
    compact = encode(payload)
    validate_message("CompactGraph", compact)
    assert decode(compact) == payload


def test_compact_form_is_much_smaller() -> None:
    payload = _traced_with_grad()
    full = len(json.dumps(payload, separators=(",", ":")))
    small = len(json.dumps(encode(payload), separators=(",", ":")))
    assert small < full / 2


def test_viewer_holds_the_compact_form_and_expands_on_request() -> None:
    payload = _eager()
    viewer = GraphViewer(payload)
    assert viewer.graph["encoding"] == "columns-1"
    assert viewer.payload == payload and viewer.nodes == payload["nodes"]
    viewer.graph = encode(payload)  # an already compact graph is validated, kept as is
    assert viewer.payload == payload
    with pytest.raises(ProtocolError):
        viewer.graph = {**encode(payload), "strings": 3}


def _fixture() -> dict[str, Any]:
    payload = json.loads(json.dumps(_traced_with_grad()))
    for node in payload["nodes"]:
        node.pop("source", None)  # file paths and lines differ between machines
    payload["nodes"][-1]["source"] = {"file": "model.py", "line": 3, "function": "f"}
    payload["nodes"][-2]["source"] = {"file": "model.py", "line": 4}
    payload["nodes"][-1]["nonfinite"] = "produced"
    payload["nodes"][-2]["nonfinite"] = "passed"
    payload["nodes"][-1]["updates"] = payload["nodes"][0]["id"]
    payload["scope_types"] = {"0": "Linear", "rnn/cell[3]": "LSTMCell"}
    validate_graph_payload(payload)
    return {"compact": encode(payload), "expanded": payload}


def test_typescript_fixture_matches_the_encoder() -> None:
    """labextension/test/fixtures/compact.json is what the jest decoder test reads;
    regenerate with `python tests/kernelext/test_compact_graph.py` when this fails."""
    stored = json.loads((FIXTURES / "compact.json").read_text(encoding="utf-8"))
    assert stored == _fixture()


if __name__ == "__main__":
    FIXTURES.mkdir(parents=True, exist_ok=True)
    text = json.dumps(_fixture(), indent=2) + "\n"
    (FIXTURES / "compact.json").write_text(text, encoding="utf-8")
