"""Group type labels ("0 · Linear") come from the graph drawn, not from the model that last
ran under the same module paths: traced graphs, eager histories and vf.record() recordings
each carry the class of the module owning every scope path."""

from __future__ import annotations

from typing import Any

import vizflow as vf
from vizflow import nn
from vizflow_kernelext.payload import build_from_graph, payload_from_tensor

DEEP = {str(i): "Linear" if i % 2 == 0 else "ReLU" for i in range(80)}
CNN = {"0": "Conv2d", "1": "ReLU", "2": "Flatten", "3": "Linear"}


def _deep() -> nn.Sequential:
    """The 40-layer Sequential of Linear+ReLU a notebook ran first."""
    return nn.Sequential(*[m for _ in range(40) for m in (nn.Linear(8, 8), nn.ReLU())])


def _cnn() -> nn.Sequential:
    """A model run next under the same paths "0" to "3", with other layer classes."""
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))


def _params(payload: dict[str, Any]) -> dict[str, str]:
    """name -> scope of each parameter/variable leaf."""
    leaves = ("parameter", "variable")
    return {n["name"]: n["scope"] for n in payload["nodes"] if n["op"] in leaves}


def test_two_models_under_the_same_paths_keep_their_own_types() -> None:
    deep, cnn = _deep(), _cnn()
    xb, img = vf.randn(4, 8), vf.randn(4, 1, 6, 6)
    deep_graph = vf.trace(deep, xb)
    deep_tape = deep(xb).sum()
    cnn_graph = vf.trace(cnn, img)  # drawn after the deep model ran under "0", "1", …
    cnn_tape = cnn(img).sum()
    deep(xb)  # and the deep model ran again after the CNN
    for payload in (build_from_graph(cnn_graph).payload, payload_from_tensor(cnn_tape)):
        assert payload["scope_types"] == CNN
        assert _params(payload)["0.weight"] == "0" and _params(payload)["3.bias"] == "3"
    for payload in (build_from_graph(deep_graph).payload, payload_from_tensor(deep_tape)):
        assert payload["scope_types"] == DEEP


def test_a_recording_keeps_the_types_of_what_ran_inside_it() -> None:
    cnn, deep = _cnn(), _deep()
    img = vf.randn(2, 1, 6, 6)
    with vf.record(cnn) as rec:
        loss = cnn(img).sum()
    deep(vf.randn(2, 8))
    assert build_from_graph(rec.graph(loss)).payload["scope_types"] == CNN


def test_a_saved_and_loaded_graph_keeps_its_types(tmp_path: Any) -> None:
    cnn = _cnn()
    graph = vf.trace(cnn, vf.randn(2, 1, 6, 6))
    graph.save(str(tmp_path / "cnn"))
    _deep()(vf.randn(2, 8))
    loaded = vf.Graph.load(str(tmp_path / "cnn"))
    payload = build_from_graph(loaded).payload
    assert payload["scope_types"] == CNN
    # a loaded graph holds no module to ask: its parameters find their layers by name
    assert _params(payload)["0.weight"] == "0" and _params(payload)["3.bias"] == "3"


def test_time_steps_keep_their_cell_type_per_graph() -> None:
    class Loop(nn.Module):
        def __init__(self, cell: nn.Module) -> None:
            super().__init__()
            self.cell = cell

        def forward(self, x: Any) -> Any:
            h = x[0]
            for t in range(3):
                h = self.cell(h + x[t])
            return h

    x = vf.randn(3, 2, 4)
    linear = Loop(nn.Linear(4, 4))
    first = linear(x).sum()
    Loop(nn.Tanh())(x)  # the same paths, cell[0..2], now a Tanh
    types = payload_from_tensor(first)["scope_types"]
    assert {types[f"cell[{t}]"] for t in range(3)} == {"Linear"}
