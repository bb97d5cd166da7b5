"""The .vfg.json graph file: lossless round trips (positions, groups, arrays), a bad file
refused whole with the JSON path and the reason, no pickle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.engine.editing.graphs import (
    comparable,
    mlp_document,
    traced_rnn_loop,
    traced_sgd_step,
)
from vizflow_engine.editing import (
    EditorFileError,
    apply_step,
    dumps,
    from_graph,
    loads,
    open_file,
    save,
    to_graph,
)
from vizflow_engine.editing.fileformat import npz_bytes, sidecar


def test_editor_document_round_trips_through_files(tmp_path: Path) -> None:
    doc, ids = mlp_document()
    apply_step(doc, [{"cmd": "group", "nodes": [ids["h"]], "name": "layer"},
                     {"cmd": "move", "positions": {ids["r"]: {"x": 12.5, "y": -7}}}])  # fmt: skip
    to_graph(doc)  # materialises the variables' initial values
    path = str(tmp_path / "model.vfg.json")
    save(doc, path)
    assert Path(sidecar(path)).name == "model.npz"
    again = open_file(path)
    assert dumps(again)[0] == dumps(doc)[0]
    for i, arr in doc.arrays.items():
        assert np.array_equal(again.arrays[i], arr)


@pytest.mark.parametrize("make", [traced_sgd_step, traced_rnn_loop])
def test_traced_graphs_round_trip(make: Any) -> None:
    g = make()
    text, arrays = dumps(from_graph(g))
    again = loads(text, npz_bytes(arrays))
    assert comparable(to_graph(again)[0]) == comparable(g)


def _broken(mutate: Any) -> str:
    doc, _ = mlp_document()
    body = json.loads(dumps(doc)[0])
    mutate(body)
    return json.dumps(body)


def _cycle(body: dict[str, Any]) -> None:
    """loss -> h where x -> h was: loss reads h, so the wires close a loop."""
    body["edges"] = [e for e in body["edges"] if (e["target"], e["target_port"]) != ("n6", 0)]
    body["edges"].append(
        {"id": "c", "source": "n10", "source_port": 0, "target": "n6", "target_port": 0}
    )


BAD: list[tuple[Any, str, str]] = [
    (lambda b: b.update(format="other"), "$.format", "vizflow.editor"),
    (lambda b: b.update(version=99), "$.version", "is not 1"),
    (lambda b: b.update(extra=1), "$.extra", "unknown field"),
    (lambda b: b["nodes"][5].update(op="__import__"), "$.nodes[5]", "unknown op"),
    (lambda b: b["nodes"][5]["params"].update(axis=[1, 2]), "$.nodes[5]", "no param 'axis'"),
    (lambda b: b["nodes"][1].update(name="x"), "$.nodes[1]", "used twice"),
    (lambda b: b["edges"][0].update(target="nope"), "$.edges[0]", "no node 'nope'"),
    (lambda b: b["edges"][0].update(target_port=9), "$.edges[0]", "input ports"),
    (lambda b: b["edges"].append(dict(b["edges"][1], id="e99")), "$.edges[9]", "not a free input"),
    (
        _cycle,
        "$.edges",
        "cycle",
    ),
    (lambda b: b["outputs"].append("ghost"), "$.outputs[0]", "no node"),
    (lambda b: b["arrays"].append("n1"), "$.arrays", "placeholder 'n1' holds no array"),
    (lambda b: b["arrays"].append("zz"), "$.arrays", "not a node"),
    (lambda b: b["nodes"][2]["params"].update(shape=[10**9, 10**9]), "$.nodes[2]", "elements"),
]


@pytest.mark.parametrize(("mutate", "path", "reason"), BAD)
def test_bad_files_are_refused_with_path_and_reason(mutate: Any, path: str, reason: str) -> None:
    with pytest.raises(EditorFileError) as info:
        loads(_broken(mutate))
    assert info.value.path == path and reason in info.value.reason, str(info.value)


@pytest.mark.parametrize(
    "text", ["", "{", "[]", "null", '{"format": "vizflow.editor"}', "[" * 100_000]
)
def test_garbage_is_one_clear_error(text: str) -> None:
    with pytest.raises(EditorFileError):
        loads(text)


def test_held_arrays_need_their_npz_and_are_checked() -> None:
    g = traced_sgd_step()
    text, arrays = dumps(from_graph(g))
    with pytest.raises(EditorFileError, match=r"need its \.npz"):
        loads(text)
    with pytest.raises(EditorFileError, match=r"not a readable \.npz"):
        loads(text, b"not a zip")
    some = dict(list(arrays.items())[1:])
    with pytest.raises(EditorFileError):
        loads(text, npz_bytes(some))
    with pytest.raises(EditorFileError):
        loads(text, npz_bytes({**arrays, "x": np.array([object()], dtype=object)}))
