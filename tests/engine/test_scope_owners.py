"""Each graph carries the module class owning each of its scope paths: kept through graph
files (checked on load), the editor's Document, copies and pickles, and never taken from a
model that ran later under the same paths."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import pytest

import vizflow as vf
from vizflow import nn
from vizflow_engine.editing import from_graph
from vizflow_engine.graph.errors import GraphFormatError
from vizflow_engine.graph.serialize import arrays_of
from vizflow_engine.scope import ScopePath, scope_types

MLP = {"0": "Linear", "1": "ReLU", "2": "Linear"}


def _traced_mlp() -> vf.Graph:
    return vf.trace(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)), vf.randn(2, 3))


def _other_model_runs() -> None:
    """Another model under the same paths "0", "1", "2", with other classes."""
    nn.Sequential(nn.Tanh(), nn.Sigmoid(), nn.Tanh())(vf.randn(2, 3))


def test_scope_types_of_nested_modules_and_name_scopes() -> None:
    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x: Any) -> Any:
            with vf.name_scope("inner"):  # ops only in a name scope: the block keeps its type
                return self.fc(x).relu()

    g = vf.trace(nn.Sequential(Block(), Block()), vf.randn(2, 3))
    _other_model_runs()
    types = scope_types(n.scope for n in g.nodes)
    assert types == {"0": "Block", "0/inner/fc": "Linear", "1": "Block", "1/inner/fc": "Linear"}


def test_a_graph_file_keeps_scope_types_and_a_load_restores_them() -> None:
    g = _traced_mlp()
    doc = g.to_json()
    assert doc["scope_types"] == MLP
    _other_model_runs()
    loaded = vf.Graph.from_json(json.dumps(doc), arrays_of(g))
    assert scope_types(n.scope for n in loaded.nodes) == MLP
    assert loaded.to_json() == doc


def test_a_file_without_scope_types_loads_untyped() -> None:
    g = _traced_mlp()
    doc = g.to_json()
    del doc["scope_types"]
    loaded = vf.Graph.from_json(doc, arrays_of(g))
    assert scope_types(n.scope for n in loaded.nodes) == {}
    assert [n.scope for n in loaded.nodes] == [n.scope for n in g.nodes]


@pytest.mark.parametrize(
    ("types", "where"),
    [
        ({"9": "Linear"}, '$.scope_types["9"]'),  # no node runs in scope 9
        ({"": "Linear"}, '$.scope_types[""]'),  # the top level is no scope
        ({"0": "<img src=x onerror=alert(1)>"}, '$.scope_types["0"]'),  # not a class name
        ({"0": ""}, '$.scope_types["0"]'),
        ({"0": 3}, '$.scope_types["0"]'),
    ],
)
def test_a_file_with_bad_scope_types_is_refused(types: dict[str, Any], where: str) -> None:
    g = _traced_mlp()
    doc = g.to_json()
    doc["scope_types"] = types
    with pytest.raises(GraphFormatError) as caught:
        vf.Graph.from_json(doc, arrays_of(g))
    assert caught.value.path == where


def test_the_editor_document_groups_take_the_graphs_own_types() -> None:
    g = _traced_mlp()
    _other_model_runs()
    doc = from_graph(g)
    assert {grp.name: grp.type for grp in doc.groups.values()} == MLP


def test_copies_and_pickles_keep_the_type_and_drop_the_module() -> None:
    g = _traced_mlp()
    scope = next(n.scope for n in g.nodes if n.scope == "2")
    assert isinstance(scope, ScopePath) and scope.owner_type == "Linear"
    assert copy.deepcopy(scope) is scope and copy.copy(scope) is scope
    back = pickle.loads(pickle.dumps(scope))
    assert isinstance(back, ScopePath) and back == "2"
    assert back.owner_type == "Linear" and back.module() is None


def test_a_training_loop_reuses_one_path_object_per_module() -> None:
    model = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
    x = vf.randn(2, 3)
    scopes = [model(x).node.scope for _ in range(3)]
    assert scopes[0] is scopes[1] is scopes[2]
    clone = copy.deepcopy(model)  # a copy is its own owner
    again = clone(x).node.scope
    assert isinstance(again, ScopePath) and again.module() is clone[1]
