"""Payload scopes: numbered time steps, module class names (scope_types), and parameters in
the scope of the layer owning them, for eager histories and traced graphs."""

from __future__ import annotations

from typing import Any

import vizflow as vf
from vizflow import nn
from vizflow_kernelext.payload import build_from_graph, payload_from_tensor
from vizflow_kernelext.payload.compact import decode, encode
from vizflow_kernelext.protocol import validate_graph_payload, validate_message

STEPS = 7


class Recurrent(nn.Module):
    """An LSTM cell called over seven time steps, then a linear head."""

    def __init__(self) -> None:
        super().__init__()
        self.cell = nn.LSTMCell(3, 4)
        self.head = nn.Linear(4, 2)

    def forward(self, x: Any) -> Any:
        state = None
        for t in range(STEPS):
            state = self.cell(x[t], state)
        return self.head(state[0])


class Model(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = Recurrent()

    def forward(self, x: Any) -> Any:
        return self.rnn(x)


def _mlp() -> nn.Sequential:
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def _params(payload: dict[str, Any]) -> dict[str, str]:
    """name -> scope of each parameter/variable leaf."""
    leaves = ("parameter", "variable")
    return {n["name"]: n["scope"] for n in payload["nodes"] if n["op"] in leaves}


def test_a_sequential_names_its_layers_types_eagerly_and_traced() -> None:
    model = _mlp()
    x = vf.randn(2, 3)
    eager = payload_from_tensor(model(x).sum())
    traced = build_from_graph(vf.trace(model, x)).payload
    for payload in (eager, traced):
        validate_graph_payload(payload)
        assert payload["scope_types"] == {"0": "Linear", "1": "ReLU", "2": "Linear"}


def test_a_transformer_encoder_names_its_layers() -> None:
    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2)

        def forward(self, x: Any) -> Any:
            return self.encoder(x)

    types = payload_from_tensor(Encoder()(vf.randn(3, 5, 8)).sum())["scope_types"]
    assert types["encoder"] == "TransformerEncoder"
    assert types["encoder/layers/1"] == "TransformerEncoderLayer"
    assert types["encoder/layers/0/self_attn"] == "MultiheadAttention"
    assert types["encoder/layers/1/linear2"] == "Linear"


def test_parameters_sit_in_their_layers_scope() -> None:
    model = _mlp()
    x = vf.randn(2, 3)
    want = {"0.weight": "0", "0.bias": "0", "2.weight": "2", "2.bias": "2"}
    eager = payload_from_tensor(model(x).sum())
    assert {k: v for k, v in _params(eager).items() if k in want} == want
    traced = build_from_graph(vf.trace(model, x)).payload
    assert {k: v for k, v in _params(traced).items() if k in want} == want


def test_parameters_stay_in_their_layers_after_another_model_ran_under_the_same_paths() -> None:
    # Drawn (or compared) after a second Sequential ran: its layers took the paths "0", "2".
    model = _mlp()
    x = vf.randn(2, 3)
    graph = vf.trace(model, x)
    tape = model(x).sum()
    other = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 3))
    other(vf.randn(2, 3))
    want = {"0.weight": "0", "0.bias": "0", "2.weight": "2", "2.bias": "2"}
    for payload in (payload_from_tensor(tape), build_from_graph(graph).payload):
        assert {k: v for k, v in _params(payload).items() if k in want} == want


def test_time_steps_are_numbered_groups_with_types_and_shared_params_outside() -> None:
    model = Model()
    x = vf.randn(STEPS, 2, 3)
    model(x).sum().backward()  # a first iteration: numbering must not carry over
    for payload in (
        payload_from_tensor(model(x).sum()),
        build_from_graph(vf.trace(model, x)).payload,
    ):
        validate_graph_payload(payload)
        scopes = {n["scope"] for n in payload["nodes"]}
        assert {f"rnn/cell[{t}]" for t in range(STEPS)} <= scopes
        assert "rnn/cell" not in scopes and "rnn/cell[7]" not in scopes
        types = payload["scope_types"]
        assert types["rnn"] == "Recurrent" and types["rnn/cell[3]"] == "LSTMCell"
        assert types["rnn/head"] == "Linear"
        params = _params(payload)
        assert params["rnn.cell.weight_ih"] == "rnn"  # shared by every step
        assert params["rnn.head.weight"] == "rnn/head"


def test_scope_types_travel_in_the_compact_form() -> None:
    payload = payload_from_tensor(_mlp()(vf.randn(2, 3)).sum())
    compact = encode(payload)
    validate_message("CompactGraph", compact)
    assert compact["scope_types"] == payload["scope_types"]
    assert decode(compact) == payload
