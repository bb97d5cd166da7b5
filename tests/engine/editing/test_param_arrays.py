"""Array-valued op params (a getitem's index array) in the editor: in JSON they are
{"array": key} into the kernel's store, so copy/paste carries them (within an editor, into
another one, after a cut) with the pasted node owning a copy, undo brings them back, and a
graph file carries them in its .npz: the round trip is lossless, in a fresh kernel too (as it
is for variables and constants holding arrays)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.editing import Document, apply_step, dumps, from_graph, loads, to_code, to_graph
from vizflow_engine.editing import params as params_module
from vizflow_engine.editing.errors import EditError, EditorFileError
from vizflow_engine.editing.fileformat import npz_bytes, open_file, save
from vizflow_engine.editing.model import NodeRec
from vizflow_engine.editing.records import node_fields

INDEX = np.array([3, 0, 2], dtype=np.int64)


@pytest.fixture
def fresh_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """An empty store of param arrays, as a kernel just started has."""
    store: dict[str, Any] = {}
    monkeypatch.setattr(params_module, "_HELD_PARAM_ARRAYS", store)
    yield store


def gathered() -> Document:
    """A traced graph whose getitem holds an index array: y = x[[3, 0, 2]] * 2."""
    g = vf.trace(lambda x: x[INDEX] * 2.0, vf.spec((4, 3)))
    return from_graph(g)


def getitem_of(doc: Document) -> Any:
    return next(n for n in doc.ordered() if n.op == "getitem")


def index_array(doc: Document, name: str | None = None) -> np.ndarray[Any, Any]:
    node = getitem_of(doc) if name is None else doc.by_name(name)
    (arr,) = node.params["index"]
    assert isinstance(arr, np.ndarray)
    return arr


def fragment(doc: Document, *names: str) -> dict[str, Any]:
    """What the browser copies: the document's node fields (params as the browser sees them)."""
    nodes = [node_fields(doc.by_name(n)) for n in names]
    return {"nodes": json.loads(json.dumps(nodes)), "edges": [], "groups": []}


def run_output(doc: Document, x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    g, _ = to_graph(doc)
    (out,) = g(x)  # the graph's one output
    return np.asarray(getattr(out, "array", out))


def test_the_browser_sees_an_array_param_as_a_key_into_the_kernel() -> None:
    doc = gathered()
    shown = node_fields(getitem_of(doc))["params"]["index"]
    assert len(shown) == 1 and set(shown[0]) == {"array"}
    assert shown[0]["array"].startswith(params_module.PARAM_ARRAY_PREFIX)
    # the same content always gets the same key (a push per edit does not grow the store)
    assert node_fields(getitem_of(doc))["params"] == {"index": shown}


def test_copy_paste_within_an_editor_and_into_another(fresh_store: dict[str, Any]) -> None:
    doc = gathered()
    name = getitem_of(doc).name
    frag = fragment(doc, name)
    step = apply_step(doc, [{"cmd": "paste", "fragment": frag, "offset": {"x": 40, "y": 40}}])
    pasted = doc.nodes[step.created["nodes"][0]]
    np.testing.assert_array_equal(index_array(doc, pasted.name), INDEX)
    assert index_array(doc, pasted.name) is not index_array(doc, name)  # its own copy
    other = Document("other")
    step = apply_step(other, [{"cmd": "paste", "fragment": frag}])
    copied = other.nodes[step.created["nodes"][0]]
    np.testing.assert_array_equal(index_array(other, copied.name), INDEX)
    assert index_array(other, copied.name).dtype == INDEX.dtype


def test_cut_then_paste_and_undo_bring_the_array_back() -> None:
    doc = gathered()
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    before = run_output(doc, x)
    node = getitem_of(doc)
    frag = fragment(doc, node.name)
    cut = apply_step(doc, [{"cmd": "delete", "nodes": [node.id]}])
    assert node.id not in doc.nodes
    apply_step(doc, [{"cmd": "paste", "fragment": frag}])
    np.testing.assert_array_equal(index_array(doc), INDEX)
    # undo the paste and the cut: the original node, wires and array are back
    apply_step(doc, [{"cmd": "delete", "nodes": [getitem_of(doc).id]}])
    apply_step(doc, cut.inverse)
    np.testing.assert_array_equal(run_output(doc, x), before)


def test_a_key_this_kernel_does_not_hold_is_refused_naming_it() -> None:
    doc = gathered()
    frag = fragment(doc, getitem_of(doc).name)
    frag["nodes"][0]["params"]["index"] = [{"array": "param~0000"}]
    with pytest.raises(EditError, match=r"param~0000.*not held by this kernel"):
        apply_step(doc, [{"cmd": "paste", "fragment": frag}])


def test_set_param_keeps_an_array_index_and_its_inverse_restores_it() -> None:
    doc = gathered()
    node = getitem_of(doc)
    key = node_fields(node)["params"]["index"][0]
    step = apply_step(doc, [{"cmd": "set_param", "node": node.id, "param": "index", "value": [1]}])
    assert node.params["index"] == (1,)
    apply_step(doc, step.inverse)
    np.testing.assert_array_equal(index_array(doc), INDEX)
    assert node_fields(node)["params"]["index"] == [key]


def test_a_graph_file_carries_param_arrays_losslessly(
    tmp_path: Path, fresh_store: dict[str, Any]
) -> None:
    doc = gathered()
    path = str(tmp_path / "gather.vfg.json")
    save(doc, path)
    body = json.loads(Path(path).read_text())
    assert len(body["param_arrays"]) == 1
    fresh_store.clear()  # a new kernel: nothing held but what the file brings
    again = open_file(path)
    np.testing.assert_array_equal(index_array(again), INDEX)
    assert index_array(again).dtype == INDEX.dtype
    assert dumps(again)[0] == dumps(doc)[0]
    assert to_code(again) == to_code(doc)
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    np.testing.assert_array_equal(run_output(again, x), x[INDEX] * 2.0)


def test_a_file_without_the_param_array_names_what_is_missing() -> None:
    text, arrays = dumps(gathered())
    key = json.loads(text)["param_arrays"][0]
    with pytest.raises(EditorFileError, match=r"param_arrays\[0\]"):
        loads(text, npz_bytes({}))
    unlisted = json.loads(text)
    unlisted["param_arrays"] = []
    with pytest.raises(EditorFileError, match=r"\$\.nodes\[1\].*not held by the file"):
        loads(json.dumps(unlisted), npz_bytes({}))
    bad = json.loads(text)
    bad["param_arrays"] = ["n1"]
    with pytest.raises(EditorFileError, match=r"\$\.param_arrays\[0\].*key is"):
        loads(json.dumps(bad), npz_bytes(arrays))
    assert key in arrays


def test_a_bad_record_is_named_before_the_missing_npz() -> None:
    text, _ = dumps(gathered())
    broken = text.replace('"op": "getitem"', '"op": "no_such_op"')
    with pytest.raises(EditorFileError, match=r"\$\.nodes\[1\].*no_such_op"):
        loads(broken)
    body = json.loads(text)
    body["arrays"] = body["param_arrays"]  # a param array listed as a node's
    with pytest.raises(EditorFileError, match=r"\$\.arrays.*not a node of the file"):
        loads(json.dumps(body), npz_bytes({}))


def test_a_file_param_array_never_reaches_other_keys(fresh_store: dict[str, Any]) -> None:
    """A file's arrays are read under its own keys only: a file that names a key the kernel
    holds, with other content, gets its own content (and the kernel's array is untouched)."""
    doc = gathered()
    text, arrays = dumps(doc)
    key = json.loads(text)["param_arrays"][0]
    other = np.array([1, 1, 1], dtype=np.int64)
    again = loads(text, npz_bytes({**arrays, key: other}))
    np.testing.assert_array_equal(index_array(again), other)
    np.testing.assert_array_equal(fresh_store[key], INDEX)
    assert node_fields(getitem_of(again))["params"]["index"][0]["array"] != key


def test_leaves_holding_arrays_round_trip_losslessly(tmp_path: Path) -> None:
    """Constants and variables holding arrays (ints, float64, a live Tensor, a frozen one)."""
    doc = Document("held")
    held = {
        "ints": ("constant", np.arange(6, dtype=np.int32).reshape(2, 3), {}),
        "wide": ("constant", np.linspace(0, 1, 5), {}),
        "live": ("variable", vf.tensor(np.ones((3, 2), np.float32), requires_grad=True),
                 {"init": "array", "requires_grad": True}),
        "frozen": ("variable", np.full(4, 0.5, np.float16),
                   {"init": "array", "requires_grad": False}),
    }  # fmt: skip
    for name, (kind, value, params) in held.items():
        ident = doc.new_id("n")
        doc.insert(NodeRec(ident, name, kind, None, dict(params)))
        doc.set_array(ident, value)
    path = str(tmp_path / "held.vfg.json")
    save(doc, path)
    again = open_file(path)
    assert dumps(again)[0] == dumps(doc)[0]
    for name, (_, value, params) in held.items():
        got = again.arrays[again.by_name(name).id]
        want = np.asarray(getattr(value, "array", value))
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)
        assert again.by_name(name).params == params
